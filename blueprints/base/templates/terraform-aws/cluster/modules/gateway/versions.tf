terraform {
  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = "= 3.0.2"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "= 2.38.0"
    }
  }
}
