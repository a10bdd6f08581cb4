variable "name" {
  type        = string
  description = "The Gateway's name (spec: platform.aws.ingress.gateway.name)."
}

variable "namespace" {
  type        = string
  description = "The Gateway's namespace, created here (spec: platform.aws.ingress.gateway.namespace)."
}

variable "route_namespaces" {
  type        = list(string)
  description = "The namespaces whose HTTPRoutes may attach (the services')."
}

variable "tls_hosts" {
  type        = list(string)
  description = "The routed hosts served over HTTPS: each is redirected from HTTP."
}

variable "certificates" {
  type        = list(string)
  description = "The ACM certificates of tls_hosts, in the same order (the platform root's)."
}

variable "backends" {
  type = list(object({
    service       = string
    namespace     = string
    health_path   = string
    drain_seconds = number
  }))
  description = "The routed services: each one's target group is checked at its readiness path and drains a stopping pod for its longest request."
}

variable "subnets" {
  type        = list(string)
  description = "The public subnets of an existing VPC the load balancer goes in; null where the controller finds the subnets gen's VPC tags."
  default     = null
}

variable "raw_chart_version" {
  type        = string
  description = "The raw chart of bedag/helm-charts, pinned (2.0.1, as on AKS)."
  default     = "2.0.1"
}
