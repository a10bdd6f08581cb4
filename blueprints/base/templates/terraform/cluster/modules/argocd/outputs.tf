output "namespace" {
  description = "The namespace Argo CD runs in."
  value       = helm_release.this.namespace
}
