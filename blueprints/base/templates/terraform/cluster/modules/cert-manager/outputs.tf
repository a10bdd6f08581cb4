output "issuer_name" {
  description = "The ClusterIssuer each service's Ingress names, or null without ingress-nginx."
  value       = var.ingress_class_name == null ? null : var.issuer_name
}

output "gateway_issuer_name" {
  description = "The ClusterIssuer the Gateway names, or null without one."
  value       = var.gateway == null ? null : "${var.issuer_name}-gateway"
}
