variable "name" {
  type        = string
  description = "The cluster's name, also its DNS prefix."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group the cluster goes in."
}

variable "location" {
  type        = string
  description = "The Azure region."
}

variable "kubernetes_version" {
  type        = string
  description = "The Kubernetes minor version (the patch upgrade channel keeps its patches current), or a patch version (no upgrade channel)."
}

variable "maintenance_window" {
  type = object({
    day_of_week    = string
    start_time     = string
    utc_offset     = string
    duration_hours = number
  })
  description = "The weekly window of automatic upgrades and node OS updates."
}

variable "nodes_subnet_id" {
  type        = string
  description = "The subnet both pools' nodes take their addresses from, with a NAT gateway for their outbound traffic."
}

variable "api_authorized_ip_ranges" {
  type        = list(string)
  description = "The ranges the API server answers; empty: every address."
}

variable "system_vm_size" {
  type        = string
  description = "The system pool's VM size."
}

variable "system_node_count" {
  type        = number
  description = "The system pool's nodes."
}

variable "system_disk_size_gb" {
  type        = number
  description = "Each system node's OS disk, in GB."
}

variable "vm_size" {
  type        = string
  description = "The applications' nodes' VM size."
}

variable "min_count" {
  type        = number
  description = "The fewest application nodes the autoscaler keeps."
}

variable "max_count" {
  type        = number
  description = "The most application nodes the autoscaler adds."
}

variable "disk_size_gb" {
  type        = number
  description = "Each application node's OS disk, in GB."
}

variable "zones" {
  type        = list(string)
  description = "The availability zones the nodes spread over (empty where the region has none)."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}

variable "pod_security" {
  type = object({
    standard = string
    effect   = string
  })
  description = "The Pod Security Standard assigned through Azure Policy (baseline, restricted or none) and its effect (deny or audit)."
}

variable "defender" {
  type        = bool
  description = "Whether Defender for Containers' sensor runs on the nodes."
}

variable "sku_tier" {
  type        = string
  description = "AKS's pricing tier: Standard (an SLA on the API server) or Free (none)."
  validation {
    condition     = contains(["Free", "Standard"], var.sku_tier)
    error_message = "sku_tier is Free or Standard."
  }
}

variable "managed_prometheus" {
  type        = bool
  description = "Whether the metrics add-on of Azure Monitor's managed Prometheus runs (spec: observability.metrics.stack managed)."
  default     = true
}

variable "pod_security_exempt" {
  type        = list(string)
  description = "Namespaces the Pod Security Standard does not hold, besides AKS' own: those of the in-cluster stacks whose node exporter and Fluent Bit read the nodes."
  default     = []
}
