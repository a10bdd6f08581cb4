# The subscription comes from ARM_SUBSCRIPTION_ID (terraform/README.md exports it before the
# first step): azurerm 4 requires a subscription id and does not take the Azure CLI's default
# (`az account set`) in its place. azuread creates the build identity's application when
# platform.azure.identity is app-registration.
provider "azurerm" {
  features {}
  storage_use_azuread = true
}

provider "azuread" {}
