output "cluster" {
  description = "What cluster/ signs in to the cluster with (aws eks get-token), once the admin roles' access reaches it."
  value = {
    name                   = module.eks.name
    region                 = var.region
    host                   = module.eks.endpoint
    cluster_ca_certificate = module.eks.certificate_authority
    admin_access           = module.eks.admin_policy_associations
    kubernetes_version     = var.kubernetes_version
  }
}

output "in_cluster" {
  description = "What cluster/ creates in the cluster, from this environment's values."
  value = {
    vpc_id = local.vpc_id
    # The load balancers' subnets of an existing VPC, which the Gateway names (an Ingress
    # names them itself); null where gen's VPC tags its own for the controller to find.
    load_balancer_subnets = local.existing == null ? null : local.existing.load_balancer_subnets[*].id
    namespaces            = distinct(concat(var.namespaces, flatten([for guest in values(var.guests) : guest.namespaces])))
    deploy                = var.deploy
    deploy_group          = "gen-deploy"
    # Each namespace's deploy group: this environment's, or a guest environment's own.
    deploy_groups = merge(
      { for namespace in var.namespaces : namespace => "gen-deploy" },
      merge([for name, guest in var.guests : { for namespace in guest.namespaces : namespace => "gen-deploy-${name}" }]...),
    )
    # The hosts each namespace may serve, which cluster/'s admission policy holds it to.
    namespace_hosts = var.namespace_hosts
    ingress_groups  = var.ingress_groups
    # The namespaces whose deploy Role covers a claim: an environment's with a volume.
    claim_namespaces = concat(
      var.persistent_volumes ? var.namespaces : [],
      flatten([for guest in values(var.guests) : guest.persistent_volumes ? guest.namespaces : []]),
    )
    dns_zone           = var.dns_zone
    persistent_volumes = var.persistent_volumes
    dns_zone_id        = local.shared.dns_zone_id
    # The Gateway (cluster/modules/gateway), with its TLS hosts' certificates where they are
    # issued here (with a zone; without one, the load balancer controller finds each host's
    # in ACM).
    gateway = var.gateway == null ? null : merge(var.gateway, {
      certificates = var.dns_zone == null ? [] : [for host in var.gateway.tls_hosts : module.certificates[0].arns[host]]
    })
    # The in-cluster stacks (cluster/modules/observability) and who Alertmanager mails.
    observability = {
      metrics      = var.metrics_stack
      logs         = var.logs_stack
      alerts       = []
      alert_emails = var.alert_emails
      slo_services = var.slo_services
      # The topics Alertmanager publishes its heartbeat and a failed mail to (alerts.tf).
      sns = local.heartbeat ? {
        region              = var.region
        heartbeat_topic_arn = aws_sns_topic.heartbeat[0].arn
        alerts_topic_arn    = aws_sns_topic.alerts[0].arn
      } : null
    }
  }
}

output "deploy_role_arn" {
  description = "The role this environment's deploy job assumes (the workflows name its ARN): it deploys with Helm, or with GitOps reads Argo CD's Applications."
  value       = module.deploy_role.arn
}

output "guest_deploy_role_arns" {
  description = "By environment, the role the deploy job of each guest environment on this cluster assumes (var.guests)."
  value       = { for name, role in module.guest_deploy_role : name => role.arn }
}

output "nat_public_ips" {
  description = "The addresses the nodes' outbound traffic leaves from (to allow-list elsewhere); empty in an existing VPC, whose NAT gateways are its owners' (README.md, \"An existing VPC\")."
  value       = local.existing == null ? module.network[0].nat_public_ips : []
}

output "alerts_topic_arn" {
  description = "The topic the heartbeat's alarm and a failed alert mail are mailed through (alerts.tf); null without the stack or alert addresses."
  value       = one(aws_sns_topic.alerts[*].arn)
}
