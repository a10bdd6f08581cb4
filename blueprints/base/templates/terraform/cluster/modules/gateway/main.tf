# The Gateways the services' HTTPRoutes attach to (spec: platform.azure.ingress.gateway,
# gen-gateway by default), on Envoy Gateway, a CNCF Gateway API implementation, which the
# in-cluster root installs first (its chart brings the Gateway API CRDs); its proxies run in
# the controller's namespace, the one each service's NetworkPolicy admits (spec:
# platform.azure.ingress.namespace). The proxies' load balancer answers on the platform
# root's static IP, which the routed hosts' records point at.
#
# A Gateway holds at most 64 listeners (the API server refuses the 65th), so the hosts are not
# listeners of one Gateway: each routed host has a Gateway of its own, named after the host,
# and the EnvoyProxy merges every Gateway of the class onto one fleet of proxies
# (`mergeGateways`), on the one static IP. A host added or removed on day two adds or removes
# its own Gateway and never moves another host's listener or certificate.
#
# Listeners, each named after what it serves so that a route names it (`sectionName`):
# - `http`, port 80 for every host, on the Gateway `var.name`: only the redirect to HTTPS
#   below and cert-manager's HTTP-01 challenge routes, both in the Gateway's namespace
#   (`from: Same`): a service's route cannot serve plain HTTP there by mistake;
# - `https-<host>` on the host's Gateway, per TLS host: cert-manager (enableGatewayAPI) issues
#   its certificate through the ClusterIssuer `letsencrypt-gateway`; the service's HTTPRoute
#   attaches here;
# - `http-<host>` on the host's Gateway, per host a service serves without TLS (`tls: false`):
#   its route attaches there (a listener with a hostname takes that host's requests before
#   the catch-all one). Merged Gateways need each (port, protocol, hostname) once: the
#   catch-all `http` is the only listener without a hostname.

locals {
  # The labels Envoy Gateway gives the proxy pods of a merged fleet: its GatewayClass's.
  proxy_labels = {
    "app.kubernetes.io/name"                    = "envoy"
    "app.kubernetes.io/component"               = "proxy"
    "gateway.envoyproxy.io/owning-gatewayclass" = local.class_name
  }
  class_name = "envoy"
  same       = { namespaces = { from = "Same" } }
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
  plain = [
    for host in var.plain_hosts : {
      name          = "http-${host}"
      hostname      = host
      port          = 80
      protocol      = "HTTP"
      allowedRoutes = local.allowed
    }
  ]
  https = [
    for host in var.tls_hosts : {
      name          = "https-${host}"
      hostname      = host
      port          = 443
      protocol      = "HTTPS"
      tls           = { mode = "Terminate", certificateRefs = [{ name = "${replace(host, ".", "-")}-tls" }] }
      allowedRoutes = local.allowed
    }
  ]
  # Each routed host's Gateway: its own listeners, and the issuer where one serves HTTPS.
  host_gateways = [
    for host in sort(distinct(concat(var.plain_hosts, var.tls_hosts))) : {
      apiVersion = "gateway.networking.k8s.io/v1"
      kind       = "Gateway"
      metadata = {
        name        = host
        namespace   = var.namespace
        annotations = contains(var.tls_hosts, host) ? { "cert-manager.io/cluster-issuer" = var.issuer_name } : {}
      }
      spec = {
        gatewayClassName = local.class_name
        listeners        = [for listener in concat(local.plain, local.https) : listener if listener.hostname == host]
      }
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
    resources = concat([
      {
        apiVersion = "gateway.envoyproxy.io/v1alpha1"
        kind       = "EnvoyProxy"
        metadata   = { name = "azure-static-ip", namespace = var.controller_namespace }
        spec = {
          # Every Gateway of the class on one fleet, one load balancer and the one static IP.
          mergeGateways = true
          provider = {
            type = "Kubernetes"
            kubernetes = {
              envoyService = {
                annotations = {
                  "service.beta.kubernetes.io/azure-pip-name"                     = var.public_ip_name
                  "service.beta.kubernetes.io/azure-load-balancer-resource-group" = var.resource_group_name
                }
                # Envoy Gateway's default, said: the load balancer sends a client only to a
                # node that runs a proxy, and sees which by the Service's health check node
                # port (the node's service proxy answers /healthz there: kube-proxy, or
                # Cilium where it replaces kube-proxy), not by a request to a listener
                # that routes nothing at "/"; the proxy sees the client's own address.
                externalTrafficPolicy = "Local"
              }
              # Every request of every host goes through these proxies: more than one, kept
              # apart, so that a node drain or an AKS upgrade (which drains each node) never
              # stops them all. The budget lets a drain evict a proxy only while another
              # one runs. The spread is a preference (ScheduleAnyway): a required one would
              # leave a proxy pending on a one-node pool, and the budget would then block
              # every drain; even two proxies on one node survive a drain, one at a time.
              envoyDeployment = {
                replicas = var.proxy_replicas
                pod = {
                  topologySpreadConstraints = [
                    for key in ["topology.kubernetes.io/zone", "kubernetes.io/hostname"] : {
                      maxSkew           = 1
                      topologyKey       = key
                      whenUnsatisfiable = "ScheduleAnyway"
                      labelSelector     = { matchLabels = local.proxy_labels }
                    }
                  ]
                }
              }
              envoyPDB = { minAvailable = 1 }
            }
          }
        }
      },
      {
        apiVersion = "gateway.networking.k8s.io/v1"
        kind       = "GatewayClass"
        metadata   = { name = local.class_name }
        spec = {
          controllerName = "gateway.envoyproxy.io/gatewayclass-controller"
          parametersRef  = { group = "gateway.envoyproxy.io", kind = "EnvoyProxy", name = "azure-static-ip", namespace = var.controller_namespace }
        }
      },
      {
        apiVersion = "gateway.networking.k8s.io/v1"
        kind       = "Gateway"
        metadata   = { name = var.name, namespace = var.namespace }
        spec = {
          gatewayClassName = local.class_name
          listeners        = [{ name = "http", port = 80, protocol = "HTTP", allowedRoutes = local.same }]
        }
      },
      {
        # Plain HTTP to a TLS host is sent to HTTPS. cert-manager's challenge routes match
        # their exact path, which the Gateway API ranks before this prefix.
        apiVersion = "gateway.networking.k8s.io/v1"
        kind       = "HTTPRoute"
        metadata   = { name = "${var.name}-https-redirect", namespace = var.namespace }
        spec = {
          parentRefs = [{ name = var.name, sectionName = "http" }]
          rules = [
            { filters = [{ type = "RequestRedirect", requestRedirect = { scheme = "https", statusCode = 301 } }] },
          ]
        }
      },
    ], local.host_gateways)
  })]
}
