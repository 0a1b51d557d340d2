output "state_machine_console_url" {
  description = "AWS console page of the pipeline's state machine."
  value       = module.trailwatch.state_machine_console_url
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic trailwatch publishes alerts to."
  value       = module.trailwatch.alert_topic_arn
}

output "dead_letter_queue_url" {
  description = "URL of the queue holding events that could not start the pipeline."
  value       = module.trailwatch.dead_letter_queue_url
}
