variable "name" {
  type        = string
  description = "The cluster's name, which the plans are named after."
}

variable "vault_name" {
  type        = string
  description = "The shared root's backup vault."
}

variable "role_arn" {
  type        = string
  description = "The role AWS Backup works as (the shared root's)."
}

variable "volumes" {
  type = map(object({
    namespace      = string
    claim          = string
    schedule       = string
    retention_days = number
  }))
  description = "The volumes backed up, by service: the claim's namespace and name, the schedule (AWS's cron, UTC) and the days each recovery point is kept (spec: persistence.backup)."
}
