# State lives in an Azure storage account, reached with Entra ID (no access key, no SAS).
# The backend is partial: `terraform init` gets the account from -backend-config (the exact
# command is in README.md), so one root serves any environment with its own state key.
terraform {
  backend "azurerm" {
    use_azuread_auth = true
  }
}
