output "cluster_name" {
  description = "The ECS cluster the services run in."
  value       = aws_ecs_cluster.this.name
}

output "deploy_role_arn" {
  description = "The role the pipeline's deploy jobs of this environment assume (the workflows name its ARN)."
  value       = module.deploy_role.arn
}

output "load_balancer_dns_name" {
  description = "The load balancer's address, which each host's alias record names; null without a service with an ingress."
  value       = one(aws_lb.this[*].dns_name)
}

output "task_definition_families" {
  description = "Each service's task definition families, by service: `contract`, Terraform's; `releases`, the pipeline's, each a copy of the contract's newest revision with a release's image."
  value       = { for name, service in module.service : name => { contract = service.contract_family, releases = service.family } }
}

output "secret_arns" {
  description = "Each service's secrets, by service and environment variable: the team puts each one's value before the first release (README.md)."
  value       = { for name, service in module.service : name => service.secret_arns }
}

output "log_groups" {
  description = "Each service's log group, by service."
  value       = { for name, service in module.service : name => service.log_group }
}

output "alerts_topic_arn" {
  description = "The topic the services' SLO alarms mail the alert addresses through; null without an address."
  value       = one(aws_sns_topic.alerts[*].arn)
}
