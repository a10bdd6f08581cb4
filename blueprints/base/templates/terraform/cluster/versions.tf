# The helm provider's `set` and `kubernetes` syntax changed in 3.0: the pins keep a
# `terraform init -upgrade` from crossing that line.
terraform {
  required_version = ">= 1.9"

  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.38"
    }
  }
}
