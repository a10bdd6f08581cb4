output "bucket" {
  description = "The state bucket every later root's `terraform init -backend-config=bucket=...` names."
  value       = aws_s3_bucket.state.id
}

output "kms_key_arn" {
  description = "The key the state is encrypted with."
  value       = aws_kms_key.state.arn
}
