# The cluster this root works in is the platform root's (terraform/), read from its state in
# the same workspace: it exists, and its admin's data-plane role has reached the API server,
# before this root plans. The cluster has no local accounts: Helm and the Kubernetes provider
# sign in through kubelogin with the Azure CLI's login (a person's, or the pipeline's after
# azure/login), never with an admin kubeconfig.
data "terraform_remote_state" "platform" {
  backend   = "azurerm"
  workspace = terraform.workspace
  config = {
    resource_group_name  = var.state_resource_group_name
    storage_account_name = var.state_storage_account_name
    container_name       = var.state_container_name
    key                  = var.platform_state_key
    use_azuread_auth     = true
  }
}

locals {
  cluster  = data.terraform_remote_state.platform.outputs.cluster
  platform = data.terraform_remote_state.platform.outputs.in_cluster
  # The application id of the AKS AAD server, the same in every tenant.
  aks_server_app_id = "6dae42f8-4368-4678-94ff-3960e28e3630"
}

provider "helm" {
  kubernetes = {
    host                   = local.cluster.host
    cluster_ca_certificate = base64decode(local.cluster.cluster_ca_certificate)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "kubelogin"
      args        = ["get-token", "--login", "azurecli", "--server-id", local.aks_server_app_id]
    }
  }
}

provider "kubernetes" {
  host                   = local.cluster.host
  cluster_ca_certificate = base64decode(local.cluster.cluster_ca_certificate)
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "kubelogin"
    args        = ["get-token", "--login", "azurecli", "--server-id", local.aks_server_app_id]
  }
}
