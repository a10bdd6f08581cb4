terraform {
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.30"
    }
  }
}

provider "kubernetes" {
  config_path = "~/.kube/config"
}

resource "kubernetes_deployment_v1" "api" {
  metadata {
    name = "api"
  }
  spec {
    replicas = 1
    selector {
      match_labels = { app = "api" }
    }
    template {
      metadata {
        labels = { app = "api" }
      }
      spec {
        container {
          name  = "api"
          image = "ghcr.io/example/api:1.0.0"
          env {
            name = "SESSION_KEY"
            value_from {
              secret_key_ref {
                name = "session-key"
                key  = "key"
              }
            }
          }
        }
      }
    }
  }
}
