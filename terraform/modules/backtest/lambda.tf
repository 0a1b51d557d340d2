# The backtest's function: the parse program (build/parse.zip) with the
# handler "backtest", which makes it read log files from S3 rather than
# events from the pipeline. A separate function from the pipeline's parse,
# so that only it may read the trail bucket, and with its own memory and
# timeout for batches of log files.

resource "aws_cloudwatch_log_group" "function" {
  name              = local.function_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.backtest.arn
  tags              = var.tags
}

resource "aws_lambda_function" "backtest" {
  function_name = local.function_name
  description   = "Parses CloudTrail log files for the ${local.state_machine_name} state machine."
  role          = aws_iam_role.function.arn

  runtime       = "provided.al2023"
  architectures = ["arm64"]
  handler       = "backtest"
  memory_size   = var.function_memory_mb
  timeout       = var.function_timeout_sec

  filename         = local.parse_zip
  source_code_hash = fileexists(local.parse_zip) ? filebase64sha256(local.parse_zip) : null

  environment {
    variables = { LOG_LEVEL = var.log_level }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function.name
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.function]

  lifecycle {
    precondition {
      condition     = fileexists(local.parse_zip)
      error_message = "${local.parse_zip} is missing: run `make build` at the repository root, or set build_dir."
    }
  }
}
