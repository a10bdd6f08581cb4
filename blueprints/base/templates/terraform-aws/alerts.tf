# Alertmanager's heartbeat, watched from outside the cluster. kube-prometheus-stack fires its
# Watchdog alert always; Alertmanager (cluster/modules/observability) publishes it to the
# heartbeat topic every 5 minutes, and CloudWatch mails this environment's alert addresses
# when 15 minutes pass without one: Prometheus, Alertmanager, the nodes they run on or their
# path to AWS is down, and no alert of this cluster reaches anyone. A mail Alertmanager fails
# to send (the relay down, its password rotated) is published to the alerts topic as well,
# which SNS mails itself. Each address confirms its subscription once, from the mail AWS
# sends (README.md, "Alerts"); until then it receives nothing.
# Both topics are encrypted with the shared root's alerts key (CloudWatch may publish with
# it); Alertmanager's role, through EKS Pod Identity, publishes to them and nothing else.
locals {
  # (A shared root applied by an older gen has no alerts key: no heartbeat until it is
  # applied again, which the Terraform workflow does before this root, and a pull request's
  # plan of this root, beside the shared root's, stays green meanwhile.)
  alerts_key_arn = try(local.shared.alerts_key_arn, null)
  heartbeat      = var.metrics_stack == "kube-prometheus-stack" && length(var.alert_emails) > 0 && local.alerts_key_arn != null
}

resource "aws_sns_topic" "heartbeat" {
  count             = local.heartbeat ? 1 : 0
  name              = "${var.cluster_name}-alertmanager-heartbeat"
  kms_master_key_id = local.alerts_key_arn
}

resource "aws_sns_topic" "alerts" {
  count             = local.heartbeat ? 1 : 0
  name              = "${var.cluster_name}-alerts"
  kms_master_key_id = local.alerts_key_arn
}

resource "aws_sns_topic_subscription" "alerts" {
  for_each  = toset(local.heartbeat ? var.alert_emails : [])
  topic_arn = aws_sns_topic.alerts[0].arn
  protocol  = "email"
  endpoint  = each.value
}

# The sum of the heartbeats published in each 5 minutes, for 3 in a row: none (no data
# either) is an alarm; the first heartbeat after it mails that it is over.
resource "aws_cloudwatch_metric_alarm" "heartbeat" {
  count = local.heartbeat ? 1 : 0

  alarm_name          = "${var.cluster_name}-alertmanager-heartbeat"
  alarm_description   = "Alertmanager of the cluster ${var.cluster_name} has published no heartbeat for 15 minutes: its alerts reach no one. kubectl -n monitoring get pods, then the logs of alertmanager-kube-prometheus-stack-alertmanager-0 and of the Prometheus pod say why."
  namespace           = "AWS/SNS"
  metric_name         = "NumberOfMessagesPublished"
  dimensions          = { TopicName = aws_sns_topic.heartbeat[0].name }
  statistic           = "Sum"
  period              = 300 # seconds
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alerts[0].arn]
  ok_actions          = [aws_sns_topic.alerts[0].arn]
}

data "aws_iam_policy_document" "alertmanager" {
  count = local.heartbeat ? 1 : 0
  statement {
    sid       = "PublishTheHeartbeatAndFailedMails"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.heartbeat[0].arn, aws_sns_topic.alerts[0].arn]
  }
  statement {
    sid       = "EncryptForTheTopics"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = [local.alerts_key_arn]
  }
}

module "alertmanager_role" {
  source = "./modules/pod-identity"
  count  = local.heartbeat ? 1 : 0

  name            = "${var.cluster_name}-alertmanager"
  cluster_name    = module.eks.name
  cluster_arn     = module.eks.arn
  account_id      = var.account_id
  namespace       = "monitoring"
  service_account = "kube-prometheus-stack-alertmanager"
  policy          = data.aws_iam_policy_document.alertmanager[0].json
}
