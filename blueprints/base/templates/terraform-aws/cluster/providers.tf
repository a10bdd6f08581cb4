# The cluster this root works in is the platform root's (terraform/), read from its state in
# the same workspace: it exists, with its add-ons and its admin roles' access, before this root
# plans. Helm and the Kubernetes provider sign in with a token the AWS CLI makes for the role
# of the shell (`aws eks get-token`): one of the spec's admin roles, never a stored kubeconfig.
data "terraform_remote_state" "platform" {
  backend   = "s3"
  workspace = terraform.workspace
  config = {
    bucket = var.state_bucket
    key    = var.platform_state_key
    region = var.region
  }
}

locals {
  cluster    = data.terraform_remote_state.platform.outputs.cluster
  platform   = data.terraform_remote_state.platform.outputs.in_cluster
  token_args = ["eks", "get-token", "--cluster-name", local.cluster.name, "--region", local.cluster.region, "--output", "json"]
}

provider "helm" {
  kubernetes = {
    host                   = local.cluster.host
    cluster_ca_certificate = base64decode(local.cluster.cluster_ca_certificate)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = local.token_args
    }
  }
}

provider "kubernetes" {
  host                   = local.cluster.host
  cluster_ca_certificate = base64decode(local.cluster.cluster_ca_certificate)
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = local.token_args
  }
}
