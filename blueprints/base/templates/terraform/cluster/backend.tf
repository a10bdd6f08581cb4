# State lives beside the platform root's, in the same storage account, under its own key
# (README.md gives the command); Entra ID auth, no access key.
terraform {
  backend "azurerm" {
    use_azuread_auth = true
  }
}
