variable "name" {
  type        = string
  description = "The cluster's name, which the network is named and tagged after."
}

variable "cidr" {
  type        = string
  description = "The VPC's address range (spec: platform.aws.network.cidr), split into a public and a private subnet per zone."
  validation {
    condition     = can(cidrnetmask(var.cidr)) && try(tonumber(split("/", var.cidr)[1]) >= 16 && tonumber(split("/", var.cidr)[1]) <= 20, false)
    error_message = "cidr: an IPv4 range of /16 to /20 (AWS takes /16 at most; each zone's private subnet is a quarter of it at most)."
  }
}

variable "zones" {
  type        = list(string)
  description = "The availability zones the subnets span, 2 to 4."
  validation {
    condition     = length(var.zones) >= 2 && length(var.zones) <= 4
    error_message = "zones: 2 to 4 availability zones."
  }
}

variable "nat_gateways" {
  type        = string
  description = "`single`: one NAT gateway for every zone (cheaper; the private subnets lose their outbound traffic while its zone is down), or `per-zone`: one in each zone (spec: platform.aws.network.natGateways)."
  validation {
    condition     = contains(["single", "per-zone"], var.nat_gateways)
    error_message = "nat_gateways: single or per-zone."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days the VPC's flow log keeps each record."
  default     = 365
}

variable "account_id" {
  type        = string
  description = "The AWS account."
}
