output "repository_arns" {
  description = "Each repository's ARN, by name."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.arn }
}

output "repository_urls" {
  description = "Each repository's URL (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME), by name."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}
