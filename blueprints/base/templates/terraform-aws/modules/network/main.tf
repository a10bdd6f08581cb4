# The cluster's own VPC over the zones: per zone a private subnet for the nodes and pods (the
# VPC CNI gives each pod an address there)
# and a small public subnet for the load balancers and the NAT gateways. The subnets carry the
# tags the AWS Load Balancer Controller finds them by. The nodes reach out through NAT alone;
# nothing reaches them from the internet but through a load balancer.

locals {
  # Private subnets of a quarter of the range each (an eighth with four zones), from its
  # start; public ones of a sixty-fourth, in its last sixteenth: in 10.0.0.0/16 with three
  # zones, 10.0.0.0/18, 10.0.64.0/18, 10.0.128.0/18 and 10.0.240.0/22, 10.0.244.0/22, ...
  private = { for i, zone in var.zones : zone => cidrsubnet(var.cidr, length(var.zones) > 3 ? 3 : 2, i) }
  public  = { for i, zone in var.zones : zone => cidrsubnet(var.cidr, 6, 60 + i) }
  nat     = var.nat_gateways == "single" ? [var.zones[0]] : var.zones
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

# Nothing in or out through the VPC's default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-default-unused" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = var.name }
}

resource "aws_subnet" "public" {
  for_each          = local.public
  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
  tags = {
    Name                                = "${var.name}-public-${each.key}"
    "kubernetes.io/role/elb"            = "1"
    "kubernetes.io/cluster/${var.name}" = "shared"
  }
}

resource "aws_subnet" "private" {
  for_each          = local.private
  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
  tags = {
    Name                                = "${var.name}-private-${each.key}"
    "kubernetes.io/role/internal-elb"   = "1"
    "kubernetes.io/cluster/${var.name}" = "shared"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each       = local.public
  subnet_id      = aws_subnet.public[each.key].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  for_each = toset(local.nat)
  domain   = "vpc"
  tags     = { Name = "${var.name}-nat-${each.key}" }
}

resource "aws_nat_gateway" "this" {
  for_each      = toset(local.nat)
  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.key].id
  tags          = { Name = "${var.name}-${each.key}" }
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  for_each = local.private
  vpc_id   = aws_vpc.this.id
  tags     = { Name = "${var.name}-private-${each.key}" }
}

resource "aws_route" "private_nat" {
  for_each               = local.private
  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  # Its zone's NAT gateway, else the one gateway.
  nat_gateway_id = aws_nat_gateway.this[contains(local.nat, each.key) ? each.key : local.nat[0]].id
}

resource "aws_route_table_association" "private" {
  for_each       = local.private
  subnet_id      = aws_subnet.private[each.key].id
  route_table_id = aws_route_table.private[each.key].id
}

# Every accepted and rejected flow, kept a year, for an investigation after the fact, in a log
# group encrypted with a key CloudWatch Logs may use for it alone.
data "aws_region" "current" {}

locals {
  flow_group = "/aws/vpc/${var.name}/flow"
}

resource "aws_kms_key" "flow" {
  description             = "VPC ${var.name}: flow log"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.flow_key.json
}

data "aws_iam_policy_document" "flow_key" {
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
    sid       = "LogsEncryptTheFlowLogGroup"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${data.aws_region.current.region}:${var.account_id}:log-group:${local.flow_group}"]
    }
  }
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = local.flow_group
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.flow.arn
}

data "aws_iam_policy_document" "flow_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    # For this account's flow logs alone (the confused deputy).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "flow" {
  name               = "${var.name}-flow-log"
  assume_role_policy = data.aws_iam_policy_document.flow_trust.json
}

data "aws_iam_policy_document" "flow" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow" {
  name   = "${var.name}-flow-log"
  role   = aws_iam_role.flow.id
  policy = data.aws_iam_policy_document.flow.json
}

resource "aws_flow_log" "this" {
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
  iam_role_arn    = aws_iam_role.flow.arn
}
