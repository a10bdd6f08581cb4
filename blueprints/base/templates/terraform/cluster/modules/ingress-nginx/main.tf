# ingress-nginx, behind the static public IP the platform root owns (modules/public-ip).
# Upstream ingress-nginx stopped receiving fixes in March 2026 (`gen explain K8S047`): it is
# kept here for the services whose spec routes through an Ingress, until they move to
# `route: httproute`. The chart pinned (4.15.1, controller v1.15.1) is of the last release line and
# carries the fixes of CVE-2026-1580, -24512, -24513, -24514 and -3288; fixes published
# since, to nginx itself too, never reach it.

resource "helm_release" "this" {
  name             = "ingress-nginx"
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = var.chart_version
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true

  values = [yamlencode({
    controller = {
      ingressClassResource = { name = var.class_name, default = false }
      ingressClass         = var.class_name
      replicaCount         = 2
      service = {
        annotations = {
          # Without it Azure probes "/" on the HTTP port, gets 404, and the IP never answers.
          "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path" = "/healthz"
          "service.beta.kubernetes.io/azure-pip-name"                                = var.public_ip_name
          "service.beta.kubernetes.io/azure-load-balancer-resource-group"            = var.resource_group_name
        }
      }
    }
  })]
}
