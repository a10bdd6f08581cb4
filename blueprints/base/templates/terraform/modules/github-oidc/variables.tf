variable "mode" {
  type        = string
  description = "managed-identity (user-assigned identities; needs no Graph permission) or app-registration (Entra ID applications)."
}

variable "name" {
  type        = string
  description = "The prefix of the identities' names."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the managed identities."
}

variable "location" {
  type        = string
  description = "The Azure region of the managed identities."
}

variable "repository" {
  type        = string
  description = "The GitHub repository (OWNER/NAME) whose workflows sign in."
}

variable "branch" {
  type        = string
  description = "The branch whose runs build and push."
}

variable "environment" {
  type        = string
  description = "The GitHub environment the deploy job runs in, or null (it then signs in from the branch)."
  default     = null
}

variable "build_identity" {
  type        = bool
  description = "Whether to create the build identity: in the shared root, beside the registry, the only one the image is pushed to."
  default     = true
}

variable "deploy_identity" {
  type        = bool
  description = "Whether to create the deploy identity (with GitOps it deploys nothing: it checks the vault and reads Argo CD's Applications)."
  default     = true
}

variable "registry_id" {
  type        = string
  description = "The one registry the build identity may push to."
}

variable "cluster_id" {
  type        = string
  description = "The cluster the deploy identity deploys to."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource that takes them."
}
