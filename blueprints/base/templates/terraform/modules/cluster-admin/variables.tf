variable "cluster_id" {
  type        = string
  description = "The cluster the role is on."
}

variable "admin_group_object_id" {
  type        = string
  description = "The Entra ID group given the role, or null for whoever applied Terraform first (kept in the state)."
  default     = null
}

variable "host" {
  type        = string
  description = "The API server's address."
  sensitive   = true
}

variable "cluster_ca_certificate" {
  type        = string
  description = "The API server's CA certificate, base64."
  sensitive   = true
}

variable "server_app_id" {
  type        = string
  description = "The application id of the AKS AAD server, the audience of the sign-in token."
}
