<# The spec's values for the platform root: terraform.tfvars for a spec with one environment,
   environments/<name>.tfvars for each environment on AWS (`spec` is then that environment's,
   and `environment` is defined). #>
<% set declared = environment is defined and environment.declared %>
<% set aws_envs = environments | selectattr("platform", "eq", "aws") | list %>
<% set aws = spec.platform.aws %>
<% import "_values.tfvars" as values %>
<# The environments on this environment's cluster that it creates for them (guests: the same
   cluster named again), and all of the cluster's. #>
<% set guests = (environments | selectattr("cluster", "eq", environment.name) | rejectattr("name", "eq", environment.name) | list) if declared else [] %>
<% set on_cluster = [spec] + (guests | map(attribute="spec") | list) %>
<% set hosted = namespace(services=[]) %>
<% for s in on_cluster %><% set hosted.services = hosted.services + s.services %><% endfor %>
<% if declared %>
<% if guests %>
# The values of the environment <@ environment.name | text @>, and of <% for g in guests %><@ g.name | text @><% if not loop.last %>, <% endif %><% endfor %> on its cluster,
# applied in its own workspace (README.md):
<% else %>
# The values of the environment <@ environment.name | text @>, applied in its own workspace (README.md):
<% endif %>
#   terraform workspace select -or-create <@ environment.name | text @>
#   terraform plan -var-file=environments/<@ environment.name | text @>.tfvars
# The .tf files beside them do not change when a value does.
environment = <@ environment.name | hcl @>

<% else %>
# The spec's values; the .tf files beside this one do not change when a value does.
<% endif %>
# Where the state is: this root reads the repositories, the build role, the zone and the
# backup vault from the shared root's (shared/), applied first.
state_bucket     = <@ aws_envs[0].spec.platform.aws.state.bucket | hcl @>
shared_state_key = <@ (spec.metadata.name ~ "-shared.tfstate") | hcl @>

region     = <@ aws.region | hcl @>
account_id = <@ aws.accountId | hcl @>

cluster_name       = <@ aws.eks.name | hcl @>
kubernetes_version = <@ aws.eks.kubernetesVersion | hcl @>
# The API server answers inside the VPC always<% if aws.eks.endpoint.public %>, and on the internet to these ranges<% endif %>.
endpoint_public = <@ aws.eks.endpoint.public | json @>
<% if aws.eks.endpoint.public %>
endpoint_public_cidrs = [
<% for cidr in (aws.eks.endpoint.publicCidrs if aws.eks.endpoint.publicCidrs is defined else ["0.0.0.0/0"]) %>
  <@ cidr | hcl @>,
<% endfor %>
]
<% endif %>
# Cluster-admin, through an access entry each; whoever applies cluster/ signs in as one.
admin_roles = [
<% for role in aws.eks.adminRoles %>
  <@ role | hcl @>,
<% endfor %>
]

node_group = {
  instance_types = [<% for t in aws.eks.nodeGroup.instanceTypes %><@ t | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
  min_size       = <@ aws.eks.nodeGroup.minSize @>
  max_size       = <@ aws.eks.nodeGroup.maxSize @>
  disk_size_gb   = <@ aws.eks.nodeGroup.diskSizeGb @>
}

<@ values.network(aws) | trim @>

<% if aws.dns is defined %>
# The zone, created by the shared root: this environment's certificates are validated there,
# and ExternalDNS writes its hosts' records there.
dns_zone = <@ aws.dns.zone | hcl @>
# Served over TLS<% if guests %> (the guests' hosts too)<% endif %>: an ACM certificate each.
tls_hosts = [
<% for host in hosted.services | selectattr("ingress", "defined") | selectattr("ingress.tls") | map(attribute="ingress.host") | unique | sort %>
  <@ host | hcl @>,
<% endfor %>
]
<% else %>
dns_zone  = null
tls_hosts = []
<% endif %>

<% set routed = hosted.services | selectattr("ingress", "defined") | selectattr("ingress.route", "eq", "httproute") | list %>
<% if routed %>
<% set gw = aws.ingress.gateway %>
# The Gateway of the services routed through an HTTPRoute (an ALB of its own): the hosts it
# serves over TLS (redirected from HTTP), and each service's readiness path and drain time
# (its longest request).
gateway = {
  name      = <@ gw.name | hcl @>
  namespace = <@ gw.namespace | hcl @>
  tls_hosts = [<% for host in routed | selectattr("ingress.tls") | map(attribute="ingress.host") | unique | sort %><@ host | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
  backends = [
<% for svc in routed | sort(attribute="namespace") | sort(attribute="name") %>
    { service = <@ svc.name | hcl @>, namespace = <@ svc.namespace | hcl @>, health_path = <@ svc.health.readiness | hcl @>, drain_seconds = <@ serviceRuntimes[svc.name].gracefulShutdownSeconds @> },
<% endfor %>
  ]
}

<% endif %>
namespaces = [
<% for namespace in spec.services | map(attribute="namespace") | unique | sort %>
  <@ namespace | hcl @>,
<% endfor %>
]
<% set served = hosted.services | selectattr("ingress", "defined") | list %>
<% set all_namespaces = hosted.services | map(attribute="namespace") | unique | sort %>
<% set width = all_namespaces | map("hcl") | map("length") | max %>

# Each namespace's hosts, the only ones its Ingresses and routes may serve, and the Ingress
# group (load balancer) of its environment, the only one its Ingresses may join: cluster/
# refuses any other.
namespace_hosts = {
<% for ns in all_namespaces %>
  <@ ns | hcl @><@ (" " * (width - (ns | hcl | length))) | text @> = [<% for host in served | selectattr("namespace", "eq", ns) | map(attribute="ingress.host") | unique | sort %><@ host | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
<% endfor %>
}
ingress_groups = {
<% for ns in spec.services | map(attribute="namespace") | unique | sort %>
  <@ ns | hcl @><@ (" " * (width - (ns | hcl | length))) | text @> = <@ spec.metadata.name | hcl @>
<% endfor %>
<% for g in guests %>
<% for ns in g.spec.services | map(attribute="namespace") | unique | sort %>
  <@ ns | hcl @><@ (" " * (width - (ns | hcl | length))) | text @> = <@ (spec.metadata.name ~ "-" ~ g.name) | hcl @>
<% endfor %>
<% endfor %>
}
<% set volumes = spec.services | selectattr("persistence", "defined") | list %>
<% if volumes %>

# A service has a volume: the deploy role's Role covers its claim.
persistent_volumes = true
<% endif %>
<% set backed = volumes | selectattr("persistence.backup", "defined") | list %>
<% set guests_backed = namespace(any=false) %>
<% for g in guests %><% if g.spec.services | selectattr("persistence", "defined") | selectattr("persistence.backup", "defined") | list %><% set guests_backed.any = true %><% endif %><% endfor %>
<% if backed or guests_backed.any %>

<% if guests %>
# AWS Backup, per service (`<environment>.<service>` for a guest environment's): its schedule
# (UTC) and the days each recovery point is kept.
<% else %>
# AWS Backup, per service: its schedule (UTC) and the days each recovery point is kept.
<% endif %>
backups = {
<% for svc in backed | sort(attribute="name") %>
  <@ svc.name | hcl @> = {
    namespace      = <@ svc.namespace | hcl @>
    claim          = <@ svc.name | hcl @>
    schedule       = <@ svc.persistence.backup.schedule | aws_backup_schedule | hcl @>
    retention_days = <@ svc.persistence.backup.retentionDays @>
  }
<% endfor %>
<% for g in guests %>
<% for svc in g.spec.services | selectattr("persistence", "defined") | selectattr("persistence.backup", "defined") | sort(attribute="name") %>
  <@ (g.name ~ "." ~ svc.name) | hcl @> = {
    namespace      = <@ svc.namespace | hcl @>
    claim          = <@ svc.name | hcl @>
    schedule       = <@ svc.persistence.backup.schedule | aws_backup_schedule | hcl @>
    retention_days = <@ svc.persistence.backup.retentionDays @>
  }
<% endfor %>
<% endfor %>
}
<% endif %>

# What watches the services, in the cluster (cluster/ installs it): kube-prometheus-stack,
# whose Alertmanager mails alert_emails, and Fluent Bit to Loki; or none.
metrics_stack = <@ (platform.observability.metrics or "none") | hcl @>
logs_stack    = <@ (platform.observability.logs or "none") | hcl @>
<% if aws.monitoring.alertEmails %>
alert_emails = [
<% for email in aws.monitoring.alertEmails %>
  <@ email | hcl @>,
<% endfor %>
]
<% endif %>
<% set slo = (spec.services | slo_services(runtimes) | sort) if platform.observability.metrics else [] %>
<% if slo %>
# The services whose SLO rules (monitoring/prometheusrule.yaml, tested by promtool) and
# dashboards the stack loads.
slo_services = [
<% for name in slo %>
  <@ name | hcl @>,
<% endfor %>
]
<% endif %>

<% if declared %>
# GitHub: the deploy role of this environment trusts its GitHub environment alone.
<% else %>
# GitHub: the deploy role trusts the GitHub environment alone, whose protection rules gate
# each deploy.
<% endif %>
github_repository  = <@ spec.platform.github.repository | hcl @>
github_environment = <@ (environment.githubEnvironment if declared else environments[0].githubEnvironment) | hcl @>
deploy             = <@ spec.pipeline.deploy | hcl @>
<% if guests %>

# The environments on this cluster, in namespaces of their own: each one's deploy role
# (<cluster>-<environment>-deploy) trusts its GitHub environment alone and writes in its
# namespaces alone.
guests = {
<% for g in guests %>
  <@ g.name | hcl @> = {
    github_environment = <@ g.githubEnvironment | hcl @>
    namespaces         = [<% for ns in g.spec.services | map(attribute="namespace") | unique | sort %><@ ns | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
    persistent_volumes = <@ (g.spec.services | selectattr("persistence", "defined") | list | length > 0) | json @>
  }
<% endfor %>
}
<% endif %>

# The Terraform workflow's roles (bootstrap/): cluster-admin for the apply role, which works
# inside the cluster from cluster/; a view of every object for the drift check's.
terraform_roles = {
  apply = <@ ("arn:aws:iam::" ~ aws.accountId ~ ":role/" ~ spec.metadata.name ~ "-terraform-apply") | hcl @>
  drift = <@ ("arn:aws:iam::" ~ aws.accountId ~ ":role/" ~ spec.metadata.name ~ "-terraform-drift") | hcl @>
}

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
