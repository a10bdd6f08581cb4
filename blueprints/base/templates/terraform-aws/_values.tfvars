<# The values both runtimes' roots read alike (an EKS cluster's, terraform.tfvars; ECS's,
   ecs/terraform.tfvars). #>
<# The environment's VPC: gen's own over the zones, or an existing one's subnets. #>
<% macro network(aws) %>
<% if aws.network.existing is defined %>
<% set existing = aws.network.existing %>
# An existing VPC, read and checked, never changed: the nodes' subnets (each routed to a NAT
# gateway) and the load balancers' (each routed to an internet gateway), with their ranges
# (README.md, "An existing VPC").
network = {
  existing = {
    vpc_id          = <@ existing.vpcId | hcl @>
    node_subnet_ids = [<% for id in existing.nodeSubnets %><@ id | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
    load_balancer_subnets = [
<% for subnet in existing.loadBalancerSubnets %>
      { id = <@ subnet.id | hcl @>, cidr = <@ subnet.cidr | hcl @> },
<% endfor %>
    ]
  }
}
<% else %>
# The cluster's own VPC<% if aws.network.zones is not defined %>, over the region's zones a, b and c<% endif %> (a zone the account
# lacks stops the plan: name the zones it has in platform.aws.network.zones).
network = {
  cidr         = <@ aws.network.cidr | hcl @>
  nat_gateways = <@ aws.network.natGateways | hcl @>
  zones        = [<% for z in (aws.network.zones if aws.network.zones is defined else [aws.region ~ "a", aws.region ~ "b", aws.region ~ "c"]) %><@ z | hcl @><% if not loop.last %>, <% endif %><% endfor %>]
}
<% endif %>
<% endmacro %>
