# The subscription comes from ARM_SUBSCRIPTION_ID (terraform/README.md exports it before the
# first step): azurerm 4 requires a subscription id and does not take the Azure CLI's default
# (`az account set`) in its place.
# No Helm or Kubernetes provider here: HashiCorp's Kubernetes provider documentation warns
# against configuring it from a cluster created in the same root ("intermittent and
# unpredictable errors"; a replaced or unreachable cluster breaks every plan). The in-cluster
# part is its own root, cluster/, configured from this root's outputs.
# azurerm registers its "legacy" list of resource providers on a subscription's first apply;
# AKS Backup's cluster extension is a Microsoft.KubernetesConfiguration resource, which that
# list lacks (a fresh subscription would refuse it: MissingSubscriptionRegistration).
provider "azurerm" {
  features {}
  storage_use_azuread            = true
  resource_providers_to_register = ["Microsoft.KubernetesConfiguration"]
}

provider "azuread" {}
