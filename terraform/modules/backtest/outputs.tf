output "state_machine_arn" {
  description = "ARN of the backtest's Standard state machine. Start a backtest with the input {\"prefix\": \"<key prefix of the log files, within trail_prefix>\"}; the execution's output is the summary."
  value       = aws_sfn_state_machine.backtest.arn
}

output "function_name" {
  description = "Name of the backtest's function (the parse program with the handler \"backtest\")."
  value       = aws_lambda_function.backtest.function_name
}

output "results_bucket" {
  description = "Name of the bucket the backtest writes to: runs/<execution name>/summary.json, findings/ (JSON lines, gzip), batches/ and map/ (the Distributed Map's own results)."
  value       = aws_s3_bucket.results.id
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the results bucket and the backtest's logs: readers of the results need kms:Decrypt on it."
  value       = aws_kms_key.backtest.arn
}
