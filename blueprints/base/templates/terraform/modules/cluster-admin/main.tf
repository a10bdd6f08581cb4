# The Kubernetes data-plane role of whoever administers the cluster, and the wait for it.
#
# The cluster has local accounts off and Azure RBAC on: Owner or Contributor on the
# subscription carry no `dataActions`, so without this role the first namespace or Helm
# release in terraform/cluster/ is refused (403). The role goes to the spec's admin group
# (platform.azure.aks.adminGroup), else to whoever applied this root first: that principal is
# kept in the state, so that the next person or CI principal to apply does not silently take
# the cluster's and the vault's admin roles from the first (they get a 403 and the README's
# advice to name an admin group). An Azure role
# assignment takes minutes to reach the cluster's API server; this root finishes only once
# the API server answers yes, so the in-cluster root applied after it never meets a 403.

data "azurerm_client_config" "current" {}

# The first applier, frozen: later applies by others change nothing here.
resource "terraform_data" "first_applier" {
  input = data.azurerm_client_config.current.object_id

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  principal_id = coalesce(var.admin_group_object_id, terraform_data.first_applier.output)
}

resource "azurerm_role_assignment" "cluster_admin" {
  scope                = var.cluster_id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = local.principal_id
  principal_type       = var.admin_group_object_id == null ? null : "Group"
}

# Polls the API server as the principal running Terraform (the Azure CLI's login, as the
# Helm and Kubernetes providers of terraform/cluster/ sign in) until it may do what
# terraform/cluster/ does first, every 10 s for at most 10 minutes. A bounded poll, not a
# fixed sleep: it returns as soon as the role has arrived, and fails with the reason when it
# never does (an admin group the runner is not a member of); then, the same way, until the
# metrics add-on serves the PodMonitor kind terraform/cluster/ creates. It asks for concrete verbs, not
# `can-i '*' '*'`: AKS's Azure RBAC webhook (Guard) answers a wildcard check only when its
# wildcard support is on, and otherwise never says yes. Needs `az` and `kubectl` on the PATH.
resource "terraform_data" "cluster_access" {
  triggers_replace = [azurerm_role_assignment.cluster_admin.id]

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    environment = {
      SERVER    = var.host
      CA        = var.cluster_ca_certificate
      SERVER_ID = var.server_app_id
    }
    command = <<-EOT
      set -euo pipefail
      ca=$(mktemp)
      trap 'rm -f "$ca"' EXIT
      printf '%s' "$CA" | base64 -d > "$ca"
      # What terraform/cluster/ creates first: the services' namespaces, the charts' CRDs
      # (cert-manager, Gateway API), their cluster roles and bindings, and the deploy
      # identity's RoleBindings (asked in kube-system, which always exists).
      can() {
        kubectl --server "$SERVER" --certificate-authority "$ca" --token "$token" auth can-i "$@" > /dev/null 2>&1
      }
      for attempt in $(seq 1 60); do
        token=$(az account get-access-token --resource "$SERVER_ID" --query accessToken --output tsv)
        if can create namespaces \
          && can create customresourcedefinitions.apiextensions.k8s.io \
          && can create clusterroles.rbac.authorization.k8s.io \
          && can create clusterrolebindings.rbac.authorization.k8s.io \
          && can create rolebindings.rbac.authorization.k8s.io --namespace kube-system; then
          echo "the cluster admin role has reached the API server"
          break
        fi
        if [ "$attempt" = 60 ]; then
          echo "after 10 minutes the API server still refuses this principal: is it in the admin group (spec: platform.azure.aks.adminGroup)?" >&2
          exit 1
        fi
        echo "waiting for the cluster admin role to reach the API server ($attempt/60)"
        sleep 10
      done
      # The metrics add-on (`monitor_metrics` in modules/aks) installs its PodMonitor and
      # ServiceMonitor kinds a few minutes after the cluster exists; terraform/cluster/'s
      # cert-manager scrape is a PodMonitor, each service's chart holds a ServiceMonitor, and
      # Helm refuses a kind the API server does not serve yet.
      for attempt in $(seq 1 60); do
        token=$(az account get-access-token --resource "$SERVER_ID" --query accessToken --output tsv)
        if kubectl --server "$SERVER" --certificate-authority "$ca" --token "$token" \
          get customresourcedefinitions.apiextensions.k8s.io podmonitors.azmonitoring.coreos.com \
          servicemonitors.azmonitoring.coreos.com > /dev/null 2>&1; then
          echo "the metrics add-on serves PodMonitors and ServiceMonitors"
          exit 0
        fi
        echo "waiting for the metrics add-on's PodMonitor and ServiceMonitor kinds ($attempt/60)"
        sleep 10
      done
      echo "after 10 minutes the cluster still serves no podmonitors or servicemonitors of azmonitoring.coreos.com: is the metrics add-on (ama-metrics in kube-system) running? kubectl get pods -n kube-system -l rsName=ama-metrics" >&2
      exit 1
    EOT
  }
}
