# The subscription comes from ARM_SUBSCRIPTION_ID (or `az account set`), as azurerm 4 reads it.
provider "azurerm" {
  features {}
  storage_use_azuread = true
}

provider "azuread" {}

# The cluster has no local accounts: Helm and the Kubernetes provider sign in through
# kubelogin with the Azure CLI's login (a person's, or the pipeline's after azure/login),
# never with an admin kubeconfig.
provider "helm" {
  kubernetes = {
    host                   = module.aks.host
    cluster_ca_certificate = base64decode(module.aks.cluster_ca_certificate)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "kubelogin"
      args        = ["get-token", "--login", "azurecli", "--server-id", local.aks_server_app_id]
    }
  }
}

provider "kubernetes" {
  host                   = module.aks.host
  cluster_ca_certificate = base64decode(module.aks.cluster_ca_certificate)
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "kubelogin"
    args        = ["get-token", "--login", "azurecli", "--server-id", local.aks_server_app_id]
  }
}

locals {
  # The application id of the AKS AAD server, the same in every tenant.
  aks_server_app_id = "6dae42f8-4368-4678-94ff-3960e28e3630"
}
