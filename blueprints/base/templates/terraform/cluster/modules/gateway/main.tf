# The Gateway the services' HTTPRoutes attach to (spec: platform.azure.ingress.gateway), on
# Envoy Gateway, a CNCF Gateway API implementation, which the in-cluster root installs first
# (its chart brings the Gateway API CRDs); its proxies run in the controller's namespace, the one each
# service's NetworkPolicy admits (spec: platform.azure.ingress.namespace). The proxies' load
# balancer answers on the platform root's second static IP, which the routed hosts' records
# point at. Each HTTPS listener names its host, and cert-manager (enableGatewayAPI) issues
# its certificate through the ClusterIssuer `letsencrypt-gateway` (HTTP-01 on the listener
# `http`).

locals {
  allowed = {
    namespaces = {
      from = "Selector"
      selector = {
        matchExpressions = [
          { key = "kubernetes.io/metadata.name", operator = "In", values = concat(var.route_namespaces, [var.namespace]) },
        ]
      }
    }
  }
  https = [
    for i, host in var.tls_hosts : {
      name          = "https-${i}"
      hostname      = host
      port          = 443
      protocol      = "HTTPS"
      tls           = { mode = "Terminate", certificateRefs = [{ name = "${replace(host, ".", "-")}-tls" }] }
      allowedRoutes = local.allowed
    }
  ]
}

# Custom objects: a Kubernetes manifest resource would need their CRDs at plan time, before
# this apply installs them; a Helm release of the `raw` chart applies them at apply time.
resource "helm_release" "gateway" {
  name             = "gateway"
  repository       = "https://bedag.github.io/helm-charts/"
  chart            = "raw"
  version          = var.raw_chart_version
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true

  values = [yamlencode({
    resources = [
      {
        apiVersion = "gateway.envoyproxy.io/v1alpha1"
        kind       = "EnvoyProxy"
        metadata   = { name = "azure-static-ip", namespace = var.controller_namespace }
        spec = {
          provider = {
            type = "Kubernetes"
            kubernetes = {
              envoyService = {
                annotations = {
                  "service.beta.kubernetes.io/azure-pip-name"                     = var.public_ip_name
                  "service.beta.kubernetes.io/azure-load-balancer-resource-group" = var.resource_group_name
                }
              }
            }
          }
        }
      },
      {
        apiVersion = "gateway.networking.k8s.io/v1"
        kind       = "GatewayClass"
        metadata   = { name = "envoy" }
        spec = {
          controllerName = "gateway.envoyproxy.io/gatewayclass-controller"
          parametersRef  = { group = "gateway.envoyproxy.io", kind = "EnvoyProxy", name = "azure-static-ip", namespace = var.controller_namespace }
        }
      },
      {
        apiVersion = "gateway.networking.k8s.io/v1"
        kind       = "Gateway"
        metadata = {
          name        = var.name
          namespace   = var.namespace
          annotations = { "cert-manager.io/cluster-issuer" = var.issuer_name }
        }
        spec = {
          gatewayClassName = "envoy"
          listeners = concat(
            [{ name = "http", port = 80, protocol = "HTTP", allowedRoutes = local.allowed }],
            local.https,
          )
        }
      },
    ]
  })]
}
