variable "region" {
  type        = string
  description = "The AWS region of the state bucket (spec: platform.aws.region)."
}

variable "account_id" {
  type        = string
  description = "The AWS account every root applies to (spec: platform.aws.accountId): any other is refused before anything changes."
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id: 12 digits."
  }
}

variable "bucket" {
  type        = string
  description = "The state bucket (spec: platform.aws.state.bucket; SPEC rule state-bucket-name)."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket: 3-63 lowercase letters, digits, dots and hyphens."
  }
}

variable "noncurrent_days" {
  type        = number
  description = "Days a replaced or deleted state version is kept, to restore a damaged state from."
  default     = 90
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = {}
}
