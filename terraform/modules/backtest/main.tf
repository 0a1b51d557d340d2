# The backtest's state machine: statemachine/backtest.asl.json, rendered.

locals {
  map_state = "ScanLogFiles"

  # The definition file with its placeholders filled, as the local stack
  # fills them (test/backtest).
  asl = jsondecode(templatefile("${path.module}/../../../statemachine/backtest.asl.json", {
    trail_bucket          = var.trail_bucket_name
    results_bucket        = local.results_bucket_name
    backtest_function_arn = local.function_arn
  }))

  # The one step that adds to the definition what only AWS runs: the Map's
  # batching (moto, the local stack's Step Functions, refuses ItemBatcher)
  # and the two settings that are variables here (the local stack sets its
  # own MaxConcurrency). tests/backtest.tftest.hcl holds that nothing else
  # changes.
  map_settings = {
    MaxConcurrency             = var.max_concurrency
    ToleratedFailurePercentage = var.tolerated_failure_percentage
    ItemBatcher = {
      MaxItemsPerBatch = var.files_per_batch
    }
  }
  definition = jsonencode(merge(local.asl, {
    States = merge(local.asl.States, {
      (local.map_state) = merge(local.asl.States[local.map_state], local.map_settings)
    })
  }))

  # The task of each child execution, whose timeout the function's must
  # stay within.
  child_task_timeout_sec = local.asl.States[local.map_state].ItemProcessor.States.ParseLogFiles.TimeoutSeconds
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = local.state_machine_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.backtest.arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "backtest" {
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.state_machine.arn

  definition = local.definition

  # Standard executions keep their history in Step Functions (90 days):
  # errors are enough in the logs.
  logging_configuration {
    level                  = "ERROR"
    include_execution_data = true
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
  }

  tracing_configuration {
    enabled = true
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.state_machine, aws_lambda_function.backtest]

  lifecycle {
    precondition {
      condition     = length(local.definition) <= local.quotas.sfn_definition_bytes
      error_message = "The backtest's definition is longer than Step Functions' ${local.quotas.sfn_definition_bytes} bytes."
    }

    precondition {
      condition     = var.function_timeout_sec < local.child_task_timeout_sec
      error_message = "function_timeout_sec (${var.function_timeout_sec}) must be less than the child task's TimeoutSeconds (${local.child_task_timeout_sec}) in statemachine/backtest.asl.json."
    }
  }
}
