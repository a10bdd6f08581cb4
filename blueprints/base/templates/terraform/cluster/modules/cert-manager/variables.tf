variable "namespace" {
  type        = string
  description = "The namespace cert-manager runs in."
  default     = "cert-manager"
}

variable "ingress_class_name" {
  type        = string
  description = "The IngressClass that serves the HTTP-01 challenge of the Ingresses' certificates (ClusterIssuer <issuer_name>), or null without ingress-nginx."
  default     = null
}

variable "issuer_name" {
  type        = string
  description = "The ClusterIssuer's name, which each service's Ingress names (chart value ingress.tls.clusterIssuer)."
  default     = "letsencrypt"
}

variable "acme_server" {
  type        = string
  description = "The ACME directory: Let's Encrypt's production one (its staging one, https://acme-staging-v02.api.letsencrypt.org/directory, for trials: its certificates are not trusted)."
  default     = "https://acme-v02.api.letsencrypt.org/directory"
}

# cert-manager 1.21 (v1.21.2, its newest patch in November 2026) is the newest release line: its
# supported-releases table (cert-manager.io/docs/releases, "Currently supported releases")
# lists Kubernetes 1.33 to 1.36, and it is supported until cert-manager 1.23 is released. No
# cert-manager release lists 1.37 yet. 1.18 (the previous pin) reached its end of life with 1.20
# and was supported on 1.29 to 1.33 only.
variable "chart_version" {
  type        = string
  description = "The cert-manager chart of jetstack, pinned; move it on deliberately, after reading its upgrade notes (cert-manager.io/docs/releases/upgrading)."
  default     = "v1.21.2"
}

variable "raw_chart_version" {
  type        = string
  description = "The raw chart of bedag/helm-charts, pinned (2.0.1, as modules/snapshots)."
  default     = "2.0.1"
}

variable "gateway" {
  type = object({
    name      = string
    namespace = string
  })
  description = "The Gateway whose listeners get certificates (ClusterIssuer <issuer_name>-gateway), or null."
  default     = null
}

variable "managed_prometheus" {
  type        = bool
  description = "Whether Azure Monitor's managed Prometheus scrapes the controller (a PodMonitor of its own kind); else kube-prometheus-stack does (modules/observability)."
  default     = true
}
