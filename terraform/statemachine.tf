resource "aws_cloudwatch_log_group" "state_machine" {
  name              = local.state_machine_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "pipeline" {
  name     = local.state_machine_name
  type     = "EXPRESS"
  role_arn = aws_iam_role.state_machine.arn

  # The same placeholders are rendered by the local stack.
  definition = templatefile("${path.module}/../statemachine/pipeline.asl.json", {
    parse_function_arn  = aws_lambda_function.function["parse"].arn
    enrich_function_arn = aws_lambda_function.function["enrich"].arn
    dedupe_function_arn = aws_lambda_function.function["dedupe"].arn
    notify_function_arn = aws_lambda_function.function["notify"].arn
  })

  # Express executions keep no history in Step Functions: these logs are
  # the only record of what an execution did.
  logging_configuration {
    level                  = "ALL"
    include_execution_data = true
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
  }

  tracing_configuration {
    enabled = true
  }

  tags = var.tags

  # Step Functions checks at creation that the role may deliver logs.
  depends_on = [aws_iam_role_policy.state_machine]
}
