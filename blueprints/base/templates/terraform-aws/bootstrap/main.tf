# Storage for Terraform state: one S3 bucket, versioned (a damaged state is restored from a
# previous version, kept noncurrent_days), encrypted with a key of its own, reached over TLS
# alone, never public. Every later root locks its state with a lock object beside it
# (`use_lockfile`): no DynamoDB table.

resource "aws_kms_key" "state" {
  description             = "Terraform state in s3://${var.bucket}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.state_key.json
}

# The account administers the key through IAM, as AWS's default key policy does: whoever IAM
# lets use the bucket may use the key.
data "aws_iam_policy_document" "state_key" {
  #checkov:skip=CKV_AWS_109:a key policy: its `*` resource is this key alone
  #checkov:skip=CKV_AWS_111:a key policy: its `*` resource is this key alone
  #checkov:skip=CKV_AWS_356:a key policy: its `*` resource is this key alone
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.bucket}"
  target_key_id = aws_kms_key.state.key_id
}

# trivy agrees with the checkov skips below: AWS-0089 (access logging), as CKV_AWS_18.
#trivy:ignore:AWS-0089
resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:access logging needs a second bucket for the logs; CloudTrail records who changed the state's objects
  #checkov:skip=CKV_AWS_144:cross-region replication: the state is small, versioned and rebuilt from the cloud it describes
  #checkov:skip=CKV2_AWS_62:event notifications: nothing reacts to a state write
  #checkov:skip=CKV2_AWS_61:noncurrent versions expire through aws_s3_bucket_lifecycle_configuration, which checkov does not link to the bucket
  bucket = var.bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.state]
}

# Over TLS alone.
data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_bucket.json
  # A bucket policy written before the public access block would be judged without it.
  depends_on = [aws_s3_bucket_public_access_block.state]
}
