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
          enableContainerLogV2   = var.container_logs
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
  # The containers' lines, unless Loki keeps them (var.container_logs).
  streams = concat(var.container_logs ? ["Microsoft-ContainerLogV2"] : [], ["Microsoft-KubeEvents", "Microsoft-KubePodInventory"])

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
  count = var.managed_prometheus ? 1 : 0

  name                = "${local.prometheus_name}-prom"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_monitor_data_collection_endpoint" "prometheus" {
  count = var.managed_prometheus ? 1 : 0

  name                = "${local.prometheus_name}-prom"
  resource_group_name = var.resource_group_name
  location            = var.location
  kind                = "Linux"
  description         = "Managed Prometheus' ingestion for the cluster ${var.name}"
  tags                = var.tags
}

resource "azurerm_monitor_data_collection_rule" "prometheus" {
  count = var.managed_prometheus ? 1 : 0

  name                        = "MSProm-${substr(var.name, 0, 57)}"
  resource_group_name         = var.resource_group_name
  location                    = var.location
  kind                        = "Linux"
  data_collection_endpoint_id = azurerm_monitor_data_collection_endpoint.prometheus[0].id
  description                 = "Managed Prometheus for the cluster ${var.name}"
  tags                        = var.tags

  destinations {
    monitor_account {
      name               = "prometheus"
      monitor_account_id = azurerm_monitor_workspace.this[0].id
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
  count = var.managed_prometheus ? 1 : 0

  name                    = "MSProm-${substr(var.name, 0, 57)}"
  target_resource_id      = var.cluster_id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.prometheus[0].id
  description             = "Managed Prometheus' data collection: removing it stops the cluster's metrics and its Prometheus alerts."
}
