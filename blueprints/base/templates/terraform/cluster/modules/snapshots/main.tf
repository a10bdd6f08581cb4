# Scheduled snapshots of the services' volumes (spec: persistence.backup): the snapscheduler
# operator, which takes and prunes the snapshots each chart's SnapshotSchedule asks for, and
# the VolumeSnapshotClasses its schedules name. AKS runs the CSI snapshot controller and
# serves the snapshot API, but creates no VolumeSnapshotClass.

resource "helm_release" "snapscheduler" {
  name             = "snapscheduler"
  repository       = "https://backube.github.io/helm-charts/"
  chart            = "snapscheduler"
  version          = var.snapscheduler_chart_version
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true
}

# The classes the AKS documentation has you create (Azure Disk CSI driver: incremental
# snapshots; Azure Files CSI driver): snapshots of a deleted VolumeSnapshot are deleted with
# it, so a schedule's retention frees what it prunes. They are cluster objects, created before
# any chart's first schedule runs. A Kubernetes manifest resource would need the cluster's API
# at plan time, before this root has created the cluster; a Helm release of the `raw` chart
# applies them at apply time, through the same kubelogin sign-in as every release here.
resource "helm_release" "snapshot_classes" {
  name       = "volume-snapshot-classes"
  repository = "https://bedag.github.io/helm-charts/"
  chart      = "raw"
  version    = var.raw_chart_version
  namespace  = helm_release.snapscheduler.namespace
  atomic     = true
  timeout    = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait       = true

  values = [yamlencode({
    resources = [
      {
        apiVersion     = "snapshot.storage.k8s.io/v1"
        kind           = "VolumeSnapshotClass"
        metadata       = { name = "csi-azuredisk-vsc" }
        driver         = "disk.csi.azure.com"
        deletionPolicy = "Delete"
        parameters     = { incremental = "true" }
      },
      {
        apiVersion     = "snapshot.storage.k8s.io/v1"
        kind           = "VolumeSnapshotClass"
        metadata       = { name = "csi-azurefile-vsc" }
        driver         = "file.csi.azure.com"
        deletionPolicy = "Delete"
      },
    ]
  })]
}
