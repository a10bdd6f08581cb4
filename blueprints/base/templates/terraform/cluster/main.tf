# What runs inside the cluster: the services' namespaces, Envoy Gateway and the Gateway on the
# platform's static IP (ingress-nginx too, when a service asks for an Ingress), cert-manager
# and its issuers, the observability stacks the spec names for AKS, Argo CD (GitOps) or the
# deploy identity's Role (Helm). (The volumes'
# backups are AKS Backup's, in the platform root.) Applied after the platform root
# (terraform/), in the workspace of the same environment; every value comes from that
# root's state.

# The services' namespaces, made here so that the deploy identity needs no right outside
# them; each enforces the restricted Pod Security Standard.
resource "kubernetes_namespace_v1" "service" {
  for_each = toset(local.platform.namespaces)

  metadata {
    name = each.value
    labels = {
      "pod-security.kubernetes.io/enforce"         = "restricted"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "restricted"
      "pod-security.kubernetes.io/audit"           = "restricted"
    }
  }
}

# ingress-nginx, only when a service asks for an Ingress (`route: ingress`): upstream stopped
# fixing it in March 2026, and the Gateway is the default route.
module "ingress_nginx" {
  source = "./modules/ingress-nginx"
  count  = local.platform.ingress_nginx ? 1 : 0

  namespace           = local.platform.ingress_namespace
  class_name          = local.platform.ingress_class_name
  public_ip_name      = local.platform.public_ip_name
  resource_group_name = local.platform.public_ip_group
}

# Certificates for every TLS host, issued and renewed with no hand step: Let's Encrypt's
# HTTP-01 challenge is answered on the Gateway's `http` listener (ClusterIssuer
# `letsencrypt-gateway`), or through ingress-nginx for an Ingress (`letsencrypt`).
module "cert_manager" {
  source = "./modules/cert-manager"

  ingress_class_name = one(module.ingress_nginx[*].class_name)
  gateway            = local.platform.gateway
  managed_prometheus = local.observability.metrics == "managed"

  # With a Gateway, cert-manager's Gateway API support needs the CRDs Envoy Gateway brings.
  depends_on = [helm_release.gateway_api]
}

# With a service routed by an HTTPRoute (the default): Envoy Gateway (and the Gateway API
# CRDs), then the Gateway the charts' HTTPRoutes attach to (gen-gateway unless the spec names
# one).
#
# The chart installs the Gateway API CRDs (the experimental channel, as Envoy Gateway's chart
# ships them: a superset of the standard channel's kinds and fields, and nothing gen renders
# uses an experimental one) and Envoy Gateway's own from
# its `crds/` folder, which Helm applies on the first install and never upgrades: a new
# `envoy_gateway_chart_version` alone leaves the old CRDs in place. Envoy Gateway's CRD chart
# (gateway-crds-helm) keeps them in `templates/`, but a Helm release of it fails: the release
# record exceeds the 1 MiB limit of the Secret Helm stores it in (envoyproxy/gateway#6105), so
# Envoy Gateway's install guide applies it with `helm template ... | kubectl apply
# --server-side` instead, and so does terraform/README.md ("Upgrading Envoy Gateway"), before
# the version here is raised.
resource "helm_release" "gateway_api" {
  count            = local.platform.gateway == null ? 0 : 1
  name             = "envoy-gateway"
  repository       = "oci://docker.io/envoyproxy"
  chart            = "gateway-helm"
  version          = var.envoy_gateway_chart_version
  namespace        = local.platform.ingress_namespace
  create_namespace = true
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true
}

module "gateway" {
  source = "./modules/gateway"
  count  = local.platform.gateway == null ? 0 : 1

  name                 = try(local.platform.gateway.name, null)
  namespace            = try(local.platform.gateway.namespace, null)
  controller_namespace = local.platform.ingress_namespace
  route_namespaces     = local.platform.namespaces
  tls_hosts            = try(local.platform.gateway.tls_hosts, null)
  plain_hosts          = try(local.platform.gateway.plain_hosts, null)
  issuer_name          = module.cert_manager.gateway_issuer_name
  public_ip_name       = try(local.platform.gateway.public_ip_name, null)
  resource_group_name  = local.platform.public_ip_group

  # Its objects are custom kinds: their CRDs come with Envoy Gateway's chart, and the
  # ClusterIssuer it names with cert-manager's release, both installed first. (The module's
  # inputs alone would not wait: the issuer's name is known before cert-manager is.)
  depends_on = [helm_release.gateway_api, module.cert_manager]
}

# The observability stacks the spec names for this cluster, when they run in it
# (kube-prometheus-stack; Fluent Bit and Loki), with the values gen renders in stack/, and
# what they watch besides the stack's own rules: the certificates' alerts, the services' SLO
# rules (monitoring/prometheusrule.yaml) and each one's dashboard (monitoring/<service>/),
# cert-manager's controller. Alertmanager mails the platform's
# alert addresses through the pipeline's SMTP relay (MAIL_CONNECTION, which the workflow
# hands this root).
locals {
  # (A platform root applied by an older gen has no such output: its defaults, until the
  # platform root is applied again, first in the same run.)
  observability = try(local.platform.observability, {
    metrics = "managed", logs = "cloud", alerts = [], alert_emails = [], slo_services = []
  })
  kube_prometheus_stack = local.observability.metrics == "kube-prometheus-stack"
  loki                  = local.observability.logs == "loki"
  stack_values          = "${path.root}/../../stack"
  monitored             = "${path.root}/../../monitoring"
  # The services whose rule and dashboard files are read: only where the stack runs
  # (elsewhere they may not exist).
  monitored_services = local.kube_prometheus_stack ? local.observability.slo_services : []
}

module "observability" {
  source = "./modules/observability"

  metrics                      = local.kube_prometheus_stack
  logs                         = local.loki
  kube_prometheus_stack_values = local.kube_prometheus_stack ? file("${local.stack_values}/kube-prometheus-stack.yaml") : null
  loki_values                  = local.loki ? file("${local.stack_values}/loki.yaml") : null
  fluent_bit_values            = local.loki ? file("${local.stack_values}/fluent-bit.yaml") : null
  alert_emails                 = local.observability.alert_emails
  smtp                         = var.alertmanager_smtp
  smtp_password                = var.alertmanager_smtp_password
  mail_from                    = var.alertmanager_mail_from
  rules                        = local.observability.alerts
  objects = concat(
    # A PrometheusRule per set of rules, one YAML document each.
    length(local.monitored_services) > 0 ? split("\n---\n", file("${local.monitored}/prometheusrule.yaml")) : [],
    [for s in local.monitored_services : file("${local.monitored}/${s}/dashboard.yaml")],
  )
  cert_manager = contains([for group in local.observability.alerts : group.name], "gen-certificates")

  # The services' rules and dashboards are in the stack's namespace, made once the namespaces
  # of the services they watch are; cert-manager's PodMonitor in its own.
  depends_on = [kubernetes_namespace_v1.service, module.cert_manager]
}

# GitOps: Argo CD in the cluster pulls each service's chart from git; GitHub holds no
# credential of the cluster at all.
module "argocd" {
  source = "./modules/argocd"
  count  = local.platform.deploy == "gitops" ? 1 : 0

  depends_on = [module.ingress_nginx]
}

# The deploy identity (Helm) may write exactly the kinds its releases contain, in the
# services' namespaces only, plus Helm's release records and what `helm upgrade --wait`
# reads. No Secret: the deploy job keeps Helm's release records in ConfigMaps
# (HELM_DRIVER=configmap), the chart has no Secret, and the Secrets in the namespace (the
# values the CSI driver syncs, the TLS keys cert-manager issues) are refused to it through the
# API (a pod it deploys could still mount them: the pipeline is trusted as far as they are). A
# Kubernetes Role bound to the identity's Entra ID object id: with Azure RBAC on AKS,
# Kubernetes RBAC bindings to Entra principals are honoured too, and a Role names each custom
# kind (HTTPRoute, SecretProviderClass) where no built-in Azure role does.
locals {
  write = ["get", "list", "watch", "create", "update", "patch", "delete"]
  keep  = ["get", "list", "watch", "create", "update", "patch"]
  read  = ["get", "list", "watch"]
  deploy_rules = concat(
    [
      { api_groups = [""], resources = ["configmaps", "services", "serviceaccounts"], verbs = local.write },
      { api_groups = [""], resources = ["pods", "events"], verbs = local.read },
      { api_groups = ["apps"], resources = ["deployments"], verbs = local.write },
      { api_groups = ["apps"], resources = ["replicasets"], verbs = local.read },
      { api_groups = ["autoscaling"], resources = ["horizontalpodautoscalers"], verbs = local.write },
      { api_groups = ["policy"], resources = ["poddisruptionbudgets"], verbs = local.write },
      { api_groups = ["networking.k8s.io"], resources = concat(["networkpolicies"], local.platform.ingress_nginx ? ["ingresses"] : []), verbs = local.write },
      # The ServiceMonitor of a service that exports metrics, which managed Prometheus reads
      # (the metrics add-on of modules/aks serves the kind), or kube-prometheus-stack's
      # (modules/observability installs prometheus-operator's kind).
      { api_groups = [local.kube_prometheus_stack ? "monitoring.coreos.com" : "azmonitoring.coreos.com"], resources = ["servicemonitors"], verbs = local.write },
    ],
    # The claim, which Helm keeps (helm.sh/resource-policy: keep) and never deletes: nor may
    # this role.
    local.platform.persistent_volumes ? [{ api_groups = [""], resources = ["persistentvolumeclaims"], verbs = local.keep }] : [],
    local.platform.http_routes ? [{ api_groups = ["gateway.networking.k8s.io"], resources = ["httproutes"], verbs = local.write }] : [],
    local.platform.secret_provider ? [{ api_groups = ["secrets-store.csi.x-k8s.io"], resources = ["secretproviderclasses"], verbs = local.write }] : [],
  )
  deploy_namespaces = local.platform.deploy_principal_id == null || local.platform.deploy == "gitops" ? [] : local.platform.namespaces
}

# GitOps: the deploy identity writes nothing in the cluster; it reads Argo CD's Applications,
# to wait until the release it promoted is synced and healthy before the next environment.
resource "kubernetes_role_v1" "release_reader" {
  count = local.platform.deploy == "gitops" ? 1 : 0

  metadata {
    name      = "gen-release-reader"
    namespace = "argocd"
  }
  rule {
    api_groups = ["argoproj.io"]
    resources  = ["applications"]
    verbs      = local.read
  }

  depends_on = [module.argocd]
}

resource "kubernetes_role_binding_v1" "release_reader" {
  count = local.platform.deploy == "gitops" ? 1 : 0

  metadata {
    name      = "gen-release-reader"
    namespace = kubernetes_role_v1.release_reader[0].metadata[0].namespace
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.release_reader[0].metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "User"
    name      = local.platform.deploy_principal_id
  }
}

# GitOps, with HTTPRoutes: it reads each service namespace's routes too, to wait until the
# Gateway accepts the release's route (and its URL answers) before the next environment.
resource "kubernetes_role_v1" "route_reader" {
  for_each = toset(local.platform.deploy == "gitops" && local.platform.http_routes ? local.platform.namespaces : [])

  metadata {
    name      = "gen-route-reader"
    namespace = kubernetes_namespace_v1.service[each.value].metadata[0].name
  }
  rule {
    api_groups = ["gateway.networking.k8s.io"]
    resources  = ["httproutes"]
    verbs      = local.read
  }
}

resource "kubernetes_role_binding_v1" "route_reader" {
  for_each = toset(local.platform.deploy == "gitops" && local.platform.http_routes ? local.platform.namespaces : [])

  metadata {
    name      = "gen-route-reader"
    namespace = each.value
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.route_reader[each.value].metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "User"
    name      = local.platform.deploy_principal_id
  }
}

resource "kubernetes_role_v1" "deploy" {
  for_each = toset(local.deploy_namespaces)

  metadata {
    name      = "gen-deploy"
    namespace = kubernetes_namespace_v1.service[each.value].metadata[0].name
  }

  dynamic "rule" {
    for_each = local.deploy_rules
    content {
      api_groups = rule.value.api_groups
      resources  = rule.value.resources
      verbs      = rule.value.verbs
    }
  }
}

resource "kubernetes_role_binding_v1" "deploy" {
  for_each = toset(local.deploy_namespaces)

  metadata {
    name      = "gen-deploy"
    namespace = each.value
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.deploy[each.value].metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "User"
    name      = local.platform.deploy_principal_id
  }
}
