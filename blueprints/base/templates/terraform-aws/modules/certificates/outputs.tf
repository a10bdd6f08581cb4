output "arns" {
  description = "Each host's issued certificate, by host."
  value       = { for host, v in aws_acm_certificate_validation.this : host => v.certificate_arn }
}
