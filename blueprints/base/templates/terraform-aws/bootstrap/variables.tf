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

variable "name" {
  type        = string
  description = "The project's name (spec: metadata.name): the Terraform workflow's roles are `<name>-terraform-plan`, `-drift` and `-apply`."
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository (OWNER/NAME) whose Terraform workflow signs in (spec: platform.github.repository), or null: then no role is created and a person applies."
  default     = null
  validation {
    condition     = var.github_repository == null || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository: OWNER/NAME, with no wildcard."
  }
}

variable "drift_environment" {
  type        = string
  description = "The GitHub environment the scheduled drift checks run in (terraform-drift), whose branch rule holds it to the branch: the drift role trusts it alone."
  default     = "terraform-drift"
  validation {
    condition     = can(regex("^[^*?]+$", var.drift_environment))
    error_message = "drift_environment: a GitHub environment's name, with no wildcard."
  }
}

variable "apply_environments" {
  type        = list(string)
  description = "The GitHub environments whose jobs apply: the shared root's (terraform-shared), then each environment's, whose required reviewers gate each apply."
  default     = []
  validation {
    condition     = alltrue([for env in var.apply_environments : can(regex("^[^*?]+$", env))])
    error_message = "apply_environments: GitHub environment names, with no wildcard."
  }
}

variable "github_oidc_provider" {
  type        = bool
  description = "Whether this root creates the account's IAM OIDC provider for GitHub Actions. An account holds one per issuer: where another stack made it, set false (in a `*.auto.tfvars` beside terraform.tfvars) and its ARN is used."
  default     = true
}
