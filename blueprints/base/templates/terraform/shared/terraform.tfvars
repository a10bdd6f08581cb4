<# The shared root's values, once per project: the first environment on Azure's registry,
   repository and region, and the DNS zone of every environment on Azure, each once. #>
<% set azure_envs = environments | selectattr("platform", "eq", "azure") | list %>
<% set first = azure_envs[0].spec %>
# What every environment shares (terraform/README.md): applied once, before any environment.
name                = <@ first.metadata.name | hcl @>
location            = <@ first.platform.azure.location | hcl @>
resource_group_name = <@ (first.metadata.name ~ "-shared") | hcl @>

# The registry every environment pulls the promoted image from.
registry_name = <@ first.platform.azure.acr.name | hcl @>
registry_sku  = <@ first.platform.azure.acr.sku | hcl @>
<% set host = first.platform.azure.acr.name ~ ".azurecr.io/" %>
# Releases kept for rollbacks: the tags older than after_days are deleted weekly, the keep
# newest of each repository excepted.
registry_purge = {
  repositories = [
<% for repository in first.services | map(attribute="image.repository") | unique | sort if repository[:host | length] == host %>
    <@ repository[host | length:] | hcl @>,
<% endfor %>
  ]
  after_days = <@ first.platform.azure.acr.purge.afterDays @>
  keep       = <@ first.platform.azure.acr.purge.keep @>
}

<% set zones = azure_envs | map(attribute="spec.platform.azure") | selectattr("dns", "defined") | map(attribute="dns.zone") | unique | sort | list %>
<% if zones %>
# The public DNS zones of the ingress hosts, each delegated once.
dns_zones = [
<% for zone in zones %>
  <@ zone | hcl @>,
<% endfor %>
]
<% else %>
dns_zones = []
<% endif %>

# GitHub: the build identity trusts this repository's branch alone.
github_repository = <@ first.platform.github.repository | hcl @>
github_branch     = <@ first.platform.github.branch | hcl @>
identity_mode     = <@ first.platform.azure.identity | hcl @>

tags = {
  project    = <@ first.metadata.name | hcl @>
  managed-by = "gen"
}
