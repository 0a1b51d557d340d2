output "state_machine_console_url" {
  description = "AWS console page of the pipeline's state machine."
  value       = module.trailwatch.state_machine_console_url
}

output "central_event_bus_arn" {
  description = "ARN of the central bus; forwarders in further accounts and regions target it."
  value       = module.trailwatch.event_bus_arn
}

output "enrich_role_arn" {
  description = "ARN of the enrich function's role; member roles in further accounts trust it."
  value       = module.trailwatch.enrich_role_arn
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic trailwatch publishes alerts to."
  value       = module.trailwatch.alert_topic_arn
}

output "forwarder_dead_letter_queue_urls" {
  description = "URLs of the forwarders' dead-letter queues, by account and region."
  value = {
    central_central_region = module.forwarder_central.dead_letter_queue_url
    central_us_east_1      = module.forwarder_central_us_east_1.dead_letter_queue_url
    member_central_region  = module.forwarder_member.dead_letter_queue_url
    member_us_east_1       = module.forwarder_member_us_east_1.dead_letter_queue_url
  }
}

output "member_role_arns" {
  description = "ARNs of the read-only roles the enrich function assumes, by account."
  value = {
    central = module.member_role_central.role_arn
    member  = module.member_role_member.role_arn
  }
}

output "parked_queue_arn" {
  description = "ARN of the parked queue, events that failed in the pipeline: aws sqs start-message-move-task --source-arn <parked_queue_arn> --destination-arn <intake_queue_arn>."
  value       = module.trailwatch.parked_queue_arn
}

output "intake_queue_arn" {
  description = "ARN of the intake queue: the destination of a redrive of parked events."
  value       = module.trailwatch.intake_queue_arn
}

output "heartbeat_targets" {
  description = "The account and region pairs whose heartbeat the pipeline expects."
  value       = module.trailwatch.heartbeat_targets
}
