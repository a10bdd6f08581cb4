variable "namespace" {
  type        = string
  description = "The controller's namespace."
}

variable "class_name" {
  type        = string
  description = "The IngressClass the controller serves."
}

variable "public_ip_name" {
  type        = string
  description = "The static public IP (the platform root's) the controller's load balancer answers on."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of that IP (the edge's IPs alone)."
}

variable "chart_version" {
  type        = string
  description = "The ingress-nginx chart version, pinned."
  default     = "4.15.1"
}
