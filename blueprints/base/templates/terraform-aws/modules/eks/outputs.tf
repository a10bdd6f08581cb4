output "name" {
  description = "The cluster's name, once its add-ons are installed."
  value       = aws_eks_cluster.this.name
  depends_on  = [aws_eks_addon.coredns, aws_eks_addon.ebs_csi, aws_eks_addon.snapshot_controller]
}

output "arn" {
  description = "The cluster's ARN."
  value       = aws_eks_cluster.this.arn
}

output "endpoint" {
  description = "The API server's address."
  value       = aws_eks_cluster.this.endpoint
}

output "certificate_authority" {
  description = "The API server's CA certificate, base64-encoded."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "admin_policy_associations" {
  description = "The admin roles' access policy associations: whatever works in the cluster waits for them."
  value       = [for a in aws_eks_access_policy_association.admin : a.id]
}
