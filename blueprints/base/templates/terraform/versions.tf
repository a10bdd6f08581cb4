# Terraform and the providers this root module is written for, pinned exactly: the versions
# whose schemas gen checks every resource against (azurerm 4.79.0, azuread 3.7.0). The
# committed `.terraform.lock.hcl` holds their hashes (README.md, "The lock file"); a new
# version is a new gen, never a `terraform init -upgrade` (the azurerm cluster resource
# changed in 5.x: README.md, "Moving to azurerm 5"). Terraform 1.9 (June 2024) is the first
# whose variable validations may refer to other objects, as `environment`'s does.
terraform {
  required_version = ">= 1.9"

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
