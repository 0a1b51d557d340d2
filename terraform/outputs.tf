output "state_machine_arn" {
  description = "ARN of the Express state machine that runs the pipeline."
  value       = aws_sfn_state_machine.pipeline.arn
}

output "state_machine_console_url" {
  description = "AWS console page of the state machine."
  value       = "https://${local.region}.${local.console_domain}/states/home?region=${local.region}#/statemachines/view/${urlencode(aws_sfn_state_machine.pipeline.arn)}"
}

output "state_machine_log_group_name" {
  description = "CloudWatch Logs group holding the state machine's execution logs (Express executions keep no other history)."
  value       = aws_cloudwatch_log_group.state_machine.name
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic alerts are published to; only the notify function may publish."
  value       = aws_sns_topic.alerts.arn
}

output "chat_topic_arn" {
  description = "ARN of the SNS topic notify publishes AWS Chatbot custom notifications to (chat_notifications), for the Chatbot channel configuration to subscribe; null without it."
  value       = one(aws_sns_topic.chat[*].arn)
}

output "ops_alarm_topic_arn" {
  description = "ARN of the SNS topic the CloudWatch alarms notify: ops_alarm_topic_arn if given, else the topic the module created."
  value       = local.ops_alarm_targets[0]
}

output "dedupe_table_name" {
  description = "Name of the DynamoDB table the dedupe function claims alerts in."
  value       = aws_dynamodb_table.dedupe.name
}

output "function_names" {
  description = "Lambda function names by pipeline step (parse, enrich, dedupe, notify)."
  value       = { for key, function in aws_lambda_function.function : key => function.function_name }
}

output "function_arns" {
  description = "Lambda function ARNs by pipeline step (parse, enrich, dedupe, notify)."
  value       = { for key, function in aws_lambda_function.function : key => function.arn }
}

output "event_rule_arns" {
  description = "ARNs of the EventBridge rules that start the pipeline, by group (statemachine/event-patterns/<group>.json)."
  value       = { for group, rule in aws_cloudwatch_event_rule.pipeline : group => rule.arn }
}

output "dead_letter_queue_url" {
  description = "URL of the SQS queue holding events EventBridge could not hand to the intake queue."
  value       = aws_sqs_queue.dead_letter.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the SQS queue holding events EventBridge could not hand to the intake queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "intake_queue_url" {
  description = "URL of the encrypted intake queue the rules write and the pipe drains into the state machine."
  value       = aws_sqs_queue.intake.id
}

output "intake_queue_arn" {
  description = "ARN of the intake queue: the destination of a redrive from the parked queue."
  value       = aws_sqs_queue.intake.arn
}

output "parked_queue_url" {
  description = "URL of the parked queue: events that failed in the pipeline intake.max_receive_count times (deployment.json)."
  value       = aws_sqs_queue.parked.id
}

output "parked_queue_arn" {
  description = "ARN of the parked queue: the source of a redrive (aws sqs start-message-move-task --source-arn <parked> --destination-arn <intake>)."
  value       = aws_sqs_queue.parked.arn
}

output "pipe_name" {
  description = "Name of the EventBridge Pipe that runs the state machine synchronously on each event of the intake queue."
  value       = aws_pipes_pipe.intake.name
}

output "trail_arn" {
  description = "ARN of the multi-region trail the module created (create_trail); null without it."
  value       = one(aws_cloudtrail.trail[*].arn)
}

output "trail_bucket_name" {
  description = "Name of the bucket the trail logs to (create_trail), e.g. for modules/backtest's trail_bucket_name; null without it."
  value       = one(aws_s3_bucket.trail[*].id)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the pipeline's metrics, queues, pipe and executions."
  value       = aws_cloudwatch_dashboard.pipeline.dashboard_name
}

output "heartbeat_targets" {
  description = "The account and region pairs whose heartbeat the pipeline expects (HEARTBEAT_TARGETS of the dedupe function): this deployment's and heartbeat_targets."
  value       = local.heartbeat_targets
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting logs, table, topics and queue: kms_key_arn if given, else the key the module created."
  value       = local.kms_key_arn
}

output "kms_key_service_policy" {
  description = "Key policy statements (JSON) the AWS services here need on the KMS key. The module's own key has them; merge them into the policy of a key passed as kms_key_arn."
  value       = data.aws_iam_policy_document.kms_services.json
}

output "event_bus_arn" {
  description = "ARN of the event bus the pipeline's rule listens on: in organisation mode the custom bus member accounts' forwarders target (modules/forwarder's central_event_bus_arn), else var.event_bus_name in this account. Known only once the bus's policy is in place, so that forwarders built on it start after the policy."
  value       = local.event_bus_arn

  # EventBridge sends an event refused for a missing permission straight to
  # the forwarder's dead-letter queue, without its retry policy: a
  # forwarder's rule target must not exist before the policy that lets it
  # put events (README, "Organisation-wide").
  depends_on = [aws_cloudwatch_event_bus_policy.central]
}

output "enrich_role_arn" {
  description = "ARN of the enrich function's role: the principal modules/member-role trusts (its enrich_role_arn)."
  value       = aws_iam_role.function["enrich"].arn
}

output "digest_schedule_name" {
  description = "Name of the EventBridge Scheduler schedule that sends the digests of storms (group default)."
  value       = aws_scheduler_schedule.digests.name
}
