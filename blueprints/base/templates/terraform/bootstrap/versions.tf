# The state storage's own root module. Its state stays local (it is small and holds no
# secret): the backend cannot create the account that holds it.
terraform {
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.79"
    }
  }
}

provider "azurerm" {
  features {}
  storage_use_azuread = true
}
