variable "region" {
  type        = string
  description = "The AWS region (spec: platform.aws.region)."
}

variable "account_id" {
  type        = string
  description = "The AWS account (spec: platform.aws.accountId)."
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id: 12 digits."
  }
}

variable "name" {
  type        = string
  description = "The project's name, which the shared resources are named after (spec: metadata.name)."
}

variable "repositories" {
  type        = set(string)
  description = "The ECR repositories, one per service."
}

variable "keep" {
  type        = number
  description = "Release images kept per repository (spec: platform.aws.ecr.keep)."
}

variable "dns_zone" {
  type        = string
  description = "The public Route 53 zone of the ingress hosts (spec: platform.aws.dns.zone); null for none."
  default     = null
}

variable "backups" {
  type        = bool
  description = "Whether a service backs its volume up (persistence.backup): the backup vault and the role AWS Backup works as."
  default     = false
}

variable "alert_emails" {
  type        = list(string)
  description = "Who is mailed when a backup job fails or is aborted: every environment's alert addresses (spec: platform.aws.monitoring.alertEmails, else pipeline.notify.email). With any, the key of every alert topic (each environment's too)."
  default     = []
  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails are email addresses."
  }
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository (OWNER/NAME) whose workflows sign in (spec: platform.github.repository)."
}

variable "github_branch" {
  type        = string
  description = "The branch whose workflow runs build and push (spec: platform.github.branch)."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = {}
}
