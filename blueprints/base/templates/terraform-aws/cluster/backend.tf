# State lives in the bootstrap root's S3 bucket, locked by S3 itself (`use_lockfile`: a lock
# object beside the state, no DynamoDB table), encrypted by the bucket's default, its own KMS
# key (`encrypt = true` would have each write ask for S3's AES256 instead). The backend is
# partial: `terraform init` gets the bucket, key and region from -backend-config (the exact
# command is in the README).
terraform {
  backend "s3" {
    use_lockfile = true
  }
}
