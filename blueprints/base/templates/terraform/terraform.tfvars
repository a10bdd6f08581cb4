<# The spec's values for the root module: terraform.tfvars for a spec with one environment,
   environments/<name>.tfvars for each environment on Azure (`spec` is then that
   environment's, and `environment` is defined). #>
<% set declared = environment is defined and environment.declared %>
<% set azure_envs = environments | selectattr("platform", "eq", "azure") | list %>
<% set state = azure_envs[0].spec.platform.terraformState %>
<% if declared %>
# The values of the environment <@ environment.name | text @>, applied in its own workspace (terraform/README.md):
#   terraform workspace select -or-create <@ environment.name | text @>
#   terraform plan -var-file=environments/<@ environment.name | text @>.tfvars
# The .tf files beside them do not change when a value does.
environment = <@ environment.name | hcl @>

<% else %>
# The spec's values; the .tf files beside this one do not change when a value does.
<% endif %>
# Where the state is: this root reads the registry, the build identity and the DNS zones from
# the shared root's (shared/), applied first.
state_resource_group_name  = <@ state.resourceGroup | hcl @>
state_storage_account_name = <@ state.storageAccount | hcl @>
state_container_name       = <@ state.container | hcl @>
shared_state_key           = <@ (spec.metadata.name ~ "-shared.tfstate") | hcl @>

location            = <@ spec.platform.azure.location | hcl @>
resource_group_name = <@ spec.platform.azure.resourceGroup | hcl @>

cluster_name             = <@ spec.platform.azure.aks.name | hcl @>
kubernetes_version       = <@ spec.platform.azure.aks.kubernetesVersion | hcl @>
system_node_vm_size      = <@ spec.platform.azure.aks.systemPool.vmSize | hcl @>
system_node_count        = <@ spec.platform.azure.aks.systemPool.count | hcl @>
system_node_disk_size_gb = <@ spec.platform.azure.aks.systemPool.diskSizeGb | hcl @>
node_vm_size             = <@ spec.platform.azure.aks.nodePool.vmSize | hcl @>
node_min_count           = <@ spec.platform.azure.aks.nodePool.minCount | hcl @>
node_max_count           = <@ spec.platform.azure.aks.nodePool.maxCount | hcl @>
node_disk_size_gb        = <@ spec.platform.azure.aks.nodePool.diskSizeGb | hcl @>
zones                    = [<% for zone in spec.platform.azure.aks.zones %><@ zone | hcl @><% if not loop.last %>, <% endif %><% endfor %>]

<% set pod_security = spec.platform.azure.aks.podSecurity %>
# The Pod Security Standard every namespace is held to, through Azure Policy.
pod_security = {
  standard = <@ pod_security.standard | hcl @>
  effect   = <@ pod_security.effect | hcl @>
}
defender = <@ spec.platform.azure.aks.defender | hcl @>
aks_tier = <@ spec.platform.azure.aks.tier | hcl @>

# The cluster's own network.
network_address_space = <@ spec.platform.azure.network.addressSpace | hcl @>
network_nodes_subnet  = <@ spec.platform.azure.network.nodesSubnet | hcl @>
<% if spec.platform.azure.aks.apiServerAuthorizedIpRanges is defined %>
# The API server answers these, and the nodes' own address, alone.
api_authorized_ip_ranges = [
<% for range in spec.platform.azure.aks.apiServerAuthorizedIpRanges %>
  <@ range | hcl @>,
<% endfor %>
]
<% endif %>

<% if spec.platform.azure.monitoring.alertEmails %>
# Who hears of the cluster's alerts.
alert_emails = [
<% for email in spec.platform.azure.monitoring.alertEmails %>
  <@ email | hcl @>,
<% endfor %>
]

<% endif %>
<% set window = spec.platform.azure.aks.maintenanceWindow %>
# When AKS may upgrade the cluster and update its nodes' OS, weekly.
maintenance_window = {
  day_of_week    = <@ window.dayOfWeek | hcl @>
  start_time     = <@ window.startTime | hcl @>
  utc_offset     = <@ window.utcOffset | hcl @>
  duration_hours = <@ window.durationHours @>
}

<% if spec.platform.azure.dns is defined %>
# The zone, created by the shared root: this environment's records go there.
dns_zone = <@ spec.platform.azure.dns.zone | hcl @>
<% else %>
dns_zone = null
<% endif %>
ingress_hosts = [
<% for host in spec.services | selectattr("ingress", "defined") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
# Served over TLS: cert-manager issues their certificates, and alerts when one fails to renew.
tls_hosts = [
<% for host in spec.services | selectattr("ingress", "defined") | selectattr("ingress.tls") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
<% if spec.platform.azure.externalHosts is defined %>
# Kept at another DNS provider: point each at the ingress_ip output there (ingress_nginx_ip
# for the host of a service with `route: ingress` while the Gateway runs too).
external_hosts = [
<% for host in spec.platform.azure.externalHosts | sort %>
  <@ host | hcl @>,
<% endfor %>
]
<% endif %>
ingress_namespace  = <@ spec.platform.azure.ingress.namespace | hcl @>
ingress_class_name = <@ spec.platform.azure.ingress.className | hcl @>

namespaces = [
<% for namespace in spec.services | map(attribute="namespace") | unique | sort %>
  <@ namespace | hcl @>,
<% endfor %>
]

# What collects the services' metrics and keeps their logs (spec: observability): Azure
# Monitor's managed Prometheus and Container Insights (the cluster's own alerts use them even
# when the services are not watched), or kube-prometheus-stack and Loki in the cluster, which
# terraform/cluster installs.
metrics_stack = <@ (platform.observability.metrics or "managed") | hcl @>
logs_stack    = <@ (platform.observability.logs or "cloud") | hcl @>

# The services whose SLO rules (monitoring/rules.yaml, tested by promtool) the
# metrics stack evaluates (Azure Monitor's rule groups, or the PrometheusRule beside them in
# the cluster), and sends to alert_emails.
slo_services = [
<% if spec.observability.enabled %>
<% for svc in spec.services | sort(attribute="name") %>
<% if runtimes[svc.blueprint].metrics is defined and runtimes[svc.blueprint].metrics.requests is defined %>
  <@ svc.name | hcl @>,
<% endif %>
<% endfor %>
<% endif %>
]
<% set azure_envs = environments | selectattr("platform", "eq", "azure") | list %>
<% set pages = not (environment is defined and environment.declared) or environment.name == azure_envs[-1].name %>
# Whether their critical alerts page here: only the last environment on Azure in promotion
# order pages; before it, every SLO alert is a ticket (Azure severity 2).
slo_pages = <@ pages | json @>

<% if spec.platform.azure.aks.adminGroup is defined %>
# The group given the cluster's data-plane admin role; whoever applies Terraform must be in it.
admin_group_object_id = <@ spec.platform.azure.aks.adminGroup | hcl @>
<% else %>
# The cluster's data-plane admin role goes to whoever applied Terraform first (kept in the
# state; `terraform apply -replace=module.cluster_admin.terraform_data.first_applier` moves it).
admin_group_object_id = null
<% endif %>

# The services with secretEnv: each one's values are in a vault of its own, read by its own
# identity alone.
<% set secret_services = spec.services | selectattr("secretEnv") | list %>
<% if secret_services %>
secret_services = {
<% for svc in secret_services %>
  <@ svc.name | hcl @> = {
    vault     = <@ spec.platform.azure.keyVault.vaults[svc.name] | hcl @>
    namespace = <@ svc.namespace | hcl @>
    secrets   = [<% for name in svc.secretEnv %><@ name | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
  }
<% endfor %>
}
<% else %>
secret_services = {}
<% endif %>
<% set kinds = namespace(routes=false, ingresses=false) %>
<% for svc in spec.services if svc.ingress is defined %>
<% if svc.ingress.route == "httproute" %><% set kinds.routes = true %><% else %><% set kinds.ingresses = true %><% endif %>
<% endfor %>
<% if kinds.ingresses %>

# A service asks for an Ingress (`route: ingress`): the in-cluster root installs ingress-nginx,
# which upstream stopped fixing in March 2026 (`gen explain K8S047`). Remove `route: ingress`
# to route through the Gateway instead.
ingress_nginx = true
<% endif %>
<% if kinds.routes %>

# A service routes through an HTTPRoute: the in-cluster root installs Envoy Gateway and
# creates the Gateway it attaches to, and the deploy identity's Role covers HTTPRoutes.
http_routes = true
gateway = {
  name      = <@ spec.platform.azure.ingress.gateway.name | hcl @>
  namespace = <@ spec.platform.azure.ingress.gateway.namespace | hcl @>
}
gateway_hosts = [
<% for host in spec.services | selectattr("ingress", "defined") | selectattr("ingress.route", "eq", "httproute") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
gateway_tls_hosts = [
<% for host in spec.services | selectattr("ingress", "defined") | selectattr("ingress.route", "eq", "httproute") | selectattr("ingress.tls") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
gateway_plain_hosts = [
<% for host in spec.services | selectattr("ingress", "defined") | selectattr("ingress.route", "eq", "httproute") | rejectattr("ingress.tls") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
<% endif %>
<% if spec.services | selectattr("persistence", "defined") | list %>

# A service has a volume: the deploy identity's Role covers its claim.
persistent_volumes = true
<% endif %>
<% set backups = spec.services | selectattr("persistence", "defined") | map(attribute="persistence") | selectattr("backup", "defined") | map(attribute="backup") | list %>
<% if backups %>
<# One policy for the cluster: the most frequent schedule (the first of them), the longest
   retention, so that each service gets at least what it asks. #>
<% set chosen = namespace(schedule=none, hours=25, days=0) %>
<% for backup in backups %>
<% set schedule = backup.schedule | aks_backup_schedule %>
<% if schedule.hours < chosen.hours %><% set chosen.schedule = schedule.interval %><% set chosen.hours = schedule.hours %><% endif %>
<% if backup.retentionDays > chosen.days %><% set chosen.days = backup.retentionDays %><% endif %>
<% endfor %>

# A service backs its volume up: AKS Backup, on the most frequent of the services' schedules
# (UTC), each backup kept the longest of their retentions.
backup = {
  schedule       = <@ chosen.schedule | hcl @>
  retention_days = <@ chosen.days @>
}
<% endif %>

<% if declared %>
# GitHub: the deploy identity of this environment trusts its GitHub environment alone.
<% else %>
# GitHub: the deploy identity trusts the GitHub environment alone, whose protection rules gate
# each deploy.
<% endif %>
github_repository  = <@ spec.platform.github.repository | hcl @>
github_branch      = <@ spec.platform.github.branch | hcl @>
github_environment = <@ (environment.githubEnvironment if declared else environments[0].githubEnvironment) | hcl @>
identity_mode      = <@ spec.platform.azure.identity | hcl @>
deploy             = <@ spec.pipeline.deploy | hcl @>

tags = {
<% if declared %>
  project     = <@ spec.metadata.name | hcl @>
  environment = <@ environment.name | hcl @>
  managed-by  = "gen"
<% else %>
  project    = <@ spec.metadata.name | hcl @>
  managed-by = "gen"
<% endif %>
}
