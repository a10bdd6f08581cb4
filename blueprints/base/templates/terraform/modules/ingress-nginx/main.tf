# ingress-nginx behind a static public IP that Terraform owns (DNS records point at it, so it
# must outlive the controller's Service). Upstream ingress-nginx stopped receiving fixes in
# March 2026: a Gateway API controller is the way forward (`gen explain K8S047`).

resource "azurerm_public_ip" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = length(var.zones) > 0 ? var.zones : null
  tags                = var.tags
}

# The cluster's identity attaches the IP to the load balancer it manages.
resource "azurerm_role_assignment" "cluster_network" {
  scope                = var.resource_group_id
  role_definition_name = "Network Contributor"
  principal_id         = var.cluster_principal
  principal_type       = "ServicePrincipal"
}

resource "helm_release" "this" {
  name             = "ingress-nginx"
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = var.chart_version
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
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
          "service.beta.kubernetes.io/azure-pip-name"                                = azurerm_public_ip.this.name
          "service.beta.kubernetes.io/azure-load-balancer-resource-group"            = var.resource_group_name
        }
      }
    }
  })]

  depends_on = [azurerm_role_assignment.cluster_network]
}
