terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "= 4.79.0"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "= 3.7.0"
    }
  }
}
