# What the cluster reports, and who hears of it: Container Insights' data collection rule and
# its association (without them the monitoring agent runs and sends nothing), the control
# plane's logs, a handful of metric alerts on AKS's platform metrics (the nodes), and Azure
# Monitor managed service for Prometheus with alerts on what the services' users feel:
# containers restarting, pods not ready, rollouts that stall, certificates that fail to renew.

# Container Insights' "Logs and events" preset, the cheapest that answers "why did this pod
# restart": container logs (ContainerLogV2), Kubernetes events, and the pods' inventory, every
# minute, in every namespace. Node and container performance counters are left out: the
# platform metrics below, free, cover the nodes.
resource "azurerm_monitor_data_collection_rule" "container_insights" {
  name                = "msci-${substr(var.name, 0, 59)}"
  resource_group_name = var.resource_group_name
  location            = var.location
  description         = "Container Insights for the cluster ${var.name}"
  tags                = var.tags

  destinations {
    log_analytics {
      name                  = "workspace"
      workspace_resource_id = var.workspace_id
    }
  }

  data_flow {
    streams      = local.streams
    destinations = ["workspace"]
  }

  data_sources {
    extension {
      name           = "ContainerInsightsExtension"
      extension_name = "ContainerInsights"
      streams        = local.streams
      extension_json = jsonencode({
        dataCollectionSettings = {
          interval               = "1m"
          namespaceFilteringMode = "Off"
          enableContainerLogV2   = true
        }
      })
    }
  }
}

# The name the Azure portal and the CLI give it: the agent looks the rule up through it.
resource "azurerm_monitor_data_collection_rule_association" "container_insights" {
  name                    = "ContainerInsightsExtension"
  target_resource_id      = var.cluster_id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.container_insights.id
  description             = "Container Insights' data collection: removing it stops the cluster's logs."
}

# The control plane's own logs: who changed what (kube-audit-admin, the audit log without its
# reads, a tenth of its volume), who signed in through Entra ID (guard), and why the
# autoscaler did or did not add a node.
resource "azurerm_monitor_diagnostic_setting" "control_plane" {
  name                           = "control-plane"
  target_resource_id             = var.cluster_id
  log_analytics_workspace_id     = var.workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category = "kube-audit-admin"
  }
  enabled_log {
    category = "guard"
  }
  enabled_log {
    category = "cluster-autoscaler"
  }
}

# Who hears of an alert: the spec's addresses (platform.azure.monitoring.alertEmails). Without
# any, the alerts fire in the portal only.
resource "azurerm_monitor_action_group" "this" {
  count = length(var.alert_emails) > 0 ? 1 : 0

  name                = "${var.name}-alerts"
  resource_group_name = var.resource_group_name
  short_name          = substr(var.name, 0, 12)
  tags                = var.tags

  dynamic "email_receiver" {
    for_each = var.alert_emails
    content {
      name                    = "email-${email_receiver.key}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# AKS's platform metrics (no agent): each node running out of CPU, memory or disk (one time
# series per node, so that one busy node is seen, not the cluster's average), and pods that no
# node can take for longer than a scale-up lasts. Failed pods are Container Insights' to show
# (KubePodInventory): an evicted pod keeps the Failed phase for days, and an alert on it
# would never resolve.
resource "azurerm_monitor_metric_alert" "this" {
  for_each = local.alerts

  name                = "${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  scopes              = [var.cluster_id]
  description         = each.value.description
  severity            = 2
  frequency           = "PT5M"
  window_size         = each.value.window
  tags                = var.tags

  criteria {
    metric_namespace = "Microsoft.ContainerService/managedClusters"
    metric_name      = each.value.metric
    aggregation      = "Average"
    operator         = each.value.operator
    threshold        = each.value.threshold

    dynamic "dimension" {
      for_each = each.value.dimension == null ? [] : [each.value.dimension]
      content {
        name     = dimension.value.name
        operator = "Include"
        values   = dimension.value.values
      }
    }
  }

  dynamic "action" {
    for_each = azurerm_monitor_action_group.this
    content {
      action_group_id = action.value.id
    }
  }
}

locals {
  streams = ["Microsoft-ContainerLogV2", "Microsoft-KubeEvents", "Microsoft-KubePodInventory"]

  # Each node's CPU, working-set memory and OS disk above 80% for 15 minutes: one time series
  # per node.
  node_alerts = {
    node-cpu = {
      metric      = "node_cpu_usage_percentage"
      description = "A node's CPU has been above 80% for 15 minutes: the pool needs more or larger nodes, or a pod its limits."
    }
    node-memory = {
      metric      = "node_memory_working_set_percentage"
      description = "A node's working-set memory has been above 80% for 15 minutes: pods there are close to eviction."
    }
    node-disk = {
      metric      = "node_disk_usage_percentage"
      description = "A node's OS disk has been above 80% for 15 minutes: the kubelet evicts pods when it fills."
    }
  }

  alerts = merge(
    {
      for name, alert in local.node_alerts : name => merge(alert, {
        operator  = "GreaterThan"
        threshold = 80
        window    = "PT15M"
        dimension = { name = "node", values = ["*"] }
      })
    },
    {
      pods-unschedulable = {
        metric      = "cluster_autoscaler_unschedulable_pods_count"
        description = "Pods have waited for a node for most of 30 minutes: the autoscaler is at the pool's maxCount, or no node fits them."
        operator    = "GreaterThanOrEqual"
        threshold   = 1
        window      = "PT30M"
        dimension   = null
      }
    },
  )
}

# Azure Monitor managed service for Prometheus, as Microsoft's Terraform for it sets it up
# (learn.microsoft.com, "Enable Prometheus and Grafana", Terraform; Azure/prometheus-collector's
# AddonTerraformTemplate): an Azure Monitor workspace that keeps the metrics (18 months), a
# data collection endpoint and rule that forward what the cluster's metrics add-on
# (`monitor_metrics` in modules/aks) scrapes, and the rule's association with the cluster, without which the add-on runs and sends nothing. The add-on keeps its minimal
# ingestion profile: the default targets (kubelet, cAdvisor, kube-state-metrics, node
# exporter) reduced to the series Microsoft's dashboards and recording rules use, which
# every rule below reads, and, from cert-manager, the three series its PodMonitor
# (terraform/cluster/modules/cert-manager) keeps. Names: letters, digits and hyphens, at most
# 44 characters (a data collection endpoint's limit).
resource "azurerm_monitor_workspace" "this" {
  name                = "${local.prometheus_name}-prom"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_monitor_data_collection_endpoint" "prometheus" {
  name                = "${local.prometheus_name}-prom"
  resource_group_name = var.resource_group_name
  location            = var.location
  kind                = "Linux"
  description         = "Managed Prometheus' ingestion for the cluster ${var.name}"
  tags                = var.tags
}

resource "azurerm_monitor_data_collection_rule" "prometheus" {
  name                        = "MSProm-${substr(var.name, 0, 57)}"
  resource_group_name         = var.resource_group_name
  location                    = var.location
  kind                        = "Linux"
  data_collection_endpoint_id = azurerm_monitor_data_collection_endpoint.prometheus.id
  description                 = "Managed Prometheus for the cluster ${var.name}"
  tags                        = var.tags

  destinations {
    monitor_account {
      name               = "prometheus"
      monitor_account_id = azurerm_monitor_workspace.this.id
    }
  }

  data_flow {
    streams      = ["Microsoft-PrometheusMetrics"]
    destinations = ["prometheus"]
  }

  data_sources {
    prometheus_forwarder {
      name    = "PrometheusDataSource"
      streams = ["Microsoft-PrometheusMetrics"]
    }
  }
}

resource "azurerm_monitor_data_collection_rule_association" "prometheus" {
  name                    = "MSProm-${substr(var.name, 0, 57)}"
  target_resource_id      = var.cluster_id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.prometheus.id
  description             = "Managed Prometheus' data collection: removing it stops the cluster's metrics and its Prometheus alerts."
}

# The services' alerts, evaluated every minute over this cluster's series alone
# (`cluster_name`) in the services' namespaces alone, and sent to the action group above.
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
  count = length(var.namespaces) > 0 ? 1 : 0

  name                = "${var.name}-services"
  resource_group_name = var.resource_group_name
  location            = var.location
  cluster_name        = var.name
  description         = "What the services' users feel: restarts, pods not ready, stalled rollouts."
  rule_group_enabled  = true
  interval            = "PT1M"
  scopes              = [azurerm_monitor_workspace.this.id, var.cluster_id]
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
  count = var.certificates && length(var.certificate_namespaces) > 0 ? 1 : 0

  name                = "${var.name}-certificates"
  resource_group_name = var.resource_group_name
  location            = var.location
  cluster_name        = var.name
  description         = "Certificates cert-manager failed to issue or renew."
  rule_group_enabled  = true
  interval            = "PT1M"
  scopes              = [azurerm_monitor_workspace.this.id, var.cluster_id]
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

locals {
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
