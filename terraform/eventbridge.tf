resource "aws_cloudwatch_event_rule" "pipeline" {
  name           = "${var.name}-cloudtrail"
  description    = "CloudTrail API calls that may expose resources, sent to ${local.state_machine_name}."
  event_bus_name = local.event_bus_name
  event_pattern  = file("${path.module}/../statemachine/event-pattern.json")
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "pipeline" {
  rule           = aws_cloudwatch_event_rule.pipeline.name
  event_bus_name = local.event_bus_name
  target_id      = "pipeline"
  arn            = aws_sfn_state_machine.pipeline.arn
  role_arn       = aws_iam_role.start_pipeline.arn

  # EventBridge retries a StartExecution that fails (throttling, a missing
  # permission) for up to a day, then parks the event in the queue below.
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }

  # The queue must accept EventBridge's messages before the first event.
  depends_on = [aws_sqs_queue_policy.dead_letter]
}

# Events EventBridge could not hand to the state machine. Nothing reads the
# queue: an alarm (alarms.tf) says when it is not empty, and an operator
# inspects and redrives.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-events-dlq"
  message_retention_seconds = 1209600 # 14 days, the most SQS keeps.
  kms_master_key_id         = local.kms_key_arn
  tags                      = var.tags
}

data "aws_iam_policy_document" "dead_letter" {
  statement {
    sid       = "EventBridgeRuleDeadLetters"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.pipeline.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy    = data.aws_iam_policy_document.dead_letter.json
}
