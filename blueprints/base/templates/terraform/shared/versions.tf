# Terraform and the providers the shared root is written for, pinned exactly as the
# environments' root pins them (../versions.tf): the versions whose schemas gen checks every
# resource against. The committed `.terraform.lock.hcl` holds their hashes (README.md, "The
# lock file"); a new version is a new gen, never a `terraform init -upgrade`.
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
