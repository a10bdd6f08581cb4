# AWS Backup takes each backed-up volume's snapshots on the service's schedule and keeps each
# recovery point `retention_days` (three years: 1095), in the shared root's vault. The
# recovery points are AWS Backup's, not the cluster's: deleting the claim, the namespace, the
# cluster or this environment leaves them until their retention ends (a VolumeSnapshot's would
# go with it). The EBS CSI driver tags each volume with its claim's namespace and name and
# with its cluster (modules/eks), which the selection reads.

# AWS Backup's plan and selection names hold 50 characters: a longer `<cluster>-<service>`
# is cut, and ends with a hash of the whole, so that it stays unique.
locals {
  names = {
    for service, _ in var.volumes : service => (
      length("${var.name}-${service}") <= 50 ? "${var.name}-${service}" : "${substr("${var.name}-${service}", 0, 41)}-${substr(sha1("${var.name}-${service}"), 0, 8)}"
    )
  }
}

resource "aws_backup_plan" "this" {
  for_each = var.volumes
  name     = local.names[each.key]

  rule {
    rule_name         = "scheduled"
    target_vault_name = var.vault_name
    schedule          = each.value.schedule
    start_window      = 60
    completion_window = 360

    lifecycle {
      delete_after = each.value.retention_days
    }
  }
}

resource "aws_backup_selection" "this" {
  for_each     = var.volumes
  name         = local.names[each.key]
  plan_id      = aws_backup_plan.this[each.key].id
  iam_role_arn = var.role_arn
  resources    = ["arn:aws:ec2:*:*:volume/*"]

  condition {
    string_equals {
      key   = "aws:ResourceTag/kubernetes.io/created-for/pvc/namespace"
      value = each.value.namespace
    }
    string_equals {
      key   = "aws:ResourceTag/kubernetes.io/created-for/pvc/name"
      value = each.value.claim
    }
    string_equals {
      key   = "aws:ResourceTag/gen/cluster"
      value = var.name
    }
  }
}
