# One service on ECS with Fargate: its task definition (the container as the chart runs it:
# the image's non-root user, a read-only root with an empty volume per writable folder, no
# privilege, the spec's environment, its secrets from Secrets Manager, its logs in CloudWatch),
# the ECS service over the private subnets behind the load balancer, the roles, and the
# autoscaling of its task count.
#
# The task definitions have one owner per family: Terraform registers the container's
# contract (this file's `aws_ecs_task_definition`, family `<cluster>-<service>-contract`, with
# the repository's first tag for an image) and never deregisters a revision (`skip_destroy`);
# the pipeline registers each release in the family `<cluster>-<service>`, a copy of the
# contract's newest revision with the release's image by digest, and deploys it. So the
# service's `task_definition` is the pipeline's (ignored here), and a change here reaches the
# tasks with the next release (README.md, "Who registers the task definitions").

locals {
  family = "${var.cluster_name}-${var.name}"
  # An empty volume of the task's for each folder the process writes to (Fargate's ephemeral
  # storage), named by its place.
  volumes = { for i, path in var.writable_paths : "writable-${i}" => path }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.cluster_name}/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.key_arn
}

# Each secret the service reads, without a value: the team puts it (README.md, "Prerequisites
# on AWS"), and a task cannot start until it has one. Deleted with a week to restore it.
resource "aws_secretsmanager_secret" "env" {
  #checkov:skip=CKV2_AWS_57:an application's secret (a database URL, an API key) the team sets; rotating it needs a rotation function of its own kind, which the README names
  for_each                = toset(var.secret_names)
  name                    = "${var.cluster_name}/${var.name}/${each.value}"
  kms_key_id              = var.key_arn
  recovery_window_in_days = 7
}

# Both roles trust this account's ECS tasks alone (aws:SourceAccount: no other account's task
# can be given them).
data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

# The execution role: what ECS does for the task before it runs and around it, and nothing the
# service's code can use: pull the image from its repository alone (or read the environment's
# Docker Hub credentials, for an image there), write its log group alone, read its secrets
# alone.
resource "aws_iam_role" "execution" {
  name               = "${local.family}-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  dynamic "statement" {
    for_each = var.repository_arn == null ? [] : [1]
    content {
      sid       = "SignInToEcr"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = var.repository_arn == null ? [] : [1]
    content {
      sid       = "PullTheImage"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = [var.repository_arn]
    }
  }
  dynamic "statement" {
    for_each = var.pull_secret_arn == null ? [] : [1]
    content {
      sid       = "ReadThePullCredentials"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.pull_secret_arn]
    }
  }
  statement {
    sid       = "WriteTheLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
  dynamic "statement" {
    for_each = length(var.secret_names) > 0 ? [1] : []
    content {
      sid       = "ReadTheSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [for secret in aws_secretsmanager_secret.env : secret.arn]
    }
  }
  dynamic "statement" {
    for_each = length(var.secret_names) > 0 || var.pull_secret_arn != null ? [1] : []
    content {
      sid       = "DecryptTheSecrets"
      actions   = ["kms:Decrypt"]
      resources = [var.key_arn]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${local.family}-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The task role: what the service's code may do in AWS. Nothing, until a team grants it a
# policy of its own (aws_iam_role_policy on this role, in a file of theirs beside this root).
resource "aws_iam_role" "task" {
  name               = "${local.family}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${local.family}-contract"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  # Every revision stays: the service ran it until the first release, and Terraform never
  # removes what a task may still run.
  skip_destroy = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  dynamic "volume" {
    for_each = local.volumes
    content {
      name = volume.key
    }
  }

  container_definitions = jsonencode([
    merge({
      name                   = var.name
      image                  = var.image
      essential              = true
      user                   = var.user
      readonlyRootFilesystem = true
      privileged             = false
      portMappings           = [{ name = "http", containerPort = var.port, protocol = "tcp" }]
      environment            = [for k in sort(keys(var.environment)) : { name = k, value = var.environment[k] }]
      secrets                = [for name in sort(var.secret_names) : { name = name, valueFrom = aws_secretsmanager_secret.env[name].arn }]
      mountPoints            = [for name, path in local.volumes : { sourceVolume = name, containerPath = path, readOnly = false }]
      linuxParameters        = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
      stopTimeout            = min(var.stop_seconds + 5, 120)
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = var.region
          awslogs-stream-prefix = var.name
          mode                  = "non-blocking"
          max-buffer-size       = "25m"
        }
      }
      }, var.pull_secret_arn == null ? {} : {
      # An image on Docker Hub: pulled as the account whose credentials the secret holds.
      repositoryCredentials = { credentialsParameter = var.pull_secret_arn }
      }, var.health_command == null ? {} : {
      # The liveness path, asked from inside the container: ECS replaces a task whose check
      # fails three times in a row, after the start period.
      healthCheck = {
        command     = concat(["CMD"], var.health_command)
        interval    = 10
        timeout     = 5
        retries     = 3
        startPeriod = min(var.startup_seconds, 300)
      }
    })
  ])
}

# The tasks are reached from the load balancer alone, on the service's port.
resource "aws_security_group" "tasks" {
  name_prefix = "${local.family}-tasks-"
  description = "The tasks of ${var.name}: reached from the load balancer alone"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  count                        = var.load_balanced ? 1 : 0
  security_group_id            = aws_security_group.tasks.id
  description                  = "HTTP from the load balancer"
  referenced_security_group_id = var.route.security_group_id
  from_port                    = var.port
  to_port                      = var.port
  ip_protocol                  = "tcp"
}

# Out to what the service's code reaches (a database, an API) and to what ECS fetches on the
# task's network (the image, the secrets, the logs), through the NAT gateway: a Fargate task's
# own fetches share its security group, so it cannot be narrowed to a list (SPEC192).
resource "aws_vpc_security_group_egress_rule" "out" {
  #checkov:skip=CKV_AWS_382:the task's image pulls, secrets and logs leave through this group with the service's own traffic (SPEC192)
  security_group_id = aws_security_group.tasks.id
  description       = "Out through the NAT gateway"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the tasks are in private subnets, reached from its security group alone, as a cluster's pods are from its load balancer
  count                = var.load_balanced ? 1 : 0
  name_prefix          = "svc-"
  port                 = var.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.stop_seconds

  health_check {
    path                = var.readiness_path
    matcher             = "200-299"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = {
    service = var.name
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener_rule" "this" {
  count        = var.load_balanced ? 1 : 0
  listener_arn = var.route.listener_arn
  priority     = var.route.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }

  condition {
    host_header {
      values = [var.route.host]
    }
  }

  dynamic "condition" {
    for_each = length(var.route.paths) > 0 ? [1] : []
    content {
      path_pattern {
        values = var.route.paths
      }
    }
  }

  # The prefix taken off (spec: ingress.stripPrefix): /api and /api/x reach the service as /
  # and /x. The load balancer sets no X-Forwarded-Prefix, so the service's own links do not
  # carry the prefix.
  dynamic "transform" {
    for_each = var.route.strip == null ? [] : [var.route.strip]
    content {
      type = "url-rewrite"
      url_rewrite_config {
        rewrite {
          regex   = "^${transform.value}/?(.*)$"
          replace = "/$1"
        }
      }
    }
  }
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.replicas
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.load_balanced ? var.startup_seconds : null
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  availability_zone_rebalancing      = "ENABLED"

  # A release whose tasks never become healthy is stopped and the service rolled back to the
  # revision that ran; the pipeline checks the rollout's state, and fails when it was.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balanced ? [1] : []
    content {
      target_group_arn = aws_lb_target_group.this[0].arn
      container_name   = var.name
      container_port   = var.port
    }
  }

  # The revision that runs is the pipeline's; the count, the autoscaling's.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_lb_listener_rule.this, aws_iam_role_policy.execution]
}

# The count between the fewest and the most tasks: registering it moves the service's count
# into the range; with cpu_utilization, the count follows the tasks' average CPU.
resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  min_capacity       = var.replicas
  max_capacity       = var.max_replicas
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = var.cpu_utilization == null ? 0 : 1
  name               = "${local.family}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_utilization
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
