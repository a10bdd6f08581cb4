# The platform of one environment on AWS: its VPC, its EKS cluster and their add-ons, the
# roles the in-cluster controllers act as (EKS Pod Identity), the hosts' ACM certificates,
# the deploy role and the volumes' backup plans, one module each. What runs inside the
# cluster (the namespaces, the load balancer controller, ExternalDNS, the storage classes,
# the deploy role's Role) is the root in cluster/, applied after this one: its
# Helm and Kubernetes providers are configured from this root's outputs, never from a cluster
# created in the same plan.
#
# One environment per Terraform workspace, each applied with its own values
# (environments/<name>.tfvars; terraform.tfvars for a spec with one environment). Its network,
# and the shared root's outputs it reads (local.shared), are network.tf's.

module "eks" {
  source = "./modules/eks"

  name               = var.cluster_name
  account_id         = var.account_id
  kubernetes_version = var.kubernetes_version
  subnet_ids         = local.node_subnet_ids
  zones              = local.existing == null ? local.zones : local.node_zones
  node_subnets       = local.node_subnets
  endpoint_public    = var.endpoint_public
  public_cidrs       = var.endpoint_public_cidrs
  admin_roles        = concat(var.admin_roles, var.terraform_roles == null ? [] : [var.terraform_roles.apply])
  view_roles         = var.terraform_roles == null ? [] : [var.terraform_roles.drift]
  node_group         = var.node_group
  addon_versions     = var.addon_versions
}

# The AWS Load Balancer Controller's role (cluster/ installs it in kube-system): the policy
# its release publishes (docs/install/iam_policy.json), kept beside this file.
module "load_balancer_controller_role" {
  source = "./modules/pod-identity"

  name            = "${var.cluster_name}-load-balancer-controller"
  cluster_name    = module.eks.name
  cluster_arn     = module.eks.arn
  account_id      = var.account_id
  namespace       = "kube-system"
  service_account = "aws-load-balancer-controller"
  policy          = file("${path.module}/load-balancer-controller-policy.json")
}

# Cluster Autoscaler (cluster/ installs it in kube-system) grows the node group up to
# maxSize while pods wait for room, and shrinks it back to minSize: it reads every group and
# instance type, and may change the size of, or stop an instance in, this cluster's groups
# alone (EKS tags a managed node group's Auto Scaling group
# `k8s.io/cluster-autoscaler/<cluster>` = `owned`). The project's own policy, from its
# documentation (cluster-autoscaler/cloudprovider/aws/README.md, "IAM Policy").
data "aws_iam_policy_document" "cluster_autoscaler" {
  #checkov:skip=CKV_AWS_356:Describe* and GetInstanceTypesFromInstanceRequirements take no resource; the writes are held to this cluster's groups by their tag
  statement {
    sid = "ReadTheGroups"
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
      "eks:DescribeNodegroup",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "ScaleThisClustersGroups"
    actions   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}"
      values   = ["owned"]
    }
  }
}

module "cluster_autoscaler_role" {
  source = "./modules/pod-identity"

  name            = "${var.cluster_name}-cluster-autoscaler"
  cluster_name    = module.eks.name
  cluster_arn     = module.eks.arn
  account_id      = var.account_id
  namespace       = "kube-system"
  service_account = "cluster-autoscaler"
  policy          = data.aws_iam_policy_document.cluster_autoscaler.json
}

# ExternalDNS writes each Ingress host's alias record in the zone, and may change that zone
# alone: the load balancer's address is known only once the controller has made it, after the
# first deploy.
data "aws_iam_policy_document" "external_dns" {
  count = var.dns_zone == null ? 0 : 1
  statement {
    sid       = "ChangeTheZonesRecords"
    actions   = ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"]
    resources = [local.shared.dns_zone_arn]
  }
  statement {
    sid       = "FindTheZone"
    actions   = ["route53:ListHostedZones"]
    resources = ["*"]
  }
}

module "external_dns_role" {
  source = "./modules/pod-identity"
  count  = var.dns_zone == null ? 0 : 1

  name            = "${var.cluster_name}-external-dns"
  cluster_name    = module.eks.name
  cluster_arn     = module.eks.arn
  account_id      = var.account_id
  namespace       = "kube-system"
  service_account = "external-dns"
  policy          = data.aws_iam_policy_document.external_dns[0].json
}

module "certificates" {
  source = "./modules/certificates"
  count  = var.dns_zone == null ? 0 : 1

  hosts   = var.tls_hosts
  zone_id = local.shared.dns_zone_id
}

# The deploy role: it trusts this environment's GitHub environment alone, may find this
# cluster alone, and inside it is the Kubernetes group `gen-deploy`, which cluster/ gives a
# Role in each of this environment's service namespaces (no cluster-wide right; a guest
# environment's role below is a group of its own, in its own namespaces): to deploy with Helm, or with GitOps
# to read Argo CD's Applications and the services' routes while it waits for a release. In the
# project's repositories it tags the release it deployed `deployed-<environment>`, the one tag
# the repositories let move, which their lifecycle policy never expires (modules/ecr): a node
# that pulls the running release again, or a rollback to it, finds it however many releases
# followed.
data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "FindTheCluster"
    actions   = ["eks:DescribeCluster"]
    resources = [module.eks.arn]
  }
  statement {
    sid       = "SignInToEcr"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid = "TagTheDeployedRelease"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:PutImage",
    ]
    resources = values(local.shared.repository_arns)
  }
}

module "deploy_role" {
  source = "./modules/github-role"

  name              = "${var.cluster_name}-deploy"
  oidc_provider_arn = local.shared.github_oidc_provider_arn
  subject           = "repo:${var.github_repository}:environment:${var.github_environment}"
  policy            = data.aws_iam_policy_document.deploy.json
}

# (One for either way of deploying: a state from when GitOps had none keeps its role.)
moved {
  from = module.deploy_role[0]
  to   = module.deploy_role
}

moved {
  from = aws_eks_access_entry.deploy[0]
  to   = aws_eks_access_entry.deploy
}

resource "aws_eks_access_entry" "deploy" {
  cluster_name      = module.eks.name
  principal_arn     = module.deploy_role.arn
  kubernetes_groups = ["gen-deploy"] # cluster/ binds its Role to the group
}

# The environments on this cluster that an earlier environment's values create for them
# (guests: the same platform.aws.eks.name): each one's deploy role trusts its own GitHub
# environment alone and is the group `gen-deploy-<environment>` in the cluster, which cluster/
# binds in its namespaces alone, as this environment's role is in its own. Its hosts'
# certificates and its volumes' backups are this root's (tls_hosts, backups); what it runs is
# its own load balancer's (its Ingresses' `group.name`).
module "guest_deploy_role" {
  source   = "./modules/github-role"
  for_each = var.guests

  name              = "${var.cluster_name}-${each.key}-deploy"
  oidc_provider_arn = local.shared.github_oidc_provider_arn
  subject           = "repo:${var.github_repository}:environment:${each.value.github_environment}"
  policy            = data.aws_iam_policy_document.deploy.json
}

resource "aws_eks_access_entry" "guest_deploy" {
  for_each = var.guests

  cluster_name      = module.eks.name
  principal_arn     = module.guest_deploy_role[each.key].arn
  kubernetes_groups = ["gen-deploy-${each.key}"] # cluster/ binds its Role to the group
}

module "backup" {
  source = "./modules/backup"
  count  = length(var.backups) > 0 ? 1 : 0

  name       = var.cluster_name
  vault_name = local.shared.backup_vault_name
  role_arn   = local.shared.backup_role_arn
  volumes    = var.backups
}
