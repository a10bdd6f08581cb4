variable "repositories" {
  type        = set(string)
  description = "The repositories, one per service: `<prefix>/<service>` (spec: platform.aws.ecr.prefix, else the project's name)."
}

variable "keep" {
  type        = number
  description = "Release images kept per repository, newest first (spec: platform.aws.ecr.keep); older ones expire."
  validation {
    condition     = var.keep >= 1
    error_message = "keep: at least 1."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "The key the images are encrypted with."
}
