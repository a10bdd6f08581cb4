output "role_arn" {
  description = "The role's ARN."
  value       = aws_iam_role.this.arn
}
