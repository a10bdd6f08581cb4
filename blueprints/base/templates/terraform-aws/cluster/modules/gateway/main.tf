# The Gateway the services' HTTPRoutes attach to (spec: platform.aws.ingress.gateway,
# gen-gateway in gateway-system by default): an internet-facing ALB of its own, which the AWS
# Load Balancer Controller makes and keeps (GatewayClass `alb`, controller
# gateway.k8s.aws/alb), apart from the ALB of the services' Ingresses. It reaches the pods at
# their addresses (target type `ip`, from the load balancers' subnets, which each service's
# NetworkPolicy admits).
#
# Listeners, named so that a route names one (`sectionName`):
# - `https`, port 443, when a routed host is served over TLS: the ACM certificate of every
#   such host (the platform root's, validated before this apply; without a zone, the
#   controller finds each host's in ACM), TLS 1.2 and 1.3 only. An
#   ALB's listener holds 25 certificates by default; gen refuses more (SPEC184). A listener's
#   `certificateRefs` would name Secrets, which the controller cannot read: its
#   LoadBalancerConfiguration names the certificates instead.
# - `http`, port 80: the routes of hosts served without TLS, and for each TLS host a route of
#   this module's that redirects it to HTTPS (301), so that no service's route serves a TLS
#   host in plain HTTP. A host no route names gets the controller's 404.
# Both admit routes from the services' namespaces and this one alone.
#
# A target group per service, health-checked at its readiness path, a stopping pod's target
# drained as long as its longest request may take (TargetGroupConfiguration, in the
# service's namespace).

locals {
  class_name = "alb"
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
  listeners = concat(
    [{ name = "http", port = 80, protocol = "HTTP", allowedRoutes = local.allowed }],
    length(var.tls_hosts) > 0 ? [{ name = "https", port = 443, protocol = "HTTPS", allowedRoutes = local.allowed }] : [],
  )
  # (One attribute per condition: Terraform gives both results of a condition one type.)
  https = length(var.tls_hosts) == 0 ? [] : [merge(
    { protocolPort = "HTTPS:443", sslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06" },
    length(var.certificates) == 0 ? {} : { defaultCertificate = var.certificates[0] },
    length(var.certificates) < 2 ? {} : { certificates = slice(var.certificates, 1, length(var.certificates)) },
  )]
  redirects = [
    for host in var.tls_hosts : {
      apiVersion = "gateway.networking.k8s.io/v1"
      kind       = "HTTPRoute"
      metadata   = { name = "https-redirect-${replace(host, ".", "-")}", namespace = var.namespace }
      spec = {
        parentRefs = [{ name = var.name, sectionName = "http" }]
        hostnames  = [host]
        rules = [
          { filters = [{ type = "RequestRedirect", requestRedirect = { scheme = "https", statusCode = 301 } }] },
        ]
      }
    }
  ]
  backends = [
    for b in var.backends : {
      apiVersion = "gateway.k8s.aws/v1"
      kind       = "TargetGroupConfiguration"
      metadata   = { name = b.service, namespace = b.namespace }
      spec = {
        targetReference = { name = b.service }
        defaultConfiguration = {
          targetType        = "ip"
          healthCheckConfig = { healthCheckPath = b.health_path }
          targetGroupAttributes = [
            { key = "deregistration_delay.timeout_seconds", value = tostring(b.drain_seconds) },
          ]
        }
      }
    }
  ]
}

# The namespace of the Gateway and its configuration. A destroy deletes it before the
# controller (cluster/main.tf), and waits until the controller has removed the load balancer
# its Gateway holds.
resource "kubernetes_namespace_v1" "gateway" {
  metadata {
    name = var.namespace
    labels = {
      "pod-security.kubernetes.io/enforce"         = "restricted"
      "pod-security.kubernetes.io/enforce-version" = "latest"
    }
  }

  # Made after the class, and so deleted before it (below).
  depends_on = [helm_release.gateway_class]
}

# Custom objects: a Kubernetes manifest resource would need their CRDs at plan time, before
# this apply installs them (cluster/ applies the Gateway API's and the controller's); a Helm
# release of the `raw` chart applies them at apply time.
#
# The GatewayClass is a release of its own, made first and removed last: the controller
# holds the class (a finalizer) while a Gateway of it stands, and lets it go when it looks
# again, which a deletion of the class makes it do. Removed with the Gateway, the class would
# wait for the controller's next retry, perhaps after cluster/ had uninstalled the
# controller, and then forever. So a destroy removes the Gateway's release, then this
# namespace (which waits until the controller has removed the Gateway's load balancer), then
# the class. Each uninstall waits until its objects are gone.
resource "helm_release" "gateway_class" {
  name      = "gateway-class"
  chart     = "raw"
  version   = var.raw_chart_version
  namespace = "kube-system"
  atomic    = true
  timeout   = 600 # seconds
  wait      = true

  repository = "https://bedag.github.io/helm-charts/"

  values = [yamlencode({
    resources = [{
      apiVersion = "gateway.networking.k8s.io/v1"
      kind       = "GatewayClass"
      metadata   = { name = local.class_name }
      spec       = { controllerName = "gateway.k8s.aws/alb" }
    }]
  })]
}

resource "helm_release" "gateway" {
  name      = "gateway"
  chart     = "raw"
  version   = var.raw_chart_version
  namespace = kubernetes_namespace_v1.gateway.metadata[0].name
  atomic    = true
  timeout   = 600 # seconds
  wait      = true

  repository = "https://bedag.github.io/helm-charts/"

  # The load balancer's configuration, the Gateway, the redirects and the services' target
  # groups.
  values = [yamlencode({
    resources = concat([
      {
        # Every target group of the Gateway's is of type `ip` unless a service's says more.
        apiVersion = "gateway.k8s.aws/v1"
        kind       = "TargetGroupConfiguration"
        metadata   = { name = "${var.name}-defaults", namespace = var.namespace }
        spec       = { defaultConfiguration = { targetType = "ip" } }
      },
      {
        apiVersion = "gateway.k8s.aws/v1"
        kind       = "LoadBalancerConfiguration"
        metadata   = { name = var.name, namespace = var.namespace }
        spec = merge(
          {
            scheme                          = "internet-facing"
            defaultTargetGroupConfiguration = { name = "${var.name}-defaults" }
          },
          length(local.https) > 0 ? { listenerConfigurations = local.https } : {},
          var.subnets == null ? {} : { loadBalancerSubnets = [for id in var.subnets : { identifier = id }] },
        )
      },
      {
        apiVersion = "gateway.networking.k8s.io/v1"
        kind       = "Gateway"
        metadata   = { name = var.name, namespace = var.namespace }
        spec = {
          gatewayClassName = local.class_name
          infrastructure = {
            parametersRef = { group = "gateway.k8s.aws", kind = "LoadBalancerConfiguration", name = var.name }
          }
          listeners = local.listeners
        }
      },
    ], local.redirects, local.backends)
  })]

  lifecycle {
    precondition {
      condition     = length(var.certificates) == 0 || length(var.certificates) == length(var.tls_hosts)
      error_message = "Every TLS host of the Gateway needs its ACM certificate from the platform root: apply it first."
    }
  }
}
