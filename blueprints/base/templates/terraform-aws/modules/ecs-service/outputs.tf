output "family" {
  description = "The family of the releases' task definitions, which the pipeline registers: a copy of the contract's newest revision with the release's image."
  value       = local.family
}

output "contract_family" {
  description = "The family of the contract Terraform registers (the container as the chart gives it), whose newest revision each release copies."
  value       = aws_ecs_task_definition.this.family
}

output "execution_role_arn" {
  description = "The role ECS pulls the image, writes the logs and reads the secrets as: the deploy role may pass it."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "The role the service's code runs as: the deploy role may pass it."
  value       = aws_iam_role.task.arn
}

output "secret_arns" {
  description = "Each secret the service reads, by environment variable: the team puts its value."
  value       = { for name, secret in aws_secretsmanager_secret.env : name => secret.arn }
}

output "log_group" {
  description = "The service's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "security_group_id" {
  description = "The tasks' security group: the load balancer may reach them on the service's port."
  value       = aws_security_group.tasks.id
}

output "target_group_arn_suffix" {
  description = "The target group's ARN suffix, which the load balancer's metrics of the service name (its alarms); null without a route."
  value       = one(aws_lb_target_group.this[*].arn_suffix)
}
