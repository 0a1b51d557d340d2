output "role_arn" {
  description = "ARN of the read-only role the enrich function assumes in this account."
  value       = aws_iam_role.enrich_read.arn
}

output "role_name" {
  description = "Name of the role; the root module's member_role_name must equal it."
  value       = aws_iam_role.enrich_read.name
}
