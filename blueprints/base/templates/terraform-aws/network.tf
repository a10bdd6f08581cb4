# The environment's network, whichever runs the services (an EKS cluster or ECS services,
# main.tf): the shared root's outputs it reads, and the VPC gen makes or an existing one it
# checks.
#
# What the environments share (the ECR repositories the image is promoted from, the build role,
# the DNS zone, the backup vault) is the shared root's (shared/), applied before any
# environment: this root reads it from that root's state, so that destroying an environment
# leaves every other one's images, zone and backups.

data "terraform_remote_state" "shared" {
  backend = "s3"
  config = {
    bucket = var.state_bucket
    key    = var.shared_state_key
    region = var.region
  }
}

locals {
  shared = data.terraform_remote_state.shared.outputs
}

# The zones the spec names (else the region's `a`, `b` and `c`), in that order: each zone's
# subnets are numbered by its place in the list, so that a zone's state on the day of a plan
# (impaired, say) never renumbers them. A zone the account does not have stops the plan here.
# (Not for an existing VPC, whose subnets say their zones.)
data "aws_availability_zones" "named" {
  count = local.existing == null ? 1 : 0
  filter {
    name   = "zone-name"
    values = var.network.zones
  }

  lifecycle {
    postcondition {
      condition     = length(self.names) == length(var.network.zones)
      error_message = "A zone of platform.aws.network.zones is not in this account and region: name the zones it has (aws ec2 describe-availability-zones)."
    }
  }
}

locals {
  zones    = var.network.zones
  existing = var.network.existing
  # The VPC and the subnets of the nodes: the network module's, or an existing VPC's.
  vpc_id          = local.existing == null ? module.network[0].vpc_id : data.aws_vpc.existing[0].id
  node_subnet_ids = local.existing == null ? module.network[0].private_subnet_ids : [for id in local.existing.node_subnet_ids : data.aws_subnet.node[id].id]
  # By zone, a node group each (the zones known at plan time: the spec's, or what the
  # existing subnets' data sources say of theirs; the ids of gen's subnets only at apply).
  node_subnets = local.existing == null ? {
    for i, zone in local.zones : zone => [module.network[0].private_subnet_ids[i]]
  } : { for subnet in data.aws_subnet.node : subnet.availability_zone => subnet.id... }
}

module "network" {
  source = "./modules/network"
  count  = local.existing == null ? 1 : 0

  name         = var.cluster_name
  account_id   = var.account_id
  cidr         = var.network.cidr
  zones        = local.zones
  nat_gateways = var.network.nat_gateways
}

# An existing VPC (spec: platform.aws.network.existing) is read and checked, never changed:
# DNS resolution and host names on (the nodes join the cluster by their DNS names, and the
# private endpoint is resolved inside the VPC); each subnet in it; each load balancer subnet
# with the range the spec gives it (the services' NetworkPolicies admit those ranges); the
# nodes in two zones or more, and a load balancer subnet in each of their zones, one per zone
# (the load balancer controller refuses two in a zone, and an ALB sends nothing to a pod in a
# zone it is not in, whose readiness gate then never passes). Its routes and network ACLs are
# the README's prerequisites.
data "aws_vpc" "existing" {
  count = local.existing == null ? 0 : 1
  filter {
    name   = "vpc-id"
    values = [local.existing.vpc_id]
  }

  lifecycle {
    postcondition {
      condition     = self.enable_dns_support && self.enable_dns_hostnames
      error_message = "The VPC ${local.existing.vpc_id} must resolve DNS names and give host names: aws ec2 modify-vpc-attribute --vpc-id ${local.existing.vpc_id} --enable-dns-support '{\"Value\":true}', then the same with --enable-dns-hostnames."
    }
  }
}

data "aws_subnet" "node" {
  for_each = toset(local.existing == null ? [] : local.existing.node_subnet_ids)
  filter {
    name   = "subnet-id"
    values = [each.value]
  }

  lifecycle {
    postcondition {
      condition     = self.vpc_id == local.existing.vpc_id
      error_message = "The node subnet ${each.value} is in ${self.vpc_id}, not in the VPC ${local.existing.vpc_id} (platform.aws.network.existing)."
    }
  }
}

data "aws_subnet" "load_balancer" {
  for_each = { for subnet in(local.existing == null ? [] : local.existing.load_balancer_subnets) : subnet.id => subnet.cidr }
  filter {
    name   = "subnet-id"
    values = [each.key]
  }

  lifecycle {
    postcondition {
      condition     = self.vpc_id == local.existing.vpc_id && self.cidr_block == each.value
      error_message = "The load balancer subnet ${each.key} is ${self.cidr_block} in ${self.vpc_id}; the spec says ${each.value} in ${local.existing.vpc_id} (platform.aws.network.existing)."
    }
  }
}

locals {
  node_zones          = distinct([for subnet in data.aws_subnet.node : subnet.availability_zone])
  load_balancer_zones = [for subnet in data.aws_subnet.load_balancer : subnet.availability_zone]
}

resource "terraform_data" "existing_vpc_zones" {
  count = local.existing == null ? 0 : 1

  lifecycle {
    precondition {
      condition     = length(local.node_zones) >= 2
      error_message = "The node subnets of platform.aws.network.existing are in ${length(local.node_zones)} zone(s): the services need two or more."
    }
    precondition {
      condition     = length(distinct(local.load_balancer_zones)) == length(local.load_balancer_zones)
      error_message = "Two load balancer subnets of platform.aws.network.existing share a zone (${join(", ", local.load_balancer_zones)}): a load balancer takes one per zone."
    }
    precondition {
      condition     = length(setsubtract(local.node_zones, local.load_balancer_zones)) == 0
      error_message = "No load balancer subnet of platform.aws.network.existing is in ${join(", ", setsubtract(local.node_zones, local.load_balancer_zones))}, where the services run: the load balancers would send them nothing."
    }
    precondition {
      condition     = length(setintersection(toset(local.existing.node_subnet_ids), toset(local.existing.load_balancer_subnets[*].id))) == 0
      error_message = "A subnet of platform.aws.network.existing is both a node subnet and a load balancer subnet: the nodes' are private, the load balancers' public."
    }
  }
}
