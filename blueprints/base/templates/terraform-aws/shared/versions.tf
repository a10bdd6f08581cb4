# Pinned exactly, to the version whose schemas gen checks this root against (aws 6.47.0),
# with its hashes in the committed `.terraform.lock.hcl` (../README.md, "The lock file").
terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.47.0"
    }
  }
}
