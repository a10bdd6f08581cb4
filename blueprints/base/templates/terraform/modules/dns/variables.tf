variable "zone" {
  type        = string
  description = "The public DNS zone, created by the shared root."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the zone: the shared root's."
}

variable "hosts" {
  type        = list(string)
  description = "The ingress hosts: the zone itself or names under it."
}

variable "ip_id" {
  type        = string
  description = "The static public IP the hosts of the services with an Ingress point at (ingress-nginx's)."
}

variable "gateway_hosts" {
  type        = list(string)
  description = "The hosts routed through the Gateway: the zone itself or names under it."
  default     = []
}

variable "gateway_ip_id" {
  type        = string
  description = "The static public IP the hosts routed through the Gateway point at (the edge's), or null without a Gateway."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}
