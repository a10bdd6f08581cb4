# The load balancer's access logs: a line per request (the client, the host, the path, the
# status, the target and each latency), in a bucket of this environment's, kept for
# access_log_days. Elastic Load Balancing writes them with S3's own keys (the only encryption
# it can write with), over TLS alone.

# trivy agrees with the checkov skips below: AWS-0089 (access logging), as CKV_AWS_18.
#trivy:ignore:AWS-0089
resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:this bucket holds access logs: logging its own access would need another bucket, for ever
  #checkov:skip=CKV_AWS_144:cross-region replication: access logs are a record of requests, kept for a while, not data to restore
  #checkov:skip=CKV_AWS_145:Elastic Load Balancing writes access logs with S3-managed keys alone (SSE-S3)
  #checkov:skip=CKV2_AWS_62:event notifications: nothing reacts to a log file
  #checkov:skip=CKV2_AWS_61:the logs expire through aws_s3_bucket_lifecycle_configuration, which checkov does not link to the bucket
  count         = length(local.routed) > 0 ? 1 : 0
  bucket_prefix = "${substr(var.cluster_name, 0, 28)}-lb-logs-"
  # Destroying the environment takes the logs of its load balancer with it.
  force_destroy = true
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  count  = length(local.routed) > 0 ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  count  = length(local.routed) > 0 ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

# AWS-0132 (a customer key), as checkov's CKV_AWS_145 above: Elastic Load Balancing writes
# access logs with S3-managed keys alone.
#trivy:ignore:AWS-0132
resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count  = length(local.routed) > 0 ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  count                   = length(local.routed) > 0 ? 1 : 0
  bucket                  = aws_s3_bucket.access_logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  count  = length(local.routed) > 0 ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_log_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  depends_on = [aws_s3_bucket_versioning.access_logs]
}

# Elastic Load Balancing may write this account's logs there, and nothing more (its service
# principal, which AWS's documentation recommends in every region: the older per-region
# accounts are not in the newer regions); anyone, over TLS alone.
data "aws_iam_policy_document" "access_logs" {
  count = length(local.routed) > 0 ? 1 : 0
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.access_logs[0].arn, "${aws_s3_bucket.access_logs[0].arn}/*"]
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
  statement {
    sid       = "LoadBalancerWritesLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs[0].arn}/AWSLogs/${var.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  count  = length(local.routed) > 0 ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  policy = data.aws_iam_policy_document.access_logs[0].json
  # A bucket policy written before the public access block would be judged without it.
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
