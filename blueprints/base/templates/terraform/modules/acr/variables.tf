variable "name" {
  type        = string
  description = "The registry's globally unique name."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group the registry goes in: the shared root's."
}

variable "location" {
  type        = string
  description = "The Azure region."
}

variable "sku" {
  type        = string
  description = "Basic, Standard or Premium."
}

variable "purge" {
  type = object({
    repositories = list(string)
    after_days   = number
    keep         = number
  })
  description = "The services' repositories, whose release tags older than after_days (0: never) are deleted weekly, the keep newest excepted."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}

variable "workspace_id" {
  type        = string
  description = "The Log Analytics workspace the registry's audit logs (sign-ins, pushes, pulls, deletions) go to."
}
