# The cluster: the API's access entries alone (no aws-auth ConfigMap), with cluster-admin for
# the spec's admin roles alone: the identity that creates the cluster gets no right of its
# own, so that no one holds it because they applied first. The mode `API` cannot be switched
# back to the ConfigMap. Secrets encrypted with a key of the cluster's own, the five
# control-plane log types kept a year, the endpoint inside the VPC always and on the internet
# only to the spec's ranges, and a managed node group over the private subnets of every zone
# (an EBS volume lives in one zone: a node of each zone can mount it).

locals {
  log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  # Graviton instance types (m7g, c8g, ...) run the Arm image.
  arm = alltrue([for t in var.node_group.instance_types : can(regex("^[a-z]+[0-9]+g[a-z]*\\.", t))])
}

data "aws_region" "current" {}

# The key of the cluster's Secrets and of its log group. CloudWatch Logs may use it for this
# cluster's log group alone.
resource "aws_kms_key" "cluster" {
  description             = "EKS ${var.name}: Secrets and control-plane logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.cluster_key.json
}

data "aws_iam_policy_document" "cluster_key" {
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
    sid       = "LogsEncryptTheClustersLogGroup"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${data.aws_region.current.region}:${var.account_id}:log-group:/aws/eks/${var.name}/cluster"]
    }
  }
}

resource "aws_kms_alias" "cluster" {
  name          = "alias/eks-${var.name}"
  target_key_id = aws_kms_key.cluster.key_id
}

# Made before the cluster, which would otherwise create it with no retention and no key.
resource "aws_cloudwatch_log_group" "cluster" {
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.cluster.arn
}

data "aws_iam_policy_document" "cluster_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_trust.json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

# trivy agrees with the checkov skips below: AWS-0040 (public endpoint), as CKV_AWS_39, and
# AWS-0041 (public endpoint to every address), as CKV_AWS_38.
#trivy:ignore:AWS-0040
#trivy:ignore:AWS-0041
resource "aws_eks_cluster" "this" {
  #checkov:skip=CKV_AWS_38:the pipeline's jobs reach the API server from GitHub-hosted runners, whose thousands of ranges EKS cannot list (gen explain SPEC182); sign-in is IAM's and the access entries'
  #checkov:skip=CKV_AWS_39:the pipeline's jobs reach the API server from GitHub-hosted runners, whose thousands of ranges EKS cannot list (gen explain SPEC182); sign-in is IAM's and the access entries'
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  # The add-ons are this module's aws_eks_addon resources, pinned: none installed unasked.
  bootstrap_self_managed_addons = false

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public
    public_access_cidrs     = var.endpoint_public ? var.public_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.cluster.arn
    }
  }

  enabled_cluster_log_types = local.log_types

  # At the end of its standard support AWS upgrades the cluster to the next minor, rather
  # than charging extended support (six times the hourly price) for an old one.
  upgrade_policy {
    support_type = "STANDARD"
  }

  depends_on = [aws_iam_role_policy_attachment.cluster, aws_cloudwatch_log_group.cluster]
}

# Cluster-admin for each of the spec's admin roles, through an access entry.
resource "aws_eks_access_entry" "admin" {
  for_each      = toset(var.admin_roles)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
}

resource "aws_eks_access_policy_association" "admin" {
  for_each      = toset(var.admin_roles)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[each.key].principal_arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  access_scope {
    type = "cluster"
  }
}

# A view of every object, Secrets included, for each of the view roles (the Terraform
# workflow's drift check, whose `cluster/` refresh reads Helm's release records).
resource "aws_eks_access_entry" "view" {
  for_each      = toset(var.view_roles)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
}

resource "aws_eks_access_policy_association" "view" {
  for_each      = toset(var.view_roles)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.view[each.key].principal_arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"
  access_scope {
    type = "cluster"
  }
}

# The nodes' role: joining the cluster, the VPC CNI's addresses, pulling from ECR; nothing a
# workload needs (each has a Pod Identity role of its own, and the nodes' instance metadata
# is out of pods' reach: one hop).
data "aws_iam_policy_document" "node_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_trust.json
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each   = toset(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"])
  role       = aws_iam_role.node.name
  policy_arn = "arn:aws:iam::aws:policy/${each.value}"
}

# IMDSv2 alone, one hop (pods cannot reach the node's credentials), an encrypted gp3 root disk.
resource "aws_launch_template" "node" {
  name_prefix            = "${var.name}-node-"
  update_default_version = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.node_group.disk_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${var.name}-node" }
  }
}

# A managed node group per zone, each in its zone's subnets: an EBS volume is bound to one
# zone, and Cluster Autoscaler adds a node to the group whose zone a pending pod's volume is
# in (a group across zones would add one in whichever zone its ASG balances to, where the pod
# cannot run). `--balance-similar-node-groups` (cluster/) keeps the groups the same size. Each
# gets minSize and maxSize divided among the zones, rounded up.
locals {
  zone_count = length(var.zones)
}

# The one group across the zones a cluster of an older gen has (`<cluster>-apps`) is
# forgotten, not destroyed: its nodes keep the pods running while the zones' groups come up.
# Its deletion is a person's, once they run (README.md, "Known limits").
removed {
  from = aws_eks_node_group.this
  lifecycle {
    destroy = false
  }
}

resource "aws_eks_node_group" "zone" {
  for_each        = toset(var.zones)
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-apps-${each.key}"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.node_subnets[each.key]
  instance_types  = var.node_group.instance_types
  ami_type        = local.arm ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD"
  version         = var.kubernetes_version

  launch_template {
    name    = aws_launch_template.node.name
    version = aws_launch_template.node.latest_version
  }

  scaling_config {
    desired_size = ceil(var.node_group.min_size / local.zone_count)
    min_size     = ceil(var.node_group.min_size / local.zone_count)
    max_size     = ceil(var.node_group.max_size / local.zone_count)
  }

  update_config {
    max_unavailable = 1
  }

  # The CNI, kube-proxy and the Pod Identity agent come first: a node without them never
  # becomes Ready.
  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_eks_addon.before_nodes,
  ]

  lifecycle {
    # What scales the group changes its size; a plan does not undo it.
    ignore_changes = [scaling_config[0].desired_size]
  }
}
