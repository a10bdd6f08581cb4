terraform {
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.30"
    }
  }
}

resource "kubernetes_namespace_v1" "shop" {
  metadata {
    name = "shop"
  }
}

resource "kubernetes_secret_v1" "db" {
  metadata {
    name      = "shop-db"
    namespace = kubernetes_namespace_v1.shop.metadata[0].name
  }
  data = {
    url = "postgres://shop@db/shop"
  }
}

resource "kubernetes_service_account_v1" "shop" {
  metadata {
    name      = "shop"
    namespace = kubernetes_namespace_v1.shop.metadata[0].name
  }
}
