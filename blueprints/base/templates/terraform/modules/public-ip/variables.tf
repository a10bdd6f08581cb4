variable "name" {
  type        = string
  description = "The name of the public IP."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the public IP: one holding the edge's IPs alone, since the cluster's identity gets Network Contributor on it."
}

variable "resource_group_id" {
  type        = string
  description = "The id of that resource group, the scope of the cluster's Network Contributor role (the cloud provider lists its IPs to join one to its load balancer)."
}

variable "location" {
  type        = string
  description = "The Azure region."
}

variable "zones" {
  type        = list(string)
  description = "The availability zones the IP serves (empty where the region has none)."
}

variable "cluster_principal" {
  type        = string
  description = "The cluster's identity, which binds the IP to the controller's load balancer."
}

variable "role" {
  type        = bool
  description = "Whether to give the cluster's identity Network Contributor on the IP's resource group (once: a second IP in the same group needs no second assignment)."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}
