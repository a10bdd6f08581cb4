variable "name" {
  type        = string
  description = "The cluster's name, which the vault, its policy and its backup instance are named after."
}

variable "resource_group_name" {
  type        = string
  description = "The project's resource group, whose name the backups' groups (<name>-backup, <name>-snapshots) extend."
}

variable "location" {
  type        = string
  description = "The cluster's region: AKS Backup keeps the vault, the storage and the snapshots in it."
}

variable "cluster_id" {
  type        = string
  description = "The cluster's resource id."
}

variable "cluster_principal_id" {
  type        = string
  description = "The cluster's own identity, which creates the snapshots' disks on restore."
}

variable "schedule" {
  type        = string
  description = "When to back up: an ISO 8601 repeating interval, daily or every 4, 8 or 12 hours (spec: services[].persistence.backup.schedule)."
  validation {
    condition     = can(regex("^R/\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:00\\+00:00/(P1D|PT(4|8|12)H)$", var.schedule))
    error_message = "schedule is R/<start>+00:00/P1D, PT4H, PT8H or PT12H."
  }
}

variable "retention_days" {
  type        = number
  description = "Days each backup is kept, at most 360 (spec: services[].persistence.backup.retentionDays)."
  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 360
    error_message = "AKS Backup keeps a backup 1 to 360 days."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}
