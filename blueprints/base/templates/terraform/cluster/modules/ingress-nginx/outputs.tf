output "class_name" {
  description = "The IngressClass the controller serves."
  value       = var.class_name
}
