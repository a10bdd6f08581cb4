variable "zone" {
  type        = string
  description = "The public DNS zone."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group the zone goes in."
}

variable "hosts" {
  type        = list(string)
  description = "The ingress hosts: the zone itself or names under it."
}

variable "ip_id" {
  type        = string
  description = "The static public IP every host points at (the ingress controller's)."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}
