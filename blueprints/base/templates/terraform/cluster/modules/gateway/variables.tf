variable "name" {
  type        = string
  description = "The name of the Gateway of the catch-all `http` listener (spec: platform.azure.ingress.gateway.name); each routed host's Gateway is named after the host."
}

variable "namespace" {
  type        = string
  description = "The Gateway's namespace, where its certificates are kept (spec: platform.azure.ingress.gateway.namespace)."
}

variable "controller_namespace" {
  type        = string
  description = "The namespace of Envoy Gateway and its proxies, which the services' NetworkPolicies admit (spec: platform.azure.ingress.namespace)."
}

variable "route_namespaces" {
  type        = list(string)
  description = "The namespaces whose HTTPRoutes may attach (the services')."
}

variable "tls_hosts" {
  type        = list(string)
  description = "The routed hosts served over HTTPS, one listener and one certificate each."
}

variable "plain_hosts" {
  type        = list(string)
  description = "The routed hosts a service serves over plain HTTP (tls: false), one port-80 listener each."
  default     = []
  nullable    = false
}

variable "issuer_name" {
  type        = string
  description = "The ClusterIssuer that issues the listeners' certificates."
}

variable "public_ip_name" {
  type        = string
  description = "The static public IP (the platform root's) the proxies' load balancer answers on."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of that IP (the edge's IPs alone)."
}

variable "proxy_replicas" {
  type        = number
  description = "How many Envoy proxies serve the Gateway: at least 2, so that a node drain never stops them all (a budget keeps one running)."
  default     = 2
  nullable    = false

  validation {
    condition     = var.proxy_replicas >= 2 && floor(var.proxy_replicas) == var.proxy_replicas
    error_message = "proxy_replicas: a whole number, at least 2 (the budget keeps one proxy running through a drain; with one, a drain would stop all ingress or be blocked)."
  }
}

variable "raw_chart_version" {
  type        = string
  description = "The raw chart of bedag/helm-charts, pinned (2.0.1, as modules/snapshots)."
  default     = "2.0.1"
}
