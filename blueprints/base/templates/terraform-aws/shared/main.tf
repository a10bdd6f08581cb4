# What every environment shares, in a state of its own, applied once before any environment
# and destroyed after the last: the ECR repositories (an image is built and pushed once, then
# promoted: every environment's cluster pulls it from here), the role the build pushes it
# with, the public DNS zone of the ingress hosts (delegated once, at the registrar, to name
# servers that must not change) and the backup vault (recovery points outlive the cluster and
# the namespace they were taken in). Each environment's root reads
# them from this root's state (`terraform_remote_state`) and writes only its own records,
# certificates, roles and backup plans, so that destroying an environment leaves every other
# one's images, zone and backups.

locals {
  issuer = "token.actions.githubusercontent.com"
}

# The key of the images and the backups.
resource "aws_kms_key" "shared" {
  description             = "${var.name}: images and backups"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.shared_key.json
}

# The account administers the key through IAM, as AWS's default key policy does; ECR and
# AWS Backup use it on behalf of whom IAM lets push, pull or back up.
data "aws_iam_policy_document" "shared_key" {
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

resource "aws_kms_alias" "shared" {
  name          = "alias/${var.name}-shared"
  target_key_id = aws_kms_key.shared.key_id
}

module "ecr" {
  source = "../modules/ecr"

  repositories = var.repositories
  keep         = var.keep
  kms_key_arn  = aws_kms_key.shared.arn
}

# GitHub Actions' IAM OIDC provider is the bootstrap root's (bootstrap/identities.tf): the
# Terraform workflow's roles trust it before this root exists.
locals {
  oidc_provider_arn = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}"
}

# The build role: pushes to this project's repositories alone, from the branch's workflow
# alone. No deploy right here: each environment's root creates its own deploy role. A project
# whose images are all on Docker Hub has no ECR repository, and no build role: its build signs
# in to Docker Hub with a token.
data "aws_iam_policy_document" "build" {
  count = length(var.repositories) > 0 ? 1 : 0

  statement {
    sid       = "SignInToEcr"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid = "PushToTheProjectsRepositories"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:DescribeImageScanFindings",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = values(module.ecr.repository_arns)
  }
}

module "build_role" {
  source = "../modules/github-role"
  count  = length(var.repositories) > 0 ? 1 : 0

  name              = "${var.name}-build"
  oidc_provider_arn = local.oidc_provider_arn
  subject           = "repo:${var.github_repository}:ref:refs/heads/${var.github_branch}"
  policy            = data.aws_iam_policy_document.build[0].json
}

# The build role of a state applied before it could be absent.
moved {
  from = module.build_role
  to   = module.build_role[0]
}

# The zone of the ingress hosts. Never destroyed by a plan: its name servers are delegated at
# the registrar, and a new zone gets new ones.
# trivy has no counterpart to the checkov skips below.
resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing needs a KMS key in us-east-1 and a DS record at the registrar: a choice for the zone's owner
  #checkov:skip=CKV2_AWS_39:query logging needs a log group in us-east-1; the records change through this Terraform and ExternalDNS alone
  count   = var.dns_zone == null ? 0 : 1
  name    = var.dns_zone
  comment = "${var.name}: the services' hosts (gen)"

  lifecycle {
    prevent_destroy = true
  }
}

# The vault every environment's backups are kept in, with the key of the shared root: an
# environment destroyed, its recovery points stay here until their retention ends. AWS Backup
# refuses to delete a vault that still holds one.
resource "aws_backup_vault" "this" {
  count       = var.backups ? 1 : 0
  name        = "${var.name}-backups"
  kms_key_arn = aws_kms_key.shared.arn
}

# AWS Backup acting for this account alone (the confused deputy).
# No one deletes a recovery point or shortens its retention while this policy stands,
# whatever their IAM rights (an administrator's, the Terraform workflow's apply role's): each
# is deleted by AWS Backup's lifecycle when its retention ends. An administrator can still
# remove the policy first (a deliberate act, in CloudTrail), as the apply role would through
# a reviewed plan; a vault lock would bind even them.
resource "aws_backup_vault_policy" "this" {
  count             = var.backups ? 1 : 0
  backup_vault_name = aws_backup_vault.this[0].name
  policy            = data.aws_iam_policy_document.backup_vault.json
}

data "aws_iam_policy_document" "backup_vault" {
  statement {
    sid       = "RecoveryPointsExpireAlone"
    effect    = "Deny"
    actions   = ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "backup_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

# The role AWS Backup takes and restores the volumes' snapshots as (AWS's managed policies
# for it).
resource "aws_iam_role" "backup" {
  count              = var.backups ? 1 : 0
  name               = "${var.name}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_trust.json
}

resource "aws_iam_role_policy_attachment" "backup" {
  for_each   = toset(var.backups ? ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"] : [])
  role       = aws_iam_role.backup[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/${each.value}"
}

# Who hears of a backup that did not happen: every environment's alert addresses, mailed by
# CloudWatch within the hour when a job of the vault failed, was aborted (cancelled before it
# completed) or expired (never started within its start window). The Prometheus of each
# cluster never sees AWS Backup. Each address confirms its subscription once, from the mail
# AWS sends (README.md, "Backups"); until then it receives nothing.
locals {
  backup_job_alarms = {
    failed  = { metric = "NumberOfBackupJobsFailed", what = "failed" }
    aborted = { metric = "NumberOfBackupJobsAborted", what = "was aborted before it completed" }
    expired = { metric = "NumberOfBackupJobsExpired", what = "expired: it never started within its start window" }
  }
  backup_alerts = var.backups && length(var.alert_emails) > 0
}

# The alert topics' own key, this one's and each environment's (its alarms' and
# Alertmanager's: the platform root): CloudWatch may use it to publish, and no other key of
# the project (the images' and the backups' stays the account's and its services' alone).
# Alertmanager's role is granted its use by its own policy.
resource "aws_kms_key" "alerts" {
  count                   = length(var.alert_emails) > 0 ? 1 : 0
  description             = "${var.name}: the alert topics"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.alerts_key.json
}

moved {
  from = aws_kms_key.backup_alerts
  to   = aws_kms_key.alerts
}

data "aws_iam_policy_document" "alerts_key" {
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
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic" "backup_alerts" {
  count             = local.backup_alerts ? 1 : 0
  name              = "${var.name}-backup-alerts"
  kms_master_key_id = aws_kms_key.alerts[0].arn
}

resource "aws_sns_topic_subscription" "backup_alerts" {
  for_each  = toset(local.backup_alerts ? var.alert_emails : [])
  topic_arn = aws_sns_topic.backup_alerts[0].arn
  protocol  = "email"
  endpoint  = each.value
}

# Each on the sum of every series of the metric that names the vault, whatever other
# dimension (the resource type) it carries: a Metrics Insights query.
resource "aws_cloudwatch_metric_alarm" "backup_jobs" {
  for_each = local.backup_alerts ? local.backup_job_alarms : {}

  alarm_name          = "${var.name}-backup-jobs-${each.key}"
  alarm_description   = "A backup job of the vault ${aws_backup_vault.this[0].name} ${each.value.what}: aws backup list-backup-jobs --by-backup-vault-name ${aws_backup_vault.this[0].name} --by-state ${upper(each.key)} says which and why."
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # No job in the hour: nothing went wrong.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.backup_alerts[0].arn]

  metric_query {
    id          = "jobs"
    expression  = "SELECT SUM(${each.value.metric}) FROM \"AWS/Backup\" WHERE BackupVaultName = '${aws_backup_vault.this[0].name}'"
    period      = 3600 # seconds
    return_data = true
  }
}
