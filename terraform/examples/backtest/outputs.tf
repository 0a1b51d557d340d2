output "state_machine_arn" {
  description = "ARN of the backtest's state machine: start an execution with {\"prefix\": \"AWSLogs/...\"}."
  value       = module.backtest.state_machine_arn
}

output "results_bucket" {
  description = "Bucket holding each backtest's summary and findings, under runs/<execution name>/."
  value       = module.backtest.results_bucket
}
