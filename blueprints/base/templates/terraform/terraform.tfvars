# The spec's values; the .tf files beside this one do not change when a value does.
location            = <@ spec.platform.azure.location | hcl @>
resource_group_name = <@ spec.platform.azure.resourceGroup | hcl @>

cluster_name       = <@ spec.platform.azure.aks.name | hcl @>
kubernetes_version = <@ spec.platform.azure.aks.kubernetesVersion | hcl @>
node_vm_size       = <@ spec.platform.azure.aks.nodePool.vmSize | hcl @>
node_min_count     = <@ spec.platform.azure.aks.nodePool.minCount | hcl @>
node_max_count     = <@ spec.platform.azure.aks.nodePool.maxCount | hcl @>
node_disk_size_gb  = <@ spec.platform.azure.aks.nodePool.diskSizeGb | hcl @>
zones              = [<% for zone in spec.platform.azure.aks.zones %><@ zone | hcl @><% if not loop.last %>, <% endif %><% endfor %>]

registry_name = <@ spec.platform.azure.acr.name | hcl @>
registry_sku  = <@ spec.platform.azure.acr.sku | hcl @>

<% if spec.platform.azure.dns is defined %>
dns_zone = <@ spec.platform.azure.dns.zone | hcl @>
<% else %>
dns_zone = null
<% endif %>
ingress_hosts = [
<% for host in spec.services | selectattr("ingress", "defined") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
ingress_namespace  = <@ spec.platform.azure.ingress.namespace | hcl @>
ingress_class_name = <@ spec.platform.azure.ingress.className | hcl @>

namespaces = [
<% for namespace in spec.services | map(attribute="namespace") | unique | sort %>
  <@ namespace | hcl @>,
<% endfor %>
]

github_repository  = <@ spec.platform.github.repository | hcl @>
github_branch      = <@ spec.platform.github.branch | hcl @>
<% if spec.platform.github.environment is defined %>
github_environment = <@ spec.platform.github.environment | hcl @>
<% else %>
github_environment = null
<% endif %>
identity_mode      = <@ spec.platform.azure.identity | hcl @>
deploy             = <@ spec.pipeline.deploy | hcl @>

tags = {
  project    = <@ spec.metadata.name | hcl @>
  managed-by = "gen"
}
