# The values every environment's root reads, on EKS or on ECS; the rest are the runtime's
# (variables-eks.tf or variables-ecs.tf).

variable "environment" {
  type        = string
  description = "The environment these values are for: it must be the selected workspace, so that one environment's values are never applied in another's state."
  default     = "default"
  validation {
    condition     = var.environment == terraform.workspace
    error_message = "The values file is for another environment than the selected workspace: run `terraform workspace select` with its name first."
  }
}

variable "state_bucket" {
  type        = string
  description = "The state bucket (spec: platform.aws.state.bucket), where the shared root's state is read from."
}

variable "shared_state_key" {
  type        = string
  description = "The shared root's state key, as its `terraform init -backend-config=key=...` names it."
}

variable "region" {
  type        = string
  description = "The AWS region (spec: platform.aws.region)."
}

variable "account_id" {
  type        = string
  description = "The AWS account every resource is in (spec: platform.aws.accountId)."
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id: 12 digits."
  }
}

variable "cluster_name" {
  type        = string
  description = "The cluster the services run on, which the network and the roles are named after (spec: platform.aws.eks.name or platform.aws.ecs.name)."
}

variable "network" {
  type = object({
    cidr         = optional(string)
    nat_gateways = optional(string)
    zones        = optional(list(string), [])
    existing = optional(object({
      vpc_id          = string
      node_subnet_ids = list(string)
      load_balancer_subnets = list(object({
        id   = string
        cidr = string
      }))
    }))
  })
  description = "The environment's VPC (spec: platform.aws.network): its range, its NAT gateways, and its zones (those of them the account has); or an existing VPC's id and subnets."
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository (OWNER/NAME) whose workflows sign in (spec: platform.github.repository)."
}

variable "github_environment" {
  type        = string
  description = "The GitHub environment whose deploy jobs the deploy role trusts, alone."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = {}
}
