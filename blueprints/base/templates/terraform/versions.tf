# Terraform and the providers this root module is written for. The azurerm cluster resource
# changed in 5.x: the pin keeps a `terraform init -upgrade` from crossing that line. Terraform 1.9 (June 2024) is the
# first whose variable validations may refer to other objects, as `environment` and
# `registry_resource_group_name` do.
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
