# cert-manager, with its CRDs, and ClusterIssuers for Let's Encrypt that answer the HTTP-01
# challenge: on the Gateway's `http` listener (`<issuer_name>-gateway`, which the Gateway
# names; the default route), and through ingress-nginx (`<issuer_name>`, which each
# service's Ingress names) when a service asks for an Ingress. HTTP-01 works for every host
# that resolves to the edge's IP, whether its zone is Azure's (modules/dns) or kept elsewhere
# (externalHosts: DuckDNS), with no DNS write right given to anything in the cluster: the
# cluster's own identity holds Network Contributor only on the resource group of the edge's
# IPs (`<resource group>-edge`), never on the zone's. cert-manager issues each certificate's
# Secret and renews it 30 days before it expires.

resource "helm_release" "this" {
  name             = "cert-manager"
  repository       = "https://charts.jetstack.io"
  chart            = "cert-manager"
  version          = var.chart_version
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true

  values = [yamlencode({
    crds = { enabled = true }
    # With a Gateway, cert-manager issues its listeners' certificates too (Gateway API
    # support, beta since cert-manager 1.15); its CRDs must be installed before it starts.
    # (1.21 deprecates `enableGatewayAPI` for `gatewayAPI.enabled`; the old field still works.)
    config = var.gateway == null ? null : {
      apiVersion       = "controller.config.cert-manager.io/v1alpha1"
      kind             = "ControllerConfiguration"
      enableGatewayAPI = true
    }
  })]
}

# The issuer is a custom object: a Kubernetes manifest resource would need its CRD at plan
# time, before this apply has installed it; a Helm release of the `raw` chart applies it at
# apply time, after cert-manager.
resource "helm_release" "issuer" {
  name       = "cluster-issuer"
  repository = "https://bedag.github.io/helm-charts/"
  chart      = "raw"
  version    = var.raw_chart_version
  namespace  = helm_release.this.namespace
  atomic     = true
  timeout    = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait       = true

  values = [yamlencode({
    resources = concat(var.ingress_class_name == null ? [] : [
      {
        apiVersion = "cert-manager.io/v1"
        kind       = "ClusterIssuer"
        metadata   = { name = var.issuer_name }
        spec = {
          acme = {
            server              = var.acme_server
            privateKeySecretRef = { name = "${var.issuer_name}-account-key" }
            solvers = [
              { http01 = { ingress = { ingressClassName = var.ingress_class_name } } },
            ]
          }
        }
      },
      ], var.gateway == null ? [] : [
      {
        # The Gateway's listeners' certificates: the challenge is answered by an HTTPRoute
        # cert-manager attaches to the Gateway's plain HTTP listener.
        apiVersion = "cert-manager.io/v1"
        kind       = "ClusterIssuer"
        metadata   = { name = "${var.issuer_name}-gateway" }
        spec = {
          acme = {
            server              = var.acme_server
            privateKeySecretRef = { name = "${var.issuer_name}-gateway-account-key" }
            solvers = [
              { http01 = { gatewayHTTPRoute = { parentRefs = [{ name = var.gateway.name, namespace = var.gateway.namespace, kind = "Gateway", sectionName = "http" }] } } },
            ]
          }
        }
      },
    ])
  })]
}

# Managed Prometheus scrapes cert-manager's controller (it does not by default), keeping only
# the series the platform root's certificate alerts read (modules/monitoring): each
# certificate's readiness, expiry and renewal time, a few series per certificate, so that
# ingestion stays near nothing. A PodMonitor of the metrics add-on's own kind
# (azmonitoring.coreos.com, which `monitor_metrics` in the platform root's modules/aks
# installs with the add-on); `honorLabels` keeps the certificate's own `namespace` label
# rather than the controller pod's. (With kube-prometheus-stack instead, modules/observability
# scrapes it with a PodMonitor of prometheus-operator's kind.)
resource "helm_release" "metrics" {
  count      = var.managed_prometheus ? 1 : 0
  name       = "cert-manager-metrics"
  repository = "https://bedag.github.io/helm-charts/"
  chart      = "raw"
  version    = var.raw_chart_version
  namespace  = helm_release.this.namespace
  atomic     = true
  timeout    = 600 # seconds, as every release here
  wait       = true

  values = [yamlencode({
    resources = [
      {
        apiVersion = "azmonitoring.coreos.com/v1"
        kind       = "PodMonitor"
        metadata   = { name = "cert-manager" }
        spec = {
          selector = {
            matchLabels = {
              "app.kubernetes.io/name"      = "cert-manager"
              "app.kubernetes.io/instance"  = helm_release.this.name
              "app.kubernetes.io/component" = "controller"
            }
          }
          podMetricsEndpoints = [
            {
              port        = "http-metrics"
              honorLabels = true
              metricRelabelings = [
                {
                  sourceLabels = ["__name__"]
                  action       = "keep"
                  regex        = "certmanager_certificate_(ready_status|expiration_timestamp_seconds|renewal_timestamp_seconds)"
                },
              ]
            },
          ]
        }
      },
    ]
  })]
}
