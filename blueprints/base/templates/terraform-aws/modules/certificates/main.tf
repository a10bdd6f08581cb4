# A public ACM certificate per TLS host, validated through a DNS record in the zone and renewed
# by ACM while the record stays: the AWS Load Balancer Controller finds each host's
# certificate itself (no ARN in the chart), and an Ingress gets its HTTPS listener once it is
# issued, which this module waits for.

resource "aws_acm_certificate" "this" {
  for_each          = var.hosts
  domain_name       = each.value
  validation_method = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each        = var.hosts
  zone_id         = var.zone_id
  name            = one(aws_acm_certificate.this[each.key].domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.this[each.key].domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.this[each.key].domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

# ACM validates once the zone answers for the name: a zone just delegated (shared/) may take
# a while to propagate. The apply waits up to 90 minutes, then fails, releasing the state's
# lock, inside the Terraform workflow's 2-hour apply job (a job GitHub kills leaves the lock
# held); run it again once `dig NS` answers with the zone's name servers.
resource "aws_acm_certificate_validation" "this" {
  for_each                = var.hosts
  certificate_arn         = aws_acm_certificate.this[each.key].arn
  validation_record_fqdns = [aws_route53_record.validation[each.key].fqdn]

  timeouts {
    create = "90m"
  }
}
