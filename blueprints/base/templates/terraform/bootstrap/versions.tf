# The state storage's own root module. Its state stays local (it is small and holds no
# secret): the backend cannot create the account that holds it. azurerm is pinned exactly, as
# in the other roots: the version whose schemas gen checks against, hashes in the committed
# `.terraform.lock.hcl`.
terraform {
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "= 4.79.0"
    }
  }
}

# The subscription comes from ARM_SUBSCRIPTION_ID, exported before this root's apply
# (terraform/README.md step 1): azurerm 4 requires one and does not fall back to the Azure
# CLI's default subscription.
provider "azurerm" {
  features {}
  storage_use_azuread = true
}
