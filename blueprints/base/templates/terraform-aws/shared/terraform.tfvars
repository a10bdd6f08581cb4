<# The shared root's values, once per project: the first environment on AWS's account, region
   and repositories, and the DNS zone. #>
<% set aws_envs = environments | selectattr("platform", "eq", "aws") | list %>
<% set first = aws_envs[0].spec %>
# What every environment shares (../README.md): applied once, before any environment.
name       = <@ first.metadata.name | hcl @>
region     = <@ first.platform.aws.region | hcl @>
account_id = <@ first.platform.aws.accountId | hcl @>

# The repositories every environment's cluster pulls the promoted image from, one per service.
<% set host = aws_envs[0].context.registry ~ "/" %>
repositories = [
<% for repository in first.services | map(attribute="image.repository") | unique | sort if repository[:host | length] == host %>
  <@ repository[host | length:] | hcl @>,
<% endfor %>
]
# Release images kept per repository, newest first.
keep = <@ first.platform.aws.ecr.keep @>

<% if first.platform.aws.dns is defined %>
# The public DNS zone of the ingress hosts, delegated once.
dns_zone = <@ first.platform.aws.dns.zone | hcl @>
<% else %>
dns_zone = null
<% endif %>
<% set backed = namespace(any=false) %>
<% for env in aws_envs %><% for svc in env.spec.services if svc.persistence is defined and svc.persistence.backup is defined %><% set backed.any = true %><% endfor %><% endfor %>
# A service backs its volume up: the vault its recovery points are kept in.
backups = <@ backed.any | json @>
<% set mails = namespace(all=[]) %>
<% for env in aws_envs %><% set mails.all = mails.all + env.spec.platform.aws.monitoring.alertEmails %><% endfor %>
<% set heartbeats = namespace(any=false) %>
<% for env in aws_envs if (env.context.observability.metrics or (env.spec.platform.aws.ecs is defined and env.spec.observability.enabled)) and env.spec.platform.aws.monitoring.alertEmails %><% set heartbeats.any = true %><% endfor %>
<% if (backed.any or heartbeats.any) and mails.all %>
# Who is mailed when a backup job fails: every environment's alert addresses (and the
# key of the topics each environment's alarms are mailed through).
alert_emails = [
<% for email in mails.all | unique | sort %>
  <@ email | hcl @>,
<% endfor %>
]
<% endif %>

# GitHub: the build role trusts this repository's branch alone.
github_repository = <@ first.platform.github.repository | hcl @>
github_branch     = <@ first.platform.github.branch | hcl @>

tags = {
  project    = <@ first.metadata.name | hcl @>
  managed-by = "gen"
}
