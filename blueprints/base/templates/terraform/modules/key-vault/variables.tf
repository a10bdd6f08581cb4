variable "name_prefix" {
  type        = string
  description = "The prefix of the services' identities' names."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the vault and the identities."
}

variable "location" {
  type        = string
  description = "The Azure region."
}

variable "oidc_issuer_url" {
  type        = string
  description = "The cluster's OIDC issuer, which the services' identities trust."
}

variable "services" {
  type = map(object({
    vault     = string
    namespace = string
    secrets   = list(string)
    former    = optional(string)
  }))
  description = "The services with secretEnv: each one's vault (a globally unique name), namespace and the names of its secret variables, and the name a renamed service had, which its identity keeps."
}

variable "admin_principal_id" {
  type        = string
  description = "Who writes the values, in every vault: the cluster's admin principal."
}

variable "deploy_identity" {
  type        = bool
  description = "Whether a deploy identity checks the values are there; known at plan, unlike its principal id."
}

variable "deploy_principal_id" {
  type        = string
  description = "The deploy identity's object id when deploy_identity is true, else null (GitOps)."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}

variable "workspace_id" {
  type        = string
  description = "The Log Analytics workspace the vault's audit logs (every secret read and write, and by whom) go to."
}
