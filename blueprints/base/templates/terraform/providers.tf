# The subscription comes from ARM_SUBSCRIPTION_ID (or `az account set`), as azurerm 4 reads it.
# No Helm or Kubernetes provider here: HashiCorp's Kubernetes provider documentation warns
# against configuring it from a cluster created in the same root ("intermittent and
# unpredictable errors"; a replaced or unreachable cluster breaks every plan). The in-cluster
# part is its own root, cluster/, configured from this root's outputs.
provider "azurerm" {
  features {}
  storage_use_azuread = true
}

provider "azuread" {}
