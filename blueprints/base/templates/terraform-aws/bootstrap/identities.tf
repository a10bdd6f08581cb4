# GitHub Actions' OIDC provider and the roles the Terraform workflow
# (.github/workflows/terraform.yml) assumes with it, with no stored key: created here, by the
# person who applies this root once (nothing can apply before some role may), so that every
# later plan and apply of the shared, platform and cluster roots is the workflow's. They live
# in this root's state, which no environment's destroy touches.
#
# `terraform-plan` trusts this repository's pull requests, and nothing else. Any pull request
# of this repository's own branches gets it (a workflow added in that branch included), so it
# reads no secret: the state (this bucket, through its key) and the few reads the roots' data
# sources make. Its plans run with -lock=false and -refresh=false: they compare the code with
# the state and read no resource. It cannot sign in to a cluster, so pull requests do not plan
# `cluster/`: each apply job plans it after its environment's reviewers, and the drift check
# every day.
#
# `terraform-drift` trusts the GitHub environment of the scheduled drift checks alone
# (terraform-drift, whose branch rule holds it to the branch, where a push passed the branch's
# review; not the branch itself, whose every push's build job may ask for a token): AWS's
# ReadOnlyAccess (a full refresh reads every resource of the roots), the state, and a view of
# every Kubernetes object of the clusters through an access entry (`cluster/` refreshes its
# Helm releases, whose records are Secrets). A reader, never a writer.
#
# `terraform-apply` creates everything the roots hold: AdministratorAccess (the roots create IAM
# roles and policies, KMS keys with their policies, a VPC and a cluster; no narrower managed
# policy covers them) except what this root holds (an explicit deny: the Terraform roles, the
# OIDC provider, the state's bucket and key), and cluster-admin on each cluster through an
# access entry (`cluster/` works inside them). It trusts the Terraform GitHub environments
# alone (the shared root's, terraform-shared, and each environment's), whose required
# reviewers and branch limit gate every apply.

locals {
  issuer   = "token.actions.githubusercontent.com"
  pipeline = var.github_repository != null
  # Each role and the longest session a job may ask for (an apply that creates a cluster and
  # waits for certificates outlasts AWS's default hour).
  terraform_roles = local.pipeline ? { plan = 3600, drift = 3600, apply = 7200 } : {}
}

# GitHub Actions' OIDC issuer, trusted for AWS's STS audience. IAM validates GitHub's token
# against its own trusted root CAs: no thumbprint to pin and rotate. An account holds one
# provider per issuer: with `github_oidc_provider = false`, another stack's is used.
resource "aws_iam_openid_connect_provider" "github" {
  count          = local.pipeline && var.github_oidc_provider ? 1 : 0
  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
}

locals {
  oidc_provider_arn = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}"
}

# Each role's trust, written out one by one (so that checkov's CKV_AWS_358 reads each subject):
# GitHub's token for AWS's STS audience, of this repository, of the subjects the role trusts.
data "aws_iam_policy_document" "terraform_trust_plan" {
  count = local.pipeline ? 1 : 0
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["repo:${var.github_repository}:pull_request"]
    }
  }
}

data "aws_iam_policy_document" "terraform_trust_drift" {
  count = local.pipeline ? 1 : 0
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["repo:${var.github_repository}:environment:${var.drift_environment}"]
    }
  }
}

data "aws_iam_policy_document" "terraform_trust_apply" {
  count = local.pipeline ? 1 : 0
  #checkov:skip=CKV_AWS_358:checkov cannot evaluate a subject list built from variables; each is repo:OWNER/NAME:environment:ENV, no part a wildcard (the variables' validations)
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = formatlist("repo:${var.github_repository}:environment:%s", var.apply_environments)
    }
  }
}

locals {
  terraform_trust = {
    plan  = one(data.aws_iam_policy_document.terraform_trust_plan[*].json)
    drift = one(data.aws_iam_policy_document.terraform_trust_drift[*].json)
    apply = one(data.aws_iam_policy_document.terraform_trust_apply[*].json)
  }
}

resource "aws_iam_role" "terraform" {
  for_each             = local.terraform_roles
  name                 = "${var.name}-terraform-${each.key}"
  assume_role_policy   = local.terraform_trust[each.key]
  max_session_duration = each.value
  # The provider first: a trust policy may not name a provider that does not exist.
  depends_on = [aws_iam_openid_connect_provider.github]
}

# Every role reads the state, encrypted with the bucket's key; the apply role writes it (its
# AdministratorAccess covers that).
data "aws_iam_policy_document" "state_read" {
  statement {
    sid       = "ListTheStates"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }
  statement {
    sid       = "ReadTheStates"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/*"]
  }
  statement {
    sid       = "DecryptTheStates"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "state_read" {
  for_each = toset([for role in ["plan", "drift"] : role if local.pipeline])
  name     = "terraform-state-read"
  role     = aws_iam_role.terraform[each.key].id
  policy   = data.aws_iam_policy_document.state_read.json
}

# The reads the roots' data sources make in a plan that refreshes nothing: the zones the VPC
# spans, the add-ons' default versions, an existing VPC and its subnets.
data "aws_iam_policy_document" "plan_data_sources" {
  statement {
    sid = "ReadTheRootsDataSources"
    actions = [
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "eks:DescribeAddonVersions",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "ReadTheVpcsAttributes"
    actions   = ["ec2:DescribeVpcAttribute"]
    resources = ["arn:aws:ec2:*:${var.account_id}:vpc/*"]
  }
}

resource "aws_iam_role_policy" "plan_data_sources" {
  count  = local.pipeline ? 1 : 0
  name   = "terraform-plan-data-sources"
  role   = aws_iam_role.terraform["plan"].id
  policy = data.aws_iam_policy_document.plan_data_sources.json
}

resource "aws_iam_role_policy_attachment" "drift_read_only" {
  count      = local.pipeline ? 1 : 0
  role       = aws_iam_role.terraform["drift"].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "apply_administrator" {
  #checkov:skip=CKV_AWS_274:the apply role creates every IAM role, policy, key, network and cluster of the roots; only a reviewed run in a Terraform GitHub environment assumes it
  count      = local.pipeline ? 1 : 0
  role       = aws_iam_role.terraform["apply"].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# What AdministratorAccess leaves to this root alone: the apply role may not change the
# Terraform workflow's roles (their trust and policies, this deny included), GitHub's OIDC
# provider, nor the state's bucket, key and older versions, so that no root's apply or
# destroy, a mistaken one included, takes down what every root stands on. An explicit deny
# outweighs any allow. It is a guard rail, not a boundary: the roots create IAM roles, so a
# reviewed apply could still create a new role of any power; the reviewers of each apply
# environment are the boundary. Changing these is this root's, applied by a person.
data "aws_iam_policy_document" "apply_keeps_bootstrap" {
  statement {
    sid    = "KeepTheTerraformRoles"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy",
      "iam:DeleteRole",
      "iam:DeleteRolePermissionsBoundary",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = ["arn:aws:iam::${var.account_id}:role/${var.name}-terraform-*"]
  }
  statement {
    sid    = "KeepGitHubsOIDCProvider"
    effect = "Deny"
    actions = [
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ]
    resources = [local.oidc_provider_arn]
  }
  statement {
    sid    = "KeepTheStateBucket"
    effect = "Deny"
    actions = [
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketAcl",
      "s3:PutBucketObjectLockConfiguration",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:PutReplicationConfiguration",
    ]
    resources = [aws_s3_bucket.state.arn]
  }
  statement {
    sid       = "KeepTheStatesVersions"
    effect    = "Deny"
    actions   = ["s3:DeleteObjectVersion"]
    resources = ["${aws_s3_bucket.state.arn}/*"]
  }
  statement {
    sid    = "KeepTheStateKey"
    effect = "Deny"
    actions = [
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
    ]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "apply_keeps_bootstrap" {
  count  = local.pipeline ? 1 : 0
  name   = "terraform-apply-keeps-bootstrap"
  role   = aws_iam_role.terraform["apply"].id
  policy = data.aws_iam_policy_document.apply_keeps_bootstrap.json
}
