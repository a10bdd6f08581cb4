output "name" {
  description = "The Gateway the services' HTTPRoutes attach to."
  value       = var.name
}
