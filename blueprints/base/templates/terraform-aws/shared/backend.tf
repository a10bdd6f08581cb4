# State lives in the bootstrap root's S3 bucket, locked by S3 itself (`use_lockfile`: a lock
# object beside the state, no DynamoDB table). The backend is partial: `terraform init` gets
# the bucket, key and region from -backend-config (the exact command is in ../README.md).
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
