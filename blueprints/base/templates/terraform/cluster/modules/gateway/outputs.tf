output "name" {
  description = "The Gateway of the catch-all `http` listener (the redirect to HTTPS and the ACME challenges); each routed host has a Gateway of its own, named after it."
  value       = var.name
}
