variable "namespace" {
  type        = string
  description = "The namespace the stacks run in (exempt from the Pod Security Standard: the node exporter and Fluent Bit read the nodes)."
  default     = "monitoring"
}

variable "metrics" {
  type        = bool
  description = "Whether kube-prometheus-stack runs here (the spec's observability.metrics.stack)."
}

variable "logs" {
  type        = bool
  description = "Whether Fluent Bit and Loki run here (the spec's observability.logs.stack)."
}

variable "kube_prometheus_stack_values" {
  type        = string
  description = "kube-prometheus-stack's values as gen renders them (stack/kube-prometheus-stack.yaml): retention, volume, what Prometheus selects; the cloud's storage class and Alertmanager's receivers are added here."
  default     = null
}

variable "loki_values" {
  type        = string
  description = "Loki's values as gen renders them (stack/loki.yaml)."
  default     = null
}

variable "fluent_bit_values" {
  type        = string
  description = "Fluent Bit's values as gen renders them (stack/fluent-bit.yaml)."
  default     = null
}

variable "storage_class" {
  type        = string
  description = "The StorageClass of Prometheus' and Loki's volumes: a block-device class of the cloud's (AKS' Azure Disk CSI managed-csi, EKS' gp3)."
  default     = "managed-csi"
}

variable "alert_emails" {
  type        = list(string)
  description = "Who Alertmanager mails every alert to: the platform's alert addresses (spec: platform.<cloud>.monitoring.alertEmails, else pipeline.notify.email)."
}

variable "smtp" {
  type = object({
    smarthost   = string
    username    = string
    require_tls = bool
  })
  description = "The SMTP relay Alertmanager sends through, as the pipeline's notices do (the GitHub secret MAIL_CONNECTION, which the terraform workflow parses): host:port, user, and whether STARTTLS (or TLS from the start) is required; null without one."
  default     = null
}

variable "sns" {
  type = object({
    region              = string
    heartbeat_topic_arn = string
    alerts_topic_arn    = string
  })
  description = "On EKS, the platform root's topics (with the role Alertmanager's pods assume through EKS Pod Identity): Alertmanager publishes the stack's Watchdog to the heartbeat's every 5 minutes, which a CloudWatch alarm mails the alert addresses about when it stops, and a failing mail to the alerts' (mailed by SNS, not the relay); null elsewhere."
  default     = null
}

variable "smtp_password" {
  type        = string
  description = "The relay's password: written to the cluster only (a write-only attribute), never to Terraform's state or plan."
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "mail_from" {
  type        = string
  description = "The sender of Alertmanager's mails (GitHub variable MAIL_FROM)."
  default     = null
}

variable "rules" {
  type        = any
  description = "The platform's own alerts, as Prometheus rule groups: on AKS the certificates' (modules/monitoring's `alerts` output, which Azure Monitor evaluates on managed Prometheus); none on EKS."
  default     = []
}

variable "objects" {
  type        = list(string)
  description = "The services' PrometheusRule and Grafana dashboards, as the files monitoring/prometheusrule.yaml and monitoring/<service>/dashboard.yaml hold them."
  default     = []
}

variable "cert_manager" {
  type        = bool
  description = "Whether cert-manager issues certificates here: its controller is scraped (a PodMonitor) for the certificate alerts."
  default     = false
}

# The charts' pins (gen's src/platform/mod.rs pins the same for a local cluster's deploy
# script: a test holds them equal). Move them on deliberately, after reading each chart's
# upgrade notes.
variable "kube_prometheus_stack_chart_version" {
  type        = string
  description = "kube-prometheus-stack (prometheus-community), pinned."
  default     = "88.5.3"
}

variable "loki_chart_version" {
  type        = string
  description = "Loki (grafana-community: the OSS chart's home since March 2026), pinned."
  default     = "18.11.0"
}

variable "fluent_bit_chart_version" {
  type        = string
  description = "Fluent Bit (fluent), pinned."
  default     = "0.58.1"
}

variable "raw_chart_version" {
  type        = string
  description = "The raw chart of bedag/helm-charts, pinned (2.0.1, as modules/cert-manager)."
  default     = "2.0.1"
}
