# The spec's account alone: credentials for any other are refused before anything changes.
provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = var.tags
  }
}
