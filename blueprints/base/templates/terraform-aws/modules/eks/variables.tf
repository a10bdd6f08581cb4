variable "name" {
  type        = string
  description = "The cluster's name (spec: platform.aws.eks.name)."
}

variable "account_id" {
  type        = string
  description = "The AWS account."
}

variable "kubernetes_version" {
  type        = string
  description = "The cluster's Kubernetes minor version (spec: platform.aws.eks.kubernetesVersion)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "The private subnets of the control plane's network interfaces and of the nodes, one per zone."
}

variable "zones" {
  type        = list(string)
  description = "The nodes' zones, known at plan time: a node group each."
  validation {
    condition     = length(var.zones) >= 2
    error_message = "zones: two or more."
  }
}

variable "node_subnets" {
  type        = map(list(string))
  description = "The nodes' subnets by zone (the keys of zones; the subnets' ids may be known only at apply)."
}

variable "endpoint_public" {
  type        = bool
  description = "Whether the API server answers on the internet too, to public_cidrs alone (spec: platform.aws.eks.endpoint.public); it always answers inside the VPC."
}

variable "public_cidrs" {
  type        = list(string)
  description = "The ranges the public endpoint answers (spec: platform.aws.eks.endpoint.publicCidrs)."
}

variable "admin_roles" {
  type        = list(string)
  description = "The IAM roles given cluster-admin through an access entry each (spec: platform.aws.eks.adminRoles)."
  validation {
    condition     = length(var.admin_roles) > 0
    error_message = "admin_roles: at least one role administers the cluster (no one else does: the creator gets no right of its own)."
  }
}

variable "view_roles" {
  type        = list(string)
  description = "The IAM roles given a view of every object, Secrets included, through an access entry each."
  default     = []
}

variable "node_group" {
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    disk_size_gb   = number
  })
  description = "The managed node groups, divided among the zones (spec: platform.aws.eks.nodeGroup)."
  validation {
    condition = length(distinct([
      for t in var.node_group.instance_types : can(regex("^[a-z]+[0-9]+g[a-z]*\\.", t))
    ])) == 1 && alltrue([for t in var.node_group.instance_types : !startswith(t, "a1.")])
    error_message = "node_group.instance_types: one architecture (all Graviton, such as m7g.large, or all x86), and no a1 (Graviton 1, which AL2023 does not run)."
  }
}

variable "addon_versions" {
  type        = map(string)
  description = "Exact versions of EKS add-ons, by name; the others take the version EKS marks as the default for kubernetes_version."
}

variable "log_retention_days" {
  type        = number
  description = "Days the control plane's logs are kept."
  default     = 365
}
