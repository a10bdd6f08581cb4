output "bucket" {
  description = "The state bucket every later root's `terraform init -backend-config=bucket=...` names."
  value       = aws_s3_bucket.state.id
}

output "kms_key_arn" {
  description = "The key the state is encrypted with."
  value       = aws_kms_key.state.arn
}

output "github_oidc_provider_arn" {
  description = "GitHub Actions' IAM OIDC provider, which every role of the workflows trusts."
  value       = local.oidc_provider_arn
}

output "terraform_role_arns" {
  description = "The roles the Terraform workflow assumes (the workflow names their ARNs), by job kind; none without a pipeline."
  value       = { for kind, role in aws_iam_role.terraform : kind => role.arn }
}
