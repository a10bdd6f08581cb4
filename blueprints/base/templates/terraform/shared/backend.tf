# State lives in the same Azure storage account as every environment's, under a key of its
# own (`<project>-shared.tfstate`, no workspace), reached with Entra ID (no access key, no
# SAS). The backend is partial: `terraform init` gets the account from -backend-config (the
# exact command is in ../README.md).
terraform {
  backend "azurerm" {
    use_azuread_auth = true
  }
}
