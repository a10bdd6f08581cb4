# Argo CD, which deploys the services from git (GitOps): the pipeline only commits a new image
# tag, and nothing outside the cluster holds a credential of it. The UI and API stay inside the
# cluster (`kubectl port-forward svc/argocd-server -n argocd 8080:443`); Dex is off, sign-in is
# the admin account's until SSO is configured.

resource "helm_release" "this" {
  name             = "argocd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = var.chart_version
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600 # seconds: on a fresh cluster pods may wait 3-5 minutes for the autoscaler's next node
  wait             = true

  values = [yamlencode({
    dex = { enabled = false }
    configs = {
      params = { "server.insecure" = false }
    }
    server = {
      service = { type = "ClusterIP" }
    }
  })]
}
