output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "The nodes' subnets, one per zone."
  value       = [for zone in var.zones : aws_subnet.private[zone].id]
}

output "public_subnet_ids" {
  description = "The load balancers' subnets, one per zone."
  value       = [for zone in var.zones : aws_subnet.public[zone].id]
}

output "nat_public_ips" {
  description = "The addresses the nodes' outbound traffic leaves from (to allow-list elsewhere)."
  value       = [for zone in local.nat : aws_eip.nat[zone].public_ip]
}
