variable "name" {
  type        = string
  description = "The cluster's name, which the network's resources are named after."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group the network goes in."
}

variable "location" {
  type        = string
  description = "The Azure region."
}

variable "address_space" {
  type        = string
  description = "The virtual network's IPv4 range."
}

variable "nodes_subnet" {
  type        = string
  description = "The nodes' subnet, inside the address space."
}

variable "zones" {
  type        = list(string)
  description = "The availability zones the nodes spread over: more than one makes the NAT gateway and its address zone-redundant (StandardV2)."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}
