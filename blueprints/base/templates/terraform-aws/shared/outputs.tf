output "registry" {
  description = "The registry every repository is in (ACCOUNT.dkr.ecr.REGION.amazonaws.com)."
  value       = "${var.account_id}.dkr.ecr.${var.region}.amazonaws.com"
}

output "repository_urls" {
  description = "Each service's repository URL, by repository name."
  value       = module.ecr.repository_urls
}

output "repository_arns" {
  description = "Each service's repository ARN, by repository name (each environment's deploy role tags the release it deployed there)."
  value       = module.ecr.repository_arns
}

output "build_role_arn" {
  description = "The role the build job assumes (the workflows name its ARN); null without an ECR repository."
  value       = one(module.build_role[*].arn)
}

output "github_oidc_provider_arn" {
  description = "GitHub Actions' IAM OIDC provider, which every environment's deploy role trusts."
  value       = local.oidc_provider_arn
}

output "dns_zone_id" {
  description = "The hosted zone's id, where each environment writes its records; null without a zone."
  value       = one(aws_route53_zone.this[*].zone_id)
}

output "dns_zone_arn" {
  description = "The hosted zone's ARN, which ExternalDNS may change alone; null without a zone."
  value       = one(aws_route53_zone.this[*].arn)
}

output "name_servers" {
  description = "The zone's name servers, to delegate the zone to at its registrar."
  value       = one(aws_route53_zone.this[*].name_servers)
}

output "backup_vault_name" {
  description = "The vault every environment's backups are kept in; null without backups."
  value       = one(aws_backup_vault.this[*].name)
}

output "backup_role_arn" {
  description = "The role AWS Backup works as; null without backups."
  value       = one(aws_iam_role.backup[*].arn)
}

output "backup_alerts_topic_arn" {
  description = "The topic a failed or aborted backup job is mailed through; null without backups or alert addresses."
  value       = one(aws_sns_topic.backup_alerts[*].arn)
}

output "alerts_key_arn" {
  description = "The key of every alert topic (each environment's alarms' and Alertmanager's); null without alert addresses."
  value       = one(aws_kms_key.alerts[*].arn)
}
