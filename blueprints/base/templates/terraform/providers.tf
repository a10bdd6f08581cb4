# The subscription comes from ARM_SUBSCRIPTION_ID (terraform/README.md exports it before the
# first step): azurerm 4 requires a subscription id and does not take the Azure CLI's default
# (`az account set`) in its place.
# No Helm or Kubernetes provider here: HashiCorp's Kubernetes provider documentation warns
# against configuring it from a cluster created in the same root ("intermittent and
# unpredictable errors"; a replaced or unreachable cluster breaks every plan). The in-cluster
# part is its own root, cluster/, configured from this root's outputs.
# azurerm registers its "legacy" list of resource providers on a subscription's first apply
# (internal/resourceproviders/required.go); three namespaces this root uses are not on it, and a
# fresh subscription would refuse their resources (MissingSubscriptionRegistration):
# Microsoft.KubernetesConfiguration (AKS Backup's cluster extension), Microsoft.Monitor (the
# Azure Monitor workspace managed Prometheus writes to) and Microsoft.AlertsManagement (the
# Prometheus rule groups). `az aks` registers the last two itself; Terraform does not.
provider "azurerm" {
  features {}
  storage_use_azuread            = true
  resource_providers_to_register = ["Microsoft.KubernetesConfiguration", "Microsoft.Monitor", "Microsoft.AlertsManagement"]
}

provider "azuread" {}
