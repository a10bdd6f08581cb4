# Where the platform root keeps its state: every other value comes from there, so this root's
# values never differ between environments (its terraform.tfvars serves every workspace).

variable "state_resource_group_name" {
  type        = string
  description = "The resource group of the state storage account (spec: platform.terraformState.resourceGroup)."
}

variable "state_storage_account_name" {
  type        = string
  description = "The state storage account (spec: platform.terraformState.storageAccount)."
}

variable "state_container_name" {
  type        = string
  description = "The state container (spec: platform.terraformState.container)."
}

variable "platform_state_key" {
  type        = string
  description = "The platform root's state key, as its `terraform init -backend-config=key=...` names it."
}

# Envoy Gateway 1.9 (v1.9.3, its newest patch in November 2026): its compatibility matrix
# (gateway.envoyproxy.io/news/releases/matrix) lists Kubernetes 1.33 to 1.36 and an end of life
# on 14 February 2027; 1.8 (the previous pin) lists 1.32 to 1.35 and reached its end of life on
# 8 November 2026. No Envoy Gateway release lists Kubernetes 1.37 yet. Moving it on: the
# Gateway API and Envoy Gateway CRDs first (terraform/README.md, "Upgrading Envoy Gateway"),
# then this.
variable "envoy_gateway_chart_version" {
  type        = string
  description = "Envoy Gateway's gateway-helm chart (oci://docker.io/envoyproxy), pinned; it brings the Gateway API CRDs. Installed when a service routes through an HTTPRoute."
  default     = "v1.9.3"
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
