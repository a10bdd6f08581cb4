variable "cluster_name" {
  type        = string
  description = "The ECS cluster, which the service's roles, log group and secrets are named after."
}

variable "cluster_arn" {
  type        = string
  description = "The ECS cluster the service runs in."
}

variable "name" {
  type        = string
  description = "The service's name (spec: services[].name): the ECS service, the task definition's family (<cluster>-<name>) and its one container."
}

variable "region" {
  type        = string
  description = "The region the logs are written in."
}

variable "account_id" {
  type        = string
  description = "The AWS account: only its ECS tasks may assume the service's roles."
}

variable "vpc_id" {
  type        = string
  description = "The VPC the tasks and the target group are in."
}

variable "subnet_ids" {
  type        = list(string)
  description = "The private subnets the tasks run in, one per zone (no public address)."
}

variable "image" {
  type        = string
  description = "The image of the task definition Terraform registers: the repository's first tag, until the pipeline registers each release by digest (README.md, \"Who registers the task definitions\")."
}

variable "repository_arn" {
  type        = string
  description = "The ECR repository the execution role pulls from, alone; null for an image on Docker Hub."
  default     = null
}

variable "pull_secret_arn" {
  type        = string
  description = "The Secrets Manager secret of Docker Hub's credentials the task pulls its image with (an image there); null for one in ECR."
  default     = null
}

variable "key_arn" {
  type        = string
  description = "The key the service's logs and secrets are encrypted with (the environment's)."
}

variable "log_retention_days" {
  type        = number
  description = "Days the service's log group keeps its lines (spec: platform.aws.ecs.logRetentionDays)."
}

variable "port" {
  type        = number
  description = "The port the container serves HTTP on (spec: services[].port)."
}

variable "cpu" {
  type        = number
  description = "The task's CPU units (1024 = one vCPU), a size Fargate offers."
}

variable "memory" {
  type        = number
  description = "The task's memory in MiB, a size Fargate offers with cpu."
}

variable "replicas" {
  type        = number
  description = "The fewest tasks (spec: services[].replicas, or autoscaling.minReplicas)."
}

variable "max_replicas" {
  type        = number
  description = "The most tasks (spec: autoscaling.maxReplicas; replicas without autoscaling)."
}

variable "cpu_utilization" {
  type        = number
  description = "The average CPU (percent) the autoscaling keeps the tasks at (spec: autoscaling.cpuUtilization); null: no autoscaling."
  default     = null
}

variable "user" {
  type        = string
  description = "The user and group the container runs as (UID:GID, the image's non-root user)."
}

variable "writable_paths" {
  type        = list(string)
  description = "The folders the process writes to, each an empty volume of the task's over a read-only root."
}

variable "environment" {
  type        = map(string)
  description = "The container's environment (spec: services[].env, and what gen adds: PORT...)."
}

variable "secret_names" {
  type        = list(string)
  description = "The environment variables read from a Secrets Manager secret each (spec: services[].secretEnv): created here without a value, which the team puts (README.md)."
}

variable "health_command" {
  type        = list(string)
  description = "The command the container runs to ask its liveness path (the blueprint's); null: no container health check."
  default     = null
}

variable "readiness_path" {
  type        = string
  description = "The path the load balancer asks before it sends a task requests (spec: services[].health.readiness)."
}

variable "startup_seconds" {
  type        = number
  description = "Seconds a new task may take to start answering (the blueprint's startupSeconds): the load balancer's and the health check's grace."
}

variable "stop_seconds" {
  type        = number
  description = "Seconds a stopping task has to finish its requests (the longest request the service allows): the target group's deregistration delay, and with a margin to reap the workers, the container's stop timeout (Fargate's 120 at most)."
}

variable "load_balanced" {
  type        = bool
  description = "Whether the service has a route on the load balancer (route is not null), known when the plan starts: what is made for the route depends on it."
  default     = false
}

variable "route" {
  type = object({
    listener_arn      = string
    security_group_id = string
    host              = string
    paths             = list(string)
    priority          = number
    strip             = optional(string)
  })
  description = "Where the load balancer sends the service's requests (spec: services[].ingress): its HTTPS listener and security group, the host and paths of the listener rule, the rule's priority, and the prefix it takes off the path (spec: ingress.stripPrefix), if any; null for a service without an ingress."
  default     = null
}
