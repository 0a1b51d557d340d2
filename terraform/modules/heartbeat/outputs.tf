output "target" {
  description = "The account and region this canary beats for, as \"<account>:<region>\": an entry of the root module's heartbeat_targets."
  value       = "${local.account_id}:${local.region}"
}

output "security_group_id" {
  description = "ID of the canary's security group, whose heartbeat tag the schedule rewrites."
  value       = aws_security_group.canary.id
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule (group default) that makes the heartbeat call."
  value       = aws_scheduler_schedule.canary.name
}

output "role_arn" {
  description = "ARN of the role the schedule uses: ec2:CreateTags on the canary's group, with the heartbeat tag key only."
  value       = aws_iam_role.canary.arn
}
