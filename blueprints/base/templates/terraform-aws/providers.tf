# The spec's account alone: credentials for any other are refused before anything changes.
provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = var.tags
  }

  # The pipeline's rollback marks an ECS service with it (a release asked for before the
  # rollback is refused): the mark is the pipeline's, never a drift.
  ignore_tags {
    keys = ["gen-rolled-back-at"]
  }
}
