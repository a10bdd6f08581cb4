# The add-ons a working cluster needs, none installed by EKS unasked, each at the version EKS
# marks as the default for the cluster's Kubernetes minor (or the one addon_versions names). The VPC CNI (with its network policy agent: the services' NetworkPolicies are
# enforced), kube-proxy and the Pod Identity agent before the nodes, which need them to become
# Ready; CoreDNS, the EBS CSI driver and the snapshot controller after them, which would
# otherwise be created degraded, with nowhere to run.

locals {
  addons = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver", "snapshot-controller"]
  addon_version = {
    for name in local.addons : name => lookup(var.addon_versions, name, data.aws_eks_addon_version.default[name].version)
  }
  before_nodes = {
    "vpc-cni" = jsonencode({
      enableNetworkPolicy = "true"
    })
    "kube-proxy"             = null
    "eks-pod-identity-agent" = null
  }
}

data "aws_eks_addon_version" "default" {
  for_each           = toset(local.addons)
  addon_name         = each.key
  kubernetes_version = var.kubernetes_version
}

resource "aws_eks_addon" "before_nodes" {
  for_each                    = local.before_nodes
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = local.addon_version[each.key]
  configuration_values        = each.value
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
}

resource "aws_eks_addon" "coredns" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "coredns"
  addon_version               = local.addon_version["coredns"]
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  depends_on                  = [aws_eks_node_group.zone]
}

# The EBS CSI driver's controller acts through a Pod Identity role of its own. It tags each
# volume with this cluster's name (`gen/cluster`) beside its claim's namespace and name, by
# which AWS Backup selects the volumes of this cluster alone (environments in one account have
# the same namespaces and claims).
module "ebs_csi_role" {
  source = "../pod-identity"

  name                = "${var.name}-ebs-csi"
  cluster_name        = aws_eks_cluster.this.name
  cluster_arn         = aws_eks_cluster.this.arn
  account_id          = var.account_id
  namespace           = "kube-system"
  service_account     = "ebs-csi-controller-sa"
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]
  associate           = false
}

resource "aws_eks_addon" "ebs_csi" {
  cluster_name  = aws_eks_cluster.this.name
  addon_name    = "aws-ebs-csi-driver"
  addon_version = local.addon_version["aws-ebs-csi-driver"]
  configuration_values = jsonencode({
    controller = { extraVolumeTags = { "gen/cluster" = var.name } }
  })
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  pod_identity_association {
    role_arn        = module.ebs_csi_role.role_arn
    service_account = "ebs-csi-controller-sa"
  }

  depends_on = [aws_eks_node_group.zone, aws_eks_addon.before_nodes]
}

resource "aws_eks_addon" "snapshot_controller" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "snapshot-controller"
  addon_version               = local.addon_version["snapshot-controller"]
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  depends_on                  = [aws_eks_node_group.zone]
}
