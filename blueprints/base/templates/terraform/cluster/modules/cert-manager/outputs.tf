output "issuer_name" {
  description = "The ClusterIssuer each service's Ingress names."
  value       = var.issuer_name
}
