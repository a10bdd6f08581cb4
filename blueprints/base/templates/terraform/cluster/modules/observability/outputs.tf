output "grafana" {
  description = "How to reach Grafana: its Service, and the Secret holding its admin password (key admin-password); null without kube-prometheus-stack."
  value = var.metrics ? {
    service         = "${var.namespace}/kube-prometheus-stack-grafana"
    password_secret = "${var.namespace}/kube-prometheus-stack-grafana"
  } : null
}
