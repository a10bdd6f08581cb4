variable "location" {
  type        = string
  description = "The Azure region of the state storage."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the state storage (spec: platform.terraformState.resourceGroup)."
}

variable "storage_account_name" {
  type        = string
  description = "The state's storage account (spec: platform.terraformState.storageAccount; SPEC rule storage-account-name)."
  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "storage_account_name: 3-24 lowercase letters and digits."
  }
}

variable "container_name" {
  type        = string
  description = "The blob container of the state files (spec: platform.terraformState.container)."
  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", var.container_name))
    error_message = "container_name: 3-63 lowercase letters, digits and single hyphens."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = {}
}

variable "name" {
  type        = string
  description = "The prefix of the Terraform identities' names (spec: metadata.name)."
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository (OWNER/NAME) whose Terraform workflow signs in (spec: platform.github.repository), or null: then no identity is created and a person applies."
  default     = null
}

variable "drift_environment" {
  type        = string
  description = "The GitHub environment the scheduled drift checks run in (terraform-drift), whose branch rule holds it to the branch: the drift identity trusts it alone."
  default     = "terraform-drift"
  validation {
    condition     = can(regex("^[^*?]+$", var.drift_environment))
    error_message = "drift_environment: a GitHub environment's name, with no wildcard."
  }
}

variable "apply_environments" {
  type        = list(string)
  description = "The GitHub environments the apply jobs run in: the shared root's (terraform-shared), then one per environment on Azure. The apply identity trusts these subjects alone."
  default     = []
  validation {
    condition     = length(var.apply_environments) <= 20
    error_message = "apply_environments: a managed identity takes at most 20 federated credentials: the shared root's and one per environment, so at most 19 environments."
  }
}
