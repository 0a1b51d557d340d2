output "state_machine_console_url" {
  description = "AWS console page of the pipeline's state machine."
  value       = module.trailwatch.state_machine_console_url
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic trailwatch publishes alerts to."
  value       = module.trailwatch.alert_topic_arn
}

output "dead_letter_queue_url" {
  description = "URL of the queue holding events the rules could not hand to the intake queue."
  value       = module.trailwatch.dead_letter_queue_url
}

output "intake_queue_arn" {
  description = "ARN of the intake queue: the destination of a redrive of parked events."
  value       = module.trailwatch.intake_queue_arn
}

output "parked_queue_arn" {
  description = "ARN of the parked queue, events that failed in the pipeline: aws sqs start-message-move-task --source-arn <parked_queue_arn> --destination-arn <intake_queue_arn>."
  value       = module.trailwatch.parked_queue_arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the pipeline."
  value       = module.trailwatch.dashboard_name
}
