# Pinned exactly, to the versions whose schemas gen checks this root against (helm 3.0.2,
# kubernetes 2.38.0), with their hashes in the committed `.terraform.lock.hcl` (../README.md,
# "The lock file"). The helm provider's `set` and `kubernetes` syntax changed in 3.0: a new
# version comes with a new gen, never from `terraform init -upgrade`.
terraform {
  # 1.11: the relay's password of modules/observability is an ephemeral variable written
  # through a write-only attribute.
  required_version = ">= 1.11"

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
