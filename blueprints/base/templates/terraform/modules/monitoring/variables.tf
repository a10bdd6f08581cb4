variable "name" {
  type        = string
  description = "The cluster's name, which the rule, the action group and the alerts are named after."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group they go in."
}

variable "location" {
  type        = string
  description = "The Azure region of the data collection rule."
}

variable "cluster_id" {
  type        = string
  description = "The cluster's resource id."
}

variable "workspace_id" {
  type        = string
  description = "The Log Analytics workspace the logs go to."
}

variable "alert_emails" {
  type        = list(string)
  description = "The addresses the alerts are sent to; none: the alerts fire in the portal only."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
}

variable "namespaces" {
  type        = list(string)
  description = "The services' namespaces, which the Prometheus alerts on restarts, pods not ready and stalled rollouts watch."
}

variable "certificates" {
  type        = bool
  description = "Whether cert-manager issues certificates (a host served over TLS): the certificate alerts, then."
  default     = false
}

variable "certificate_namespaces" {
  type        = list(string)
  description = "The namespaces of those certificates: the services' (an Ingress') and the Gateway's (its listeners')."
  default     = []
}

variable "slo_rules" {
  type        = any
  description = "The services' SLO rules: a Prometheus rules file (groups of recording and alerting rules) as yamldecode reads it."
  default     = { groups = [] }
}

variable "slo_pages" {
  type        = bool
  description = "Whether the SLO rules' critical alerts page (Azure severity 0) here, or open tickets (severity 2) as in an environment before production."
  default     = true
}

variable "managed_prometheus" {
  type        = bool
  description = "Whether Azure Monitor's managed Prometheus collects the cluster's metrics and evaluates the alerts (spec: observability.metrics.stack managed); else kube-prometheus-stack in the cluster evaluates them (the `alerts` output), and Alertmanager mails alert_emails."
  default     = true
}

variable "container_logs" {
  type        = bool
  description = "Whether Container Insights keeps the containers' lines (spec: observability.logs.stack cloud); else Loki in the cluster keeps them, and Container Insights the events and the pods' inventory alone."
  default     = true
}
