# The values of an environment whose services run on ECS with Fargate.

variable "log_retention_days" {
  type        = number
  description = "Days each service's log group keeps its lines (spec: platform.aws.ecs.logRetentionDays)."
}

variable "access_log_days" {
  type        = number
  description = "Days the load balancer's access logs are kept."
  default     = 90
}

variable "idle_timeout_seconds" {
  type        = number
  description = "Seconds the load balancer keeps a connection with no byte sent: beyond the longest request a service allows, so that the service ends a request it does not allow, never the load balancer one it does."
  default     = 60
}

variable "first_tag" {
  type        = string
  description = "The tag of the image in the task definitions Terraform registers, which no release has: until the pipeline's first release, each service's tasks cannot start (README.md, \"Who registers the task definitions\")."
  default     = "0.0.0"
}

variable "services" {
  type = map(object({
    repository      = optional(string)
    docker_hub      = optional(string)
    port            = number
    cpu             = number
    memory          = number
    replicas        = number
    max_replicas    = number
    cpu_utilization = optional(number)
    user            = string
    writable_paths  = list(string)
    environment     = map(string)
    secret_names    = optional(list(string), [])
    health_command  = optional(list(string))
    readiness_path  = string
    startup_seconds = number
    stop_seconds    = number
    slo = optional(object({
      availability      = number
      latency           = number
      latency_threshold = number
    }))
    route = optional(object({
      host     = string
      paths    = list(string)
      priority = number
      strip    = optional(string)
    }))
  }))
  description = "The services, by name (spec: services): each one's ECR repository (a key of the shared root's repository_urls) or Docker Hub repository (NAMESPACE/NAME), port, task size (CPU units and MiB, a size Fargate offers), fewest and most tasks and CPU target, user, writable folders, environment and secrets, health paths and command, start and stop times, its objectives (availability and latency percentages, the latency's threshold in seconds; none: no alarm), and its route on the load balancer (host, paths and the listener rule's priority), if it has an ingress."
  validation {
    condition     = alltrue([for s in values(var.services) : s.replicas >= 1 && s.max_replicas >= s.replicas])
    error_message = "Each service runs one task at least, and its most tasks are at least its fewest."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : (s.repository == null) != (s.docker_hub == null)])
    error_message = "Each service's image is in one registry: an ECR repository (repository) or Docker Hub's (docker_hub)."
  }
}

variable "burn_rates" {
  type = list(object({
    alert  = string
    factor = number
    long   = number
    short  = number
    least  = number
  }))
  description = "The SLO alerts' burn rates (gen's, as its Prometheus rules read them): each one's alert (fast: a page; slow: a ticket), factor of the error budget, long and short windows in seconds, and the bad requests its long window needs at least."
  default     = []
}

variable "alert_emails" {
  type        = list(string)
  description = "The addresses the SLO alarms mail; none: they are seen in CloudWatch alone (spec: platform.aws.monitoring.alertEmails, else pipeline.notify.email)."
  default     = []
  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails are email addresses."
  }
}
