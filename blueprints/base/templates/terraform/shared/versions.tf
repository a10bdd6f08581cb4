# Terraform and the providers the shared root is written for: a copy of the environments'
# root's versions.tf (../versions.tf), whose pins it follows. The azurerm cluster resource
# changed in 5.x: the pin keeps a `terraform init -upgrade` from crossing that line.
terraform {
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.79"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.7"
    }
  }
}
