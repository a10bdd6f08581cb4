# The shared root's values, in terraform.tfvars: the first environment on Azure's registry,
# repository and region, and every environment's DNS zone. Each validation mirrors the spec's
# own rule, as in the environments' root (../variables.tf).

variable "name" {
  type        = string
  description = "The prefix of the build identity's name: the project's (spec: metadata.name)."
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name is a DNS label: lowercase letters, digits and '-', at most 63."
  }
}

variable "location" {
  type        = string
  description = "The Azure region of the shared resources: the first environment on Azure's (spec: platform.azure.location)."
  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "location is a region name such as westeurope (lowercase, no spaces)."
  }
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of what the environments share: the project's name and `-shared` (SPEC rule resource-group-shared keeps every environment's group apart from it)."
  validation {
    condition     = can(regex("^[-\\pL\\pN_.()]{1,90}$", var.resource_group_name)) && !endswith(var.resource_group_name, ".")
    error_message = "resource_group_name: 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'."
  }
}

variable "registry_name" {
  type        = string
  description = "The container registry's globally unique name (spec: platform.azure.acr.name; SPEC rule acr-name)."
  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.registry_name))
    error_message = "registry_name: 5-50 letters and digits."
  }
}

variable "registry_sku" {
  type        = string
  description = "The registry's tier: Basic, Standard or Premium (spec: platform.azure.acr.sku)."
  validation {
    condition     = contains(["Basic", "Standard", "Premium"], var.registry_sku)
    error_message = "registry_sku is Basic, Standard or Premium."
  }
}

variable "registry_purge" {
  type = object({
    repositories = list(string)
    after_days   = number
    keep         = number
  })
  description = "The services' repositories in the registry, and how long their releases are kept: tags older than after_days (0: for ever) are deleted weekly, the keep newest of each excepted (spec: platform.azure.acr.purge)."
  default     = { repositories = [], after_days = 0, keep = 1 }
  validation {
    condition     = var.registry_purge.after_days >= 0 && var.registry_purge.after_days <= 3650 && var.registry_purge.keep >= 1 && var.registry_purge.keep <= 1000
    error_message = "registry_purge: after_days from 0 to 3650, keep from 1 to 1000."
  }
}

variable "dns_zones" {
  type        = list(string)
  description = "The public DNS zones of the environments' ingress hosts, each created once here (spec: platform.azure.dns.zone of every environment on Azure)."
  default     = []
  validation {
    condition     = alltrue([for z in var.dns_zones : can(regex("^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$", z))])
    error_message = "dns_zones are domain names, such as example.com."
  }
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository whose workflows push images, as OWNER/NAME (spec: platform.github.repository; SPEC rule invalid-github-repository)."
  validation {
    condition     = can(regex("^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository is OWNER/NAME, not a URL."
  }
}

variable "github_branch" {
  type        = string
  description = "The branch whose workflow runs may push images (spec: platform.github.branch)."
  validation {
    condition     = length(var.github_branch) > 0 && !strcontains(var.github_branch, "*")
    error_message = "github_branch is one branch name, without wildcards."
  }
}

variable "identity_mode" {
  type        = string
  description = "How GitHub signs in: managed-identity or app-registration (spec: platform.azure.identity)."
  validation {
    condition     = contains(["managed-identity", "app-registration"], var.identity_mode)
    error_message = "identity_mode is managed-identity or app-registration."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource that takes them."
  default     = {}
}
