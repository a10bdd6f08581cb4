# The Prometheus alert rules of the workspace in main.tf, in a file of their own: their rule
# blocks take an argument called `for` (how long a condition holds before the alert fires),
# which Terraform reads as any other name and checkov's HCL parser (python-hcl2) refuses as
# the keyword of a for expression, skipping the whole file it is in. Here, that file is this
# one alone: main.tf is read by checkov, this one by trivy, terraform fmt and HashiCorp's
# parser.

# The services' alerts, evaluated every minute over this cluster's series alone
# (`cluster_name`) in the services' namespaces alone, and sent to main.tf's action group.
# Each resolves by itself 10 minutes after its condition ends. Thresholds and windows, the
# defaults of a service that must stay up (terraform/README.md says them too):
#   container-restarts   a container restarted 3 times or more in 15 minutes, for 5 minutes
#                        (a crash loop reaches that in about 5 minutes; one OOM kill does not)
#   pods-not-ready       a Deployment has had fewer ready pods than it wants for 15 minutes
#                        (a pod Pending, crash-looping or failing its readiness probe; longer
#                        than a node the autoscaler adds takes to join)
#   rollout-stalled      a Deployment's new pods have not all been created for 15 minutes
#                        and their count has not moved in that time: a rollout that failed
#                        (GitOps leaves it so; Helm's --atomic rolls it back first)
# Only series of the minimal ingestion profile: kube_pod_container_status_restarts_total,
# kube_deployment_spec_replicas, kube_deployment_status_replicas_ready and _updated (the
# profile drops kube_pod_status_ready, the generations and kube_deployment_status_condition).
resource "azurerm_monitor_alert_prometheus_rule_group" "services" {
  count = var.managed_prometheus && length(var.namespaces) > 0 ? 1 : 0

  name                = "${var.name}-services"
  resource_group_name = var.resource_group_name
  location            = var.location
  cluster_name        = var.name
  description         = "What the services' users feel: restarts, pods not ready, stalled rollouts."
  rule_group_enabled  = true
  interval            = "PT1M"
  scopes              = [azurerm_monitor_workspace.this[0].id, var.cluster_id]
  tags                = var.tags

  dynamic "rule" {
    for_each = local.service_alerts
    content {
      alert      = rule.key
      enabled    = true
      expression = rule.value.expression
      for        = rule.value.for
      severity   = rule.value.severity
      annotations = {
        description = rule.value.description
      }

      dynamic "action" {
        for_each = azurerm_monitor_action_group.this
        content {
          action_group_id = action.value.id
        }
      }

      alert_resolution {
        auto_resolved   = true
        time_to_resolve = "PT10M"
      }
    }
  }

  # The rule reads what the association sends.
  depends_on = [azurerm_monitor_data_collection_rule_association.prometheus]
}

# Certificates cert-manager issues, when a host is served over TLS: one not ready for an hour
# (the first issuance or a renewal failed, and HTTPS serves no valid certificate), or a
# renewal more than a day overdue (cert-manager renews a third of the lifetime before the
# end, 30 days for Let's Encrypt's 90-day certificates, and retries with a back-off of up to
# 32 hours), or fewer than 7 days left whatever the reason. In the services' namespaces (an
# Ingress' certificate) and the Gateway's (its listeners').
resource "azurerm_monitor_alert_prometheus_rule_group" "certificates" {
  count = var.managed_prometheus && var.certificates && length(var.certificate_namespaces) > 0 ? 1 : 0

  name                = "${var.name}-certificates"
  resource_group_name = var.resource_group_name
  location            = var.location
  cluster_name        = var.name
  description         = "Certificates cert-manager failed to issue or renew."
  rule_group_enabled  = true
  interval            = "PT1M"
  scopes              = [azurerm_monitor_workspace.this[0].id, var.cluster_id]
  tags                = var.tags

  dynamic "rule" {
    for_each = local.certificate_alerts
    content {
      alert      = rule.key
      enabled    = true
      expression = rule.value.expression
      for        = rule.value.for
      severity   = rule.value.severity
      annotations = {
        description = rule.value.description
      }

      dynamic "action" {
        for_each = azurerm_monitor_action_group.this
        content {
          action_group_id = action.value.id
        }
      }

      alert_resolution {
        auto_resolved   = true
        time_to_resolve = "PT10M"
      }
    }
  }

  depends_on = [azurerm_monitor_data_collection_rule_association.prometheus]
}

# The services' SLO rules (monitoring/rules.yaml, which promtool checks and tests as gen
# renders it): a rule group per group of the file, the indicators' recording rules and the
# burn-rate alerts of the services a comment before each group names, evaluated every minute over this cluster's series alone. An
# alert's severity label gives Azure's severity (critical: 0, a page; warning: 2, a ticket)
# in the environment that pages (slo_pages: the last in promotion order); elsewhere every
# alert is a ticket. Each goes to main.tf's action group, as the alerts above do.
resource "azurerm_monitor_alert_prometheus_rule_group" "slo" {
  for_each = var.managed_prometheus ? local.slo_groups : {}

  name                = "${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location
  cluster_name        = var.name
  description         = "SLO rules: the group ${each.key} of monitoring/rules.yaml."
  rule_group_enabled  = true
  interval            = "PT${upper(each.value.interval)}"
  scopes              = [azurerm_monitor_workspace.this[0].id, var.cluster_id]
  tags                = var.tags

  dynamic "rule" {
    for_each = each.value.rules
    content {
      record      = try(rule.value.record, null)
      alert       = try(rule.value.alert, null)
      enabled     = true
      expression  = rule.value.expr
      for         = can(rule.value.alert) ? "PT${upper(rule.value.for)}" : null
      severity    = can(rule.value.alert) ? (var.slo_pages ? lookup(local.severities, rule.value.labels.severity, 2) : 2) : null
      labels      = try(rule.value.labels, null)
      annotations = try(rule.value.annotations, null)

      dynamic "action" {
        for_each = [for group in azurerm_monitor_action_group.this : group.id if can(rule.value.alert)]
        content {
          action_group_id = action.value
        }
      }

      dynamic "alert_resolution" {
        for_each = can(rule.value.alert) ? [10] : []
        content {
          auto_resolved   = true
          time_to_resolve = "PT${alert_resolution.value}M"
        }
      }
    }
  }

  depends_on = [azurerm_monitor_data_collection_rule_association.prometheus]
}

locals {
  # Every group of the rules file, by its name (`<service>-slo-…`, unique).
  slo_groups = { for group in var.slo_rules.groups : group.name => group }
  # Prometheus' severity label as Azure's alert severity (0 critical … 4 verbose).
  severities = { critical = 0, warning = 2, info = 3 }

  # The cluster's name as an Azure Monitor workspace and a data collection endpoint take it.
  prometheus_name = substr(replace(var.name, "_", "-"), 0, 39)

  # Namespace names are DNS labels: no character of a regular expression but `-`.
  namespaces              = join("|", sort(var.namespaces))
  certificate_namespaces  = join("|", sort(var.certificate_namespaces))
  kube_state              = "job=\"kube-state-metrics\", namespace=~\"${local.namespaces}\""
  certificate_in_projects = "namespace=~\"${local.certificate_namespaces}\""

  service_alerts = {
    container-restarts = {
      expression  = "sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${local.kube_state}}[15m])) >= 3"
      for         = "PT5M"
      severity    = 2
      description = "A container restarted 3 times or more in 15 minutes (crash loop, OOM kill or failing liveness probe): kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }}, then kubectl logs --previous."
    }
    pods-not-ready = {
      expression  = "max by (namespace, deployment) (kube_deployment_spec_replicas{${local.kube_state}}) > max by (namespace, deployment) (kube_deployment_status_replicas_ready{${local.kube_state}})"
      for         = "PT15M"
      severity    = 1
      description = "The Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had fewer ready pods than it wants for 15 minutes: kubectl -n {{ $labels.namespace }} get pods, then describe the one not ready."
    }
    rollout-stalled = {
      expression  = "(max by (namespace, deployment) (kube_deployment_status_replicas_updated{${local.kube_state}}) < max by (namespace, deployment) (kube_deployment_spec_replicas{${local.kube_state}})) and (max by (namespace, deployment) (changes(kube_deployment_status_replicas_updated{${local.kube_state}}[15m])) == 0)"
      for         = "PT5M"
      severity    = 2
      description = "The rollout of {{ $labels.namespace }}/{{ $labels.deployment }} has stalled for 20 minutes: kubectl -n {{ $labels.namespace }} rollout status deployment/{{ $labels.deployment }}."
    }
  }

  # The certificates' alerts as a Prometheus rule group, for kube-prometheus-stack in the
  # cluster (terraform/cluster/modules/observability, through the `alerts` output): Azure's
  # severity as the label Alertmanager reads (0 and 1: critical, 2: warning), its period as a
  # duration. The workloads' (restarts, pods not ready, rollouts) are the stack's own rules
  # there, in every namespace, with the volumes' (filling up) and the daemon sets', jobs' and
  # HPAs' besides.
  prometheus_severities = { 0 = "critical", 1 = "critical", 2 = "warning", 3 = "info" }
  alert_groups = [
    for group in [
      { name = "gen-certificates", alerts = var.certificates && length(var.certificate_namespaces) > 0 ? local.certificate_alerts : {} },
      ] : {
      name     = group.name
      interval = "1m"
      rules = [
        for name, alert in group.alerts : {
          alert       = name
          expr        = alert.expression
          for         = lower(trimprefix(alert.for, "PT"))
          labels      = { severity = local.prometheus_severities[alert.severity] }
          annotations = { description = alert.description, runbook = alert.description }
        }
      ]
    } if length(group.alerts) > 0
  ]

  certificate_alerts = {
    certificate-not-ready = {
      expression  = "max by (namespace, name) (certmanager_certificate_ready_status{${local.certificate_in_projects}, condition=\"False\"}) == 1"
      for         = "PT1H"
      severity    = 1
      description = "The certificate {{ $labels.namespace }}/{{ $labels.name }} has not been ready for an hour: kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }} (then its CertificateRequest, Order and Challenge)."
    }
    certificate-renewal-failed = {
      expression  = "(time() - max by (namespace, name) (certmanager_certificate_renewal_timestamp_seconds{${local.certificate_in_projects}}) > 86400) or (max by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds{${local.certificate_in_projects}}) - time() < 604800)"
      for         = "PT5M"
      severity    = 1
      description = "The certificate {{ $labels.namespace }}/{{ $labels.name }} is more than a day past its renewal, or expires within 7 days: kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}."
    }
  }
}
