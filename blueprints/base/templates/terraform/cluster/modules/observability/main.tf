# The observability stacks the spec names for a cloud cluster, AKS or EKS
# (observability.metrics.stack: kube-prometheus-stack; observability.logs.stack: loki),
# installed with the values gen renders for every cluster that runs them (stack/*.yaml, the
# same a local cluster's deploy script installs) and what only a cloud cluster needs beside
# them: the StorageClass of their volumes (the cloud's block devices), and Alertmanager
# mailing the platform's alert addresses through the pipeline's SMTP relay. Then what they
# read besides the stack's own rules: the platform's alerts (on AKS the certificates',
# modules/monitoring's, the same Azure Monitor evaluates on managed Prometheus), the
# services' SLO rules (monitoring/prometheusrule.yaml) and each one's Grafana dashboard
# (monitoring/<service>/), and cert-manager's controller where it runs.

locals {
  mails = var.metrics && length(var.alert_emails) > 0

  # Alertmanager's configuration (it replaces the chart's): every alert to the platform's
  # addresses, but the stack's Watchdog (an alert that always fires, to prove the pipeline
  # works), InfoInhibitor and the `info` alerts; a critical alert silences the warnings of the
  # same alert and namespace, and InfoInhibitor the info alerts of its namespace, as the
  # chart's own configuration does. Warnings (tickets) are mailed again each day, critical
  # alerts (pages) every 4 hours while they fire.
  # On EKS (var.sns) the Watchdog is a heartbeat: published to an SNS topic every 5 minutes,
  # whose silence a CloudWatch alarm outside the cluster mails (Prometheus, Alertmanager or
  # their path to AWS down); and a mail that fails is also published to the alerts' topic,
  # which SNS mails itself (the relay down, or its password rotated).
  heartbeat = var.sns != null && local.mails
  alertmanager = {
    global = local.mails ? {
      smtp_smarthost          = try(var.smtp.smarthost, null)
      smtp_from               = var.mail_from
      smtp_auth_username      = try(var.smtp.username, null)
      smtp_auth_password_file = "/etc/alertmanager/secrets/alertmanager-smtp/password"
      smtp_require_tls        = try(var.smtp.require_tls, true)
    } : null
    route = {
      receiver        = local.mails ? "email" : "null"
      group_by        = ["namespace", "alertname", "job"]
      group_wait      = "30s"
      group_interval  = "5m"
      repeat_interval = "4h"
      routes = concat(
        local.heartbeat ? [{
          receiver       = "heartbeat"
          matchers       = ["alertname = \"Watchdog\""]
          group_wait     = "0s"
          group_interval = "1m"
          # Sent again once more than this has passed, at a group's next minute: every 5.
          repeat_interval = "4m"
        }] : [],
        local.heartbeat ? [{
          receiver = "email-and-sns"
          matchers = ["alertname =~ \"AlertmanagerFailedToSendAlerts|AlertmanagerClusterFailedToSendAlerts\"", "integration = \"email\""]
        }] : [],
        [
          { receiver = "null", matchers = ["alertname = \"Watchdog\""] },
          { receiver = "null", matchers = ["alertname = \"InfoInhibitor\""] },
          { receiver = "null", matchers = ["severity = \"info\""] },
          { receiver = local.mails ? "email" : "null", matchers = ["severity = \"warning\""], repeat_interval = "24h" },
        ],
      )
    }
    inhibit_rules = [
      {
        source_matchers = ["severity = \"critical\""]
        target_matchers = ["severity =~ \"warning|info\""]
        equal           = ["namespace", "alertname"]
      },
      {
        source_matchers = ["severity = \"warning\""]
        target_matchers = ["severity = \"info\""]
        equal           = ["namespace", "alertname"]
      },
      {
        source_matchers = ["alertname = \"InfoInhibitor\""]
        target_matchers = ["severity = \"info\""]
        equal           = ["namespace"]
      },
      {
        target_matchers = ["alertname = \"InfoInhibitor\""]
      },
    ]
    receivers = concat(
      [{ name = "null" }],
      local.mails ? [{
        name          = "email"
        email_configs = [{ to = join(", ", var.alert_emails), send_resolved = true }]
      }] : [],
      local.heartbeat ? [{
        name = "heartbeat"
        sns_configs = [{
          topic_arn     = var.sns.heartbeat_topic_arn
          sigv4         = { region = var.sns.region }
          subject       = "Alertmanager's heartbeat"
          message       = "Alertmanager runs and reaches SNS."
          send_resolved = false
        }]
      }] : [],
      local.heartbeat ? [{
        name          = "email-and-sns"
        email_configs = [{ to = join(", ", var.alert_emails), send_resolved = true }]
        sns_configs = [{
          topic_arn = var.sns.alerts_topic_arn
          sigv4     = { region = var.sns.region }
          # SNS refuses a subject of 100 characters or more, which the default's would be.
          subject       = "Alertmanager fails to send alert mail"
          send_resolved = true
        }]
      }] : [],
    )
  }

  # What a cloud cluster adds to the rendered values. Prometheus' and Alertmanager's volumes
  # on the cloud's disks (Alertmanager's keeps its silences and notification log across
  # restarts). The
  # stack's own rules watch the workloads of every namespace (crash loops, pods not ready,
  # stalled rollouts, volumes filling up, jobs, daemon sets), the services' and the
  # platform's (the edge, the stacks, cert-manager); var.rules adds the platform's. The
  # control plane is the cloud's: no scheduler, controller manager or etcd to scrape (their
  # absence would fire the stack's alerts), and kube-proxy's metrics listen on the node's
  # loopback (AKS' and EKS' kube-proxy alike).
  kube_prometheus_stack_cloud = {
    prometheus = {
      prometheusSpec = {
        storageSpec = { volumeClaimTemplate = { spec = { storageClassName = var.storage_class } } }
      }
    }
    alertmanager = {
      config = local.alertmanager
      alertmanagerSpec = merge(
        {
          secrets = local.mails ? [kubernetes_secret_v1.smtp[0].metadata[0].name] : []
          storage = {
            volumeClaimTemplate = {
              spec = {
                storageClassName = var.storage_class
                accessModes      = ["ReadWriteOnce"]
                resources        = { requests = { storage = "1Gi" } }
              }
            }
          }
        },
        # EKS Pod Identity gives a pod its role's credentials when the pod is made: a pod made
        # before the role (an environment applied by an older gen) is made again.
        local.heartbeat ? { podMetadata = { annotations = { "gen.dev/sns-topics" = var.sns.heartbeat_topic_arn } } } : {},
      )
    }
  }
}

# The namespace, made here so that the relay's password is there before Alertmanager. The
# node exporter and Fluent Bit read the nodes (host network, PID and paths): privileged (on
# AKS also exempt from the Azure Policy Pod Security Standard: modules/aks'
# pod_security_exempt).
resource "kubernetes_namespace_v1" "this" {
  count = var.metrics || var.logs ? 1 : 0

  metadata {
    name = var.namespace
    labels = {
      "pod-security.kubernetes.io/enforce" = "privileged"
      "pod-security.kubernetes.io/warn"    = "privileged"
    }
  }
}

# The relay's password, as a file Alertmanager reads (`smtp_auth_password_file`): not in its
# configuration, which the chart keeps in a Secret of its own, and never in Terraform's state
# or plan (a write-only attribute, from an ephemeral variable), which a pull request's plan
# identity may read. A rotated password: `terraform apply -replace` this Secret (README,
# "Alerts").
resource "kubernetes_secret_v1" "smtp" {
  count = local.mails ? 1 : 0

  metadata {
    name      = "alertmanager-smtp"
    namespace = kubernetes_namespace_v1.this[0].metadata[0].name
  }
  data_wo          = { password = var.smtp_password }
  data_wo_revision = 1
}

resource "helm_release" "kube_prometheus_stack" {
  count            = var.metrics ? 1 : 0
  name             = "kube-prometheus-stack"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "kube-prometheus-stack"
  version          = var.kube_prometheus_stack_chart_version
  namespace        = kubernetes_namespace_v1.this[0].metadata[0].name
  create_namespace = false
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true

  values = [var.kube_prometheus_stack_values, yamlencode(local.kube_prometheus_stack_cloud)]

  lifecycle {
    precondition {
      condition     = !local.mails || (var.smtp != null && var.smtp_password != null && try(length(var.mail_from) > 0, false))
      error_message = "Alertmanager mails alert_emails through the pipeline's SMTP relay: set the GitHub secret MAIL_CONNECTION (the relay's smtp+starttls URL with its user, password, host and port 587) and the variable MAIL_FROM, which the terraform workflow hands this root (terraform/README.md, \"Alerts\")."
    }
  }
}

resource "helm_release" "loki" {
  count            = var.logs ? 1 : 0
  name             = "loki"
  repository       = "https://grafana-community.github.io/helm-charts"
  chart            = "loki"
  version          = var.loki_chart_version
  namespace        = kubernetes_namespace_v1.this[0].metadata[0].name
  create_namespace = false
  atomic           = true
  timeout          = 600 # seconds, as every release here
  wait             = true

  values = [
    var.loki_values,
    yamlencode({ singleBinary = { persistence = { storageClass = var.storage_class } } }),
  ]

  # Its ServiceMonitor is prometheus-operator's kind: the stack's CRDs first.
  depends_on = [helm_release.kube_prometheus_stack]
}

# Fluent Bit on every node, sending to Loki: installed after it, so that no line is sent to
# nothing.
resource "helm_release" "fluent_bit" {
  count            = var.logs ? 1 : 0
  name             = "fluent-bit"
  repository       = "https://fluent.github.io/helm-charts"
  chart            = "fluent-bit"
  version          = var.fluent_bit_chart_version
  namespace        = helm_release.loki[0].namespace
  create_namespace = false
  atomic           = true
  timeout          = 600 # seconds, as every release here
  wait             = true

  values = [var.fluent_bit_values]
}

# What Prometheus reads besides its own: the certificates' alerts, the services' SLO rules and
# dashboards, and cert-manager's controller. Custom objects: a Kubernetes manifest resource
# would need their CRDs at plan time, before the stack has installed them; a Helm release of
# the `raw` chart applies them at apply time, after it.
resource "helm_release" "watched" {
  count      = var.metrics ? 1 : 0
  name       = "gen-monitoring"
  repository = "https://bedag.github.io/helm-charts/"
  chart      = "raw"
  version    = var.raw_chart_version
  namespace  = helm_release.kube_prometheus_stack[0].namespace
  atomic     = true
  timeout    = 600 # seconds, as every release here
  wait       = true

  values = [yamlencode({
    resources = concat(
      [for object in var.objects : yamldecode(object)],
      length(var.rules) == 0 ? [] : [{
        apiVersion = "monitoring.coreos.com/v1"
        kind       = "PrometheusRule"
        metadata = {
          name      = "gen-platform"
          namespace = var.namespace
          labels    = { release = helm_release.kube_prometheus_stack[0].name }
        }
        spec = { groups = var.rules }
      }],
      var.cert_manager ? [{
        # cert-manager's controller, for the certificate alerts: only the series they read.
        apiVersion = "monitoring.coreos.com/v1"
        kind       = "PodMonitor"
        metadata = {
          name      = "cert-manager"
          namespace = "cert-manager"
          labels    = { release = helm_release.kube_prometheus_stack[0].name }
        }
        spec = {
          selector = {
            matchLabels = {
              "app.kubernetes.io/name"      = "cert-manager"
              "app.kubernetes.io/instance"  = "cert-manager"
              "app.kubernetes.io/component" = "controller"
            }
          }
          podMetricsEndpoints = [{
            port        = "http-metrics"
            honorLabels = true
            metricRelabelings = [{
              sourceLabels = ["__name__"]
              action       = "keep"
              regex        = "certmanager_certificate_(ready_status|expiration_timestamp_seconds|renewal_timestamp_seconds)"
            }]
          }]
        }
      }] : [],
    )
  })]
}
