output "rule_arns" {
  description = "ARNs of the EventBridge rules that forward matching events to the central bus, by group."
  value       = { for group, rule in aws_cloudwatch_event_rule.forward : group => rule.arn }
}

output "role_arn" {
  description = "ARN of the role the rule uses to put events on the central bus; its name, <name>-<region>, is what the central bus's policy accepts."
  value       = aws_iam_role.forward.arn
}

output "dead_letter_queue_url" {
  description = "URL of the SQS queue holding events that could not be forwarded."
  value       = aws_sqs_queue.dead_letter.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the SQS queue holding events that could not be forwarded."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_kms_policy" {
  description = "Key policy statement (JSON) EventBridge needs on kms_key_arn to write to the dead-letter queue. Not needed without kms_key_arn."
  value       = data.aws_iam_policy_document.dead_letter_kms.json
}

output "heartbeat_target" {
  description = "The account and region this forwarder's canary beats for, \"<account>:<region>\", to list in the root module's heartbeat_targets; null without heartbeat_canary."
  value       = one(module.heartbeat[*].target)
}
