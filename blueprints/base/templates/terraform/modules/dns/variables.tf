variable "zone" {
  type        = string
  description = "The public DNS zone."
}

variable "create_zone" {
  type        = bool
  description = "Whether to create the zone, or to write the records in the one an earlier environment created in resource_group_name."
  default     = true
}

variable "resource_group_name" {
  type        = string
  description = "The resource group the zone goes in (or is in, when another environment created it)."
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
