variable "hosts" {
  type        = set(string)
  description = "The TLS hosts of the services, each in the zone."
}

variable "zone_id" {
  type        = string
  description = "The Route 53 zone the hosts are in, where ACM's validation records are written."
}
