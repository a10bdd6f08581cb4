# Terraform and the AWS provider this root is written for, pinned exactly: the version whose
# schemas gen checks every resource against (aws 6.47.0). Terraform 1.11 is the first whose
# S3 backend locks with a lock object beside the state (`use_lockfile`), which every later
# root uses; this root's own state stays local.
terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.47.0"
    }
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = var.tags
  }
}
