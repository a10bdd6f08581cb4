variable "name" {
  type        = string
  description = "The role's name."
}

variable "oidc_provider_arn" {
  type        = string
  description = "The IAM OIDC provider of GitHub Actions (token.actions.githubusercontent.com), the shared root's."
}

variable "subject" {
  type        = string
  description = "The one subject the role trusts: `repo:OWNER/NAME:environment:ENV` or `repo:OWNER/NAME:ref:refs/heads/BRANCH`, never a wildcard."
  validation {
    condition     = can(regex("^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(environment:[^*?]+|ref:refs/heads/[^*?]+)$", var.subject))
    error_message = "subject: repo:OWNER/NAME:environment:ENV or repo:OWNER/NAME:ref:refs/heads/BRANCH, with no wildcard."
  }
}

variable "policy" {
  type        = string
  description = "The role's permissions, one inline policy document (JSON)."
}

variable "max_session_duration" {
  type        = number
  description = "Seconds a session lasts at most."
  default     = 3600
}
