# The services' objectives (spec: services[].slo) as CloudWatch alarms on the load balancer's
# metrics of each service's target group: on ECS no Prometheus runs, and the load balancer
# sees every request a user makes of a service. The alerts are the Prometheus rules' on a
# cluster (Google's SRE workbook, "Alerting on SLOs": multi-window, multi-burn-rate):
# - `<service>-<objective>-burn-fast` (page): the error ratio above 14.4 times the budget's
#   over 1 hour and 5 minutes, or 6 times over 6 hours and 30 minutes, with 5 bad requests at
#   least in the long window;
# - `<service>-<objective>-burn-slow` (ticket): 3 times over 1 day and 2 hours, or once over
#   3 days and 6 hours;
# - `<service>-down` (page): no healthy task behind the load balancer for 5 minutes (when the
#   service is down, it answers nothing, and no ratio burns);
# - `load-balancer-edge-burn-fast` and `-slow`: the load balancer's own 5xx (no task registered,
#   a target that timed out or reset the connection: HTTPCode_ELB_5XX_Count, which it counts
#   for itself alone, not per service), against the strictest availability objective.
# The indicators: availability, the share of requests the tasks answered with a 5xx or the
# load balancer could not connect to a task for (HTTPCode_Target_5XX_Count and
# TargetConnectionErrorCount, of RequestCount); latency, the share answered slower than the
# threshold (100 less the percentile rank of TargetResponseTime at the threshold). The load
# balancer's health checks are not requests of these metrics.
#
# Each window is an alarm of its own, with no action; each alert is a composite alarm of them,
# which mails the environment's alert addresses through the alerts topic (encrypted with the
# shared root's alerts key, which CloudWatch may use). Each address confirms its subscription
# once, from the mail AWS sends (README.md, "Alerts").

locals {
  alerts_key_arn = try(local.shared.alerts_key_arn, null)
  alerting       = length(var.alert_emails) > 0 && local.alerts_key_arn != null
  # Each objective of each service on the load balancer: its indicator's metrics.
  watched = { for name, service in local.routed : name => service if service.slo != null }
  objectives = merge(concat([
    for name, service in local.watched : {
      "${name}-availability" = { service = name, slo = "availability", percent = service.slo.availability, seconds = null }
      "${name}-latency"      = { service = name, slo = "latency", percent = service.slo.latency, seconds = service.slo.latency_threshold }
    }
    ], length(local.watched) == 0 ? [] : [{
      # The load balancer's own 5xx (no task registered, a target that timed out or reset the
      # connection), which it counts for itself alone: held to the strictest availability.
      "load-balancer-edge" = { service = null, slo = "edge", percent = max([for service in values(local.watched) : service.slo.availability]...), seconds = null }
  }])...)
  # What each indicator counts as bad.
  bad_metric = { availability = "HTTPCode_Target_5XX_Count", latency = "TargetResponseTime", edge = "HTTPCode_ELB_5XX_Count" }
  # Each window of each burn rate of each objective: one alarm.
  windows = merge([
    for key, objective in local.objectives : merge([
      for i, burn in var.burn_rates : {
        for side, length in { long = burn.long, short = burn.short } :
        "${key}-${burn.alert}-${i}-${side}" => merge(objective, {
          window = length
          # The error ratio the burn rate reads: factor times the budget.
          ratio = burn.factor * (100 - objective.percent) / 100
          # A page's long window needs this many bad requests too.
          least = side == "long" ? burn.least : 0
        })
      }
    ]...)
  ]...)
}

resource "aws_sns_topic" "alerts" {
  count             = local.alerting ? 1 : 0
  name              = "${var.cluster_name}-alerts"
  kms_master_key_id = local.alerts_key_arn
}

resource "aws_sns_topic_subscription" "alerts" {
  for_each  = toset(local.alerting ? var.alert_emails : [])
  topic_arn = aws_sns_topic.alerts[0].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "slo_window" {
  for_each = local.windows

  alarm_name          = "${var.cluster_name}-${each.key}"
  alarm_description   = "The ${each.value.slo} indicator of ${each.value.service == null ? "the load balancer" : each.value.service} over ${each.value.window / 60} minutes, one window of a burn-rate alert (the composite alarms ${var.cluster_name}-${each.value.service == null ? "load-balancer" : each.value.service}-${each.value.slo}-burn-*): no action of its own."
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.ratio
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"

  metric_query {
    id    = "bad"
    label = each.value.slo == "latency" ? "The percentage of requests answered within the threshold" : "The requests answered with a 5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = local.bad_metric[each.value.slo]
      # The latency's: the percentage of requests answered within the threshold.
      stat       = each.value.slo == "latency" ? "PR(:${each.value.seconds})" : "Sum"
      period     = each.value.window
      dimensions = merge({ LoadBalancer = aws_lb.this[0].arn_suffix }, each.value.service == null ? {} : { TargetGroup = module.service[each.value.service].target_group_arn_suffix })
    }
  }

  metric_query {
    id    = "requests"
    label = "The requests' count"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      stat        = "Sum"
      period      = each.value.window
      dimensions  = merge({ LoadBalancer = aws_lb.this[0].arn_suffix }, each.value.service == null ? {} : { TargetGroup = module.service[each.value.service].target_group_arn_suffix })
    }
  }

  # Availability: the requests the load balancer could not connect to a task for (a 502 of
  # its own, not a target's 5xx) are bad too.
  dynamic "metric_query" {
    for_each = each.value.slo == "availability" ? [1] : []
    content {
      id    = "unreached"
      label = "The requests no task could be connected for"
      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = "TargetConnectionErrorCount"
        stat        = "Sum"
        period      = each.value.window
        dimensions = {
          LoadBalancer = aws_lb.this[0].arn_suffix
          TargetGroup  = module.service[each.value.service].target_group_arn_suffix
        }
      }
    }
  }

  metric_query {
    id          = "ratio"
    label       = "The error ratio"
    return_data = true
    # A window with no request burns nothing; a 5xx not counted (no data) is none.
    expression = {
      availability = "IF(requests > 0 AND FILL(bad, 0) + FILL(unreached, 0) >= ${each.value.least}, (FILL(bad, 0) + FILL(unreached, 0)) / requests, 0)"
      latency      = "IF(requests > 0 AND requests * (100 - bad) / 100 >= ${each.value.least}, (100 - bad) / 100, 0)"
      edge         = "IF(requests > 0 AND FILL(bad, 0) >= ${each.value.least}, FILL(bad, 0) / requests, 0)"
    }[each.value.slo]
  }
}

resource "aws_cloudwatch_composite_alarm" "slo" {
  for_each = merge([
    for key, objective in local.objectives : {
      for alert in distinct([for burn in var.burn_rates : burn.alert]) : "${key}-burn-${alert}" => {
        objective = key
        alert     = alert
      }
    }
  ]...)

  alarm_name        = "${var.cluster_name}-${each.key}"
  alarm_description = local.objectives[each.value.objective].service == null ? "The load balancer answers with its own 5xx (no task registered, a target that timed out or reset the connection) fast enough to spend the strictest objective's (${local.objectives[each.value.objective].percent}%) 30-day error budget in ${each.value.alert == "fast" ? "days: users feel it now" : "weeks"}. Its access logs say which requests; the services' events (aws ecs describe-services) say why." : "${local.objectives[each.value.objective].service} fails its ${local.objectives[each.value.objective].slo} objective (${local.objectives[each.value.objective].percent}%) fast enough to spend its 30-day error budget in ${each.value.alert == "fast" ? "days: users feel it now" : "weeks"}. Its logs: /ecs/${var.cluster_name}/${local.objectives[each.value.objective].service}."
  alarm_rule = join(" OR ", [
    for i, burn in var.burn_rates : format(
      "(ALARM(\"%s\") AND ALARM(\"%s\"))",
      aws_cloudwatch_metric_alarm.slo_window["${each.value.objective}-${burn.alert}-${i}-long"].alarm_name,
      aws_cloudwatch_metric_alarm.slo_window["${each.value.objective}-${burn.alert}-${i}-short"].alarm_name,
    ) if burn.alert == each.value.alert
  ])
  actions_enabled = local.alerting
  alarm_actions   = aws_sns_topic.alerts[*].arn
  ok_actions      = aws_sns_topic.alerts[*].arn
}

resource "aws_cloudwatch_metric_alarm" "down" {
  for_each = local.watched

  alarm_name          = "${var.cluster_name}-${each.key}-down"
  alarm_description   = "No task of ${each.key} has passed the load balancer's health check for 5 minutes: every request fails. aws ecs describe-services --cluster ${var.cluster_name} --services ${each.key} shows its events; its logs: /ecs/${var.cluster_name}/${each.key}."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  statistic           = "Maximum"
  period              = 60 # seconds
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  dimensions = {
    LoadBalancer = aws_lb.this[0].arn_suffix
    TargetGroup  = module.service[each.key].target_group_arn_suffix
  }
  alarm_actions = aws_sns_topic.alerts[*].arn
  ok_actions    = aws_sns_topic.alerts[*].arn
}
