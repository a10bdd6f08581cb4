# Where the platform root keeps its state: every other value comes from there, so this root's
# values never differ between environments (its terraform.tfvars serves every workspace).

variable "state_bucket" {
  type        = string
  description = "The state bucket (spec: platform.aws.state.bucket)."
}

variable "region" {
  type        = string
  description = "The state bucket's region (spec: platform.aws.region)."
}

variable "platform_state_key" {
  type        = string
  description = "The platform root's state key, as its `terraform init -backend-config=key=...` names it."
}

# The AWS Load Balancer Controller 3.5 (chart 3.5.0, app v3.5.0, its newest in November 2026).
# Its IAM policy (../load-balancer-controller-policy.json) is this release's
# docs/install/iam_policy.json: a new version brings that file's new one.
variable "load_balancer_controller_chart_version" {
  type        = string
  description = "The AWS Load Balancer Controller's chart (https://aws.github.io/eks-charts), pinned."
  default     = "3.5.0"
}

# ExternalDNS 0.21 (chart 1.21.1, its newest chart in November 2026).
# The Gateway API's CRDs (standard channel), where a service routes through an HTTPRoute: the
# release of Envoy Gateway's CRD chart whose Gateway API version (v1.6.1 in v1.9) is the one
# the load balancer controller is built for (v1.6); the same pin as the AKS path's Envoy
# Gateway. A new version here upgrades the CRDs with the next apply (main.tf).
variable "gateway_api_crds_chart_version" {
  type        = string
  description = "Envoy Gateway's gateway-crds-helm chart (oci://docker.io/envoyproxy), pinned; rendered for its Gateway API CRDs alone."
  default     = "v1.9.3"
}

variable "external_dns_chart_version" {
  type        = string
  description = "ExternalDNS's chart (https://kubernetes-sigs.github.io/external-dns/), pinned."
  default     = "1.21.1"
}

# Cluster Autoscaler: chart 9.59.0 (github.com/kubernetes/autoscaler, tag
# cluster-autoscaler-chart-9.59.0, July 2026), and its image for each Kubernetes minor EKS
# supports (the project's newest patch of each as of August 2026: cluster-autoscaler-1.34.5,
# -1.35.2, -1.36.1). The release of a minor must match the cluster's.
variable "cluster_autoscaler_chart_version" {
  type        = string
  description = "Cluster Autoscaler's chart (https://kubernetes.github.io/autoscaler), pinned."
  default     = "9.59.0"
}

variable "cluster_autoscaler_images" {
  type        = map(string)
  description = "Cluster Autoscaler's image tag (registry.k8s.io/autoscaling/cluster-autoscaler) for each Kubernetes minor."
  default = {
    "1.34" = "v1.34.5"
    "1.35" = "v1.35.2"
    "1.36" = "v1.36.1"
  }
}

# Alertmanager's relay (kube-prometheus-stack in the cluster, with alert addresses): the
# pipeline's, which the terraform workflow parses from the GitHub secret MAIL_CONNECTION and
# hands this root (TF_VAR_alertmanager_smtp, TF_VAR_alertmanager_smtp_password), with the
# variable MAIL_FROM (TF_VAR_alertmanager_mail_from). The password is ephemeral: written to
# the cluster's Secret monitoring/alertmanager-smtp, never to this root's state or plan.
variable "alertmanager_smtp" {
  type = object({
    smarthost   = string
    username    = string
    require_tls = bool
  })
  description = "The SMTP relay Alertmanager mails alerts through (host:port, user, STARTTLS or TLS required), from MAIL_CONNECTION; null without one."
  default     = null
}

variable "alertmanager_smtp_password" {
  type        = string
  description = "The relay's password, from MAIL_CONNECTION (percent-decoded)."
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "alertmanager_mail_from" {
  type        = string
  description = "The sender of Alertmanager's mails (GitHub variable MAIL_FROM)."
  default     = null
}
