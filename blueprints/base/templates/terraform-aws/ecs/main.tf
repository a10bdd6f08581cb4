# The platform of one environment on ECS with Fargate: its ECS cluster, the project's one
# application load balancer (HTTPS with each host's ACM certificate, HTTP redirected), each
# service (modules/ecs-service: its task definition, ECS service, roles, secrets, logs and
# autoscaling), the hosts' records in the zone, the deploy role, and the key of the services'
# logs and secrets. Its network, and the shared root's outputs it reads (local.shared), are
# network.tf's.
#
# One environment per Terraform workspace, each applied with its own values
# (environments/<name>.tfvars; terraform.tfvars for a spec with one environment).

locals {
  # The subnets of the load balancer: the network module's public ones, or an existing VPC's.
  load_balancer_subnet_ids = local.existing == null ? module.network[0].public_subnet_ids : [for subnet in local.existing.load_balancer_subnets : data.aws_subnet.load_balancer[subnet.id].id]
  routed                   = { for name, service in var.services : name => service if service.route != null }
  hosts                    = toset([for service in values(local.routed) : service.route.host])
  # The first host's certificate is the listener's own; the others are added to it (the load
  # balancer picks each client's by the name it asks for).
  default_host = length(local.hosts) > 0 ? sort(local.hosts)[0] : null
}

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name

  # CloudWatch Container Insights: each service's and task's CPU, memory and network.
  setting {
    name  = "containerInsights"
    value = "enhanced"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# The services' logs and secrets are encrypted with the environment's own key: CloudWatch Logs
# may use it for this cluster's log groups alone; Secrets Manager, for whoever IAM lets read a
# secret (each service's execution role, its own).
resource "aws_kms_key" "services" {
  description             = "${var.cluster_name}: the services' logs and secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.services_key.json
}

resource "aws_kms_alias" "services" {
  name          = "alias/${var.cluster_name}-services"
  target_key_id = aws_kms_key.services.key_id
}

data "aws_iam_policy_document" "services_key" {
  #checkov:skip=CKV_AWS_109:a key policy: its `*` resource is this key alone
  #checkov:skip=CKV_AWS_111:a key policy: its `*` resource is this key alone
  #checkov:skip=CKV_AWS_356:a key policy: its `*` resource is this key alone
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${var.account_id}:log-group:/ecs/${var.cluster_name}/*"]
    }
  }
}

# The load balancer: public, in the public subnets, HTTPS alone (HTTP is redirected), headers
# that are not valid HTTP dropped rather than passed to the services, and each request's log
# in the access log bucket.
resource "aws_security_group" "load_balancer" {
  count       = length(local.routed) > 0 ? 1 : 0
  name_prefix = "${var.cluster_name}-load-balancer-"
  description = "The load balancer of ${var.cluster_name}: HTTPS and HTTP (redirected) from anywhere, to the services' tasks alone"
  vpc_id      = local.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer" {
  #checkov:skip=CKV_AWS_260:port 80 answers with a redirect to HTTPS alone (aws_lb_listener.http)
  for_each          = length(local.routed) > 0 ? { https = 443, http = 80 } : {}
  security_group_id = aws_security_group.load_balancer[0].id
  description       = upper(each.key)
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = each.value
  to_port           = each.value
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "load_balancer" {
  for_each                     = local.routed
  security_group_id            = aws_security_group.load_balancer[0].id
  description                  = "To the tasks of ${each.key}"
  referenced_security_group_id = module.service[each.key].security_group_id
  from_port                    = each.value.port
  to_port                      = each.value.port
  ip_protocol                  = "tcp"
}

# AWS-0053 (a public load balancer): it serves the services' hosts on the internet, as the
# spec's ingress asks.
#trivy:ignore:AWS-0053
resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:a web application firewall is a choice of rules with a cost and false positives of its own, not rendered yet; the load balancer drops headers that are not valid HTTP and serves HTTPS alone
  count                      = length(local.routed) > 0 ? 1 : 0
  name                       = var.cluster_name
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.load_balancer[0].id]
  subnets                    = local.load_balancer_subnet_ids
  drop_invalid_header_fields = true
  idle_timeout               = var.idle_timeout_seconds
  enable_deletion_protection = true

  access_logs {
    bucket  = aws_s3_bucket.access_logs[0].id
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.access_logs]
}

resource "aws_lb_listener" "http" {
  count             = length(local.routed) > 0 ? 1 : 0
  load_balancer_arn = aws_lb.this[0].arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

# TLS 1.3 and 1.2 with forward secrecy alone (AWS's recommended policy for new listeners).
resource "aws_lb_listener" "https" {
  count             = length(local.routed) > 0 ? 1 : 0
  load_balancer_arn = aws_lb.this[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
  certificate_arn   = module.certificates.arns[local.default_host]
  # Browsers keep to HTTPS for a year once they have seen a host here.
  routing_http_response_strict_transport_security_header_value = "max-age=31536000"

  # A host or path no service serves.
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Not found"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_certificate" "this" {
  for_each        = setsubtract(local.hosts, local.default_host == null ? [] : [local.default_host])
  listener_arn    = aws_lb_listener.https[0].arn
  certificate_arn = module.certificates.arns[each.value]
}

module "certificates" {
  source = "./modules/certificates"

  hosts   = local.hosts
  zone_id = local.shared.dns_zone_id
}

# Each host's alias to the load balancer, in the zone (both address families answer only where
# the load balancer has them: an IPv4 one).
resource "aws_route53_record" "host" {
  for_each = local.hosts
  zone_id  = local.shared.dns_zone_id
  name     = each.value
  type     = "A"

  alias {
    name                   = aws_lb.this[0].dns_name
    zone_id                = aws_lb.this[0].zone_id
    evaluate_target_health = true
  }
}

# Docker Hub's credentials, for the services whose image is there: ECS pulls their images as
# this account (repositoryCredentials), not anonymously, as Docker Hub limits anonymous pulls
# per address and every task pulls through the NAT gateway's. Created without a value: the
# team puts a read-only token (README.md, "Prerequisites on AWS").
resource "aws_secretsmanager_secret" "docker_hub" {
  #checkov:skip=CKV2_AWS_57:a Docker Hub access token, which Docker Hub issues: no rotation function can make one (README.md says how to replace it)
  count                   = length([for service in values(var.services) : service if service.docker_hub != null]) > 0 ? 1 : 0
  name                    = "${var.cluster_name}/docker-hub"
  description             = "Docker Hub's username and read-only access token the tasks of ${var.cluster_name} pull their images with: {\"username\": ..., \"password\": ...}"
  kms_key_id              = aws_kms_key.services.arn
  recovery_window_in_days = 7
}

module "service" {
  source   = "./modules/ecs-service"
  for_each = var.services

  cluster_name       = aws_ecs_cluster.this.name
  cluster_arn        = aws_ecs_cluster.this.arn
  name               = each.key
  region             = var.region
  account_id         = var.account_id
  vpc_id             = local.vpc_id
  subnet_ids         = local.node_subnet_ids
  image              = each.value.docker_hub == null ? "${local.shared.repository_urls[each.value.repository]}:${var.first_tag}" : "docker.io/${each.value.docker_hub}:${var.first_tag}"
  repository_arn     = each.value.docker_hub == null ? local.shared.repository_arns[each.value.repository] : null
  pull_secret_arn    = each.value.docker_hub == null ? null : aws_secretsmanager_secret.docker_hub[0].arn
  key_arn            = aws_kms_key.services.arn
  log_retention_days = var.log_retention_days
  port               = each.value.port
  cpu                = each.value.cpu
  memory             = each.value.memory
  replicas           = each.value.replicas
  max_replicas       = each.value.max_replicas
  cpu_utilization    = each.value.cpu_utilization
  user               = each.value.user
  writable_paths     = each.value.writable_paths
  environment        = each.value.environment
  secret_names       = each.value.secret_names
  health_command     = each.value.health_command
  readiness_path     = each.value.readiness_path
  startup_seconds    = each.value.startup_seconds
  stop_seconds       = each.value.stop_seconds
  load_balanced      = each.value.route != null
  route = each.value.route == null ? null : {
    listener_arn      = aws_lb_listener.https[0].arn
    security_group_id = aws_security_group.load_balancer[0].id
    host              = each.value.route.host
    paths             = each.value.route.paths
    priority          = each.value.route.priority
    strip             = each.value.route.strip
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

# The deploy role: it trusts this environment's GitHub environment alone. It registers the
# services' task definitions (a copy of each contract's newest revision with the release's
# digest), passes their two roles to ECS alone, deploys them to this cluster's services alone
# and waits for them, and tags the release it deployed `deployed-<environment>` in the
# project's ECR repositories (the one tag they let move, which their lifecycle policy never
# expires: a rollback to it finds it however many releases followed; Docker Hub expires none).
data "aws_iam_policy_document" "deploy" {
  #checkov:skip=CKV_AWS_356:RegisterTaskDefinition, DescribeTaskDefinition and ListTaskDefinitions take no resource; every other action is held to this cluster's services and roles
  #checkov:skip=CKV_AWS_111:RegisterTaskDefinition takes no resource: the passed roles and the updated services are held to this cluster's
  statement {
    sid       = "RegisterTaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }
  # Deploy, wait, and the rollback's mark (the tag gen-rolled-back-at), on this cluster's
  # services alone.
  statement {
    sid       = "DeployTheServices"
    actions   = ["ecs:DescribeServices", "ecs:ListTagsForResource", "ecs:TagResource", "ecs:UpdateService"]
    resources = [for name in keys(var.services) : "arn:aws:ecs:${var.region}:${var.account_id}:service/${var.cluster_name}/${name}"]
  }
  statement {
    sid       = "PassTheServicesRoles"
    actions   = ["iam:PassRole"]
    resources = flatten([for service in module.service : [service.execution_role_arn, service.task_role_arn]])
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
  dynamic "statement" {
    for_each = length(local.shared.repository_arns) > 0 ? [1] : []
    content {
      sid       = "SignInToEcr"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = length(local.shared.repository_arns) > 0 ? [1] : []
    content {
      sid = "TagTheDeployedRelease"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:PutImage",
      ]
      resources = values(local.shared.repository_arns)
    }
  }
}

module "deploy_role" {
  source = "./modules/github-role"

  name              = "${var.cluster_name}-deploy"
  oidc_provider_arn = local.shared.github_oidc_provider_arn
  subject           = "repo:${var.github_repository}:environment:${var.github_environment}"
  policy            = data.aws_iam_policy_document.deploy.json
}
