<# The spec's values for the platform root on ECS: terraform.tfvars for a spec with one
   environment, environments/<name>.tfvars for each environment on AWS (`spec` is then that
   environment's, and `environment` is defined). #>
<% set declared = environment is defined and environment.declared %>
<% set aws_envs = environments | selectattr("platform", "eq", "aws") | list %>
<% set aws = spec.platform.aws %>
<% import "../_values.tfvars" as values %>
<% if declared %>
# The values of the environment <@ environment.name | text @>, applied in its own workspace (README.md):
#   terraform workspace select -or-create <@ environment.name | text @>
#   terraform plan -var-file=environments/<@ environment.name | text @>.tfvars
# The .tf files beside them do not change when a value does.
environment = <@ environment.name | hcl @>

<% else %>
# The spec's values; the .tf files beside this one do not change when a value does.
<% endif %>
# Where the state is: this root reads the repositories, the build role and the zone from the
# shared root's (shared/), applied first.
state_bucket     = <@ aws_envs[0].spec.platform.aws.state.bucket | hcl @>
shared_state_key = <@ (spec.metadata.name ~ "-shared.tfstate") | hcl @>

region     = <@ aws.region | hcl @>
account_id = <@ aws.accountId | hcl @>

# The ECS cluster, its load balancer and the services' roles are named after it.
cluster_name       = <@ aws.ecs.name | hcl @>
log_retention_days = <@ aws.ecs.logRetentionDays @>

<@ values.network(aws) | trim @>

<% set served = spec.services | selectattr("ingress", "defined") | list %>
<% set longest = namespace(seconds=0) %>
<% for svc in served if serviceRuntimes[svc.name].edgeTimeoutSeconds > longest.seconds %><% set longest.seconds = serviceRuntimes[svc.name].edgeTimeoutSeconds %><% endfor %>
<% if longest.seconds > 60 %>
# A request may run <@ longest.seconds @> s (the longest a service allows, and a margin): the load
# balancer keeps an idle connection that long.
idle_timeout_seconds = <@ longest.seconds @>

<% endif %>
<# The listener rules' priorities: a band by the path's depth (a longer path of a host
   first), a place in it by a hash of the host and path, so that a service added or removed
   leaves the others' (aws::listener_priorities). #>
<% set priorities = served | listener_priorities %>
# Each service's task (the smallest Fargate size that holds its container's limits), its
# tasks' count, and what its container is given: the contract the chart gives it on a
# cluster. Its route on the load balancer: its host and paths, and the listener rule's
# priority (a longer path of a host first; a service added or removed moves no other's,
# but for two routes whose hashes meet, about 1 in 1,000 pairs of a depth).
services = {
<% for svc in spec.services %>
<% set rt = serviceRuntimes[svc.name] %>
<% set size = svc.resources.limits | fargate_size %>
<% set scaling = svc.autoscaling if svc.autoscaling is defined else none %>
  <@ svc.name | hcl @> = {
<% set hub = svc.image | docker_hub %>
<% if hub %>
    docker_hub      = <@ hub | hcl @>
<% else %>
    repository      = <@ svc.image.repository[(platform.registry ~ "/") | length:] | hcl @>
<% endif %>
    port            = <@ svc.port @>
    cpu             = <@ size.cpu @>
    memory          = <@ size.memory @>
    replicas        = <@ (scaling.minReplicas if scaling else svc.replicas) @>
    max_replicas    = <@ (scaling.maxReplicas if scaling else svc.replicas) @>
    cpu_utilization = <@ ((scaling.cpuUtilization | string) if scaling else "null") | text @>
    user            = <@ (rt.user ~ ":" ~ rt.group) | hcl @>
    writable_paths  = [<% for p in rt.writablePaths %><@ p | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
    environment = {
<% set env_width = (["PORT", "CPU_LIMIT_MILLICORES", "PROXY_SETS_HOST"] + (svc.env | list)) | map("hcl") | map("length") | max %>
<% for name, value in svc.env | dictsort %>
      <@ name | hcl @><@ (" " * (env_width - (name | hcl | length))) | text @> = <@ value | hcl @>
<% endfor %>
      <@ "PORT" | hcl @><@ (" " * (env_width - 6)) | text @> = <@ (svc.port | string) | hcl @>
      <@ "CPU_LIMIT_MILLICORES" | hcl @><@ (" " * (env_width - 22)) | text @> = <@ size.millicores | hcl @>
<% if svc.ingress is defined %>
      <@ "PROXY_SETS_HOST" | hcl @><@ (" " * (env_width - 17)) | text @> = "false"
<% endif %>
    }
<% if svc.secretEnv %>
    secret_names    = [<% for name in svc.secretEnv %><@ name | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
<% endif %>
<% if rt.healthCommand is defined %>
    health_command  = [<% for arg in rt.healthCommand %><@ (arg | replace("{url}", "http://127.0.0.1:" ~ svc.port ~ svc.health.liveness)) | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
<% endif %>
    readiness_path  = <@ svc.health.readiness | hcl @>
    startup_seconds = <@ rt.startupSeconds @>
    stop_seconds    = <@ rt.gracefulShutdownSeconds @>
<% if spec.observability.enabled and svc.ingress is defined %>
    slo = {
      availability      = <@ svc.slo.availability @>
      latency           = <@ svc.slo.latency.objective @>
      latency_threshold = <@ svc.slo.latency.threshold | duration_seconds @>
    }
<% endif %>
<% if svc.ingress is defined %>
<% set path = svc.ingress.path | trim("/") %>
    route = {
      host     = <@ svc.ingress.host | hcl @>
      paths    = [<% if path %><@ ("/" ~ path) | hcl @>, <@ ("/" ~ path ~ "/*") | hcl @><% endif %>]
      priority = <@ priorities[svc.name] @>
<% if path and svc.ingress.stripPrefix %>
      # The service gets its own paths: the prefix is taken off before the request reaches it.
      strip = <@ ("/" ~ path) | hcl @>
<% endif %>
    }
<% endif %>
  }
<% endfor %>
}

<% if spec.observability.enabled %>
# What watches the services (alarms.tf): each objective's burn-rate alerts, as gen's
# Prometheus rules read them on a cluster (the alert, the factor of the error budget, the long
# and short windows in seconds, the bad requests a page's long window needs), and the
# addresses they mail.
burn_rates = [
<% for burn in spec | slo_burn_rates %>
  { alert = <@ burn.alert | hcl @>, factor = <@ burn.factor @>, long = <@ burn.long @>, short = <@ burn.short @>, least = <@ burn.least @> },
<% endfor %>
]
<% if spec.platform.aws.monitoring.alertEmails %>
alert_emails = [
<% for email in spec.platform.aws.monitoring.alertEmails %>
  <@ email | hcl @>,
<% endfor %>
]
<% endif %>

<% endif %>
<% if declared %>
# GitHub: the deploy role of this environment trusts its GitHub environment alone.
<% else %>
# GitHub: the deploy role trusts the GitHub environment alone, whose protection rules gate
# each deploy.
<% endif %>
github_repository  = <@ spec.platform.github.repository | hcl @>
github_environment = <@ (environment.githubEnvironment if declared else environments[0].githubEnvironment) | hcl @>

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
