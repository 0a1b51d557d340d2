# Operations alarms: the pipeline failing, the functions failing or being
# throttled, and events left in the dead-letter queue. They notify the
# operations topic, which is not the alert topic: alerts are about the
# account watched, these are about trailwatch itself.

locals {
  state_machine_alarms = {
    ExecutionsFailed   = "An execution failed: a step failed after its retries, or an event was malformed."
    ExecutionsTimedOut = "An execution ran past the state machine's TimeoutSeconds."
    ExecutionThrottled = "Step Functions throttled executions: events may be delayed or dead-lettered."
  }

  function_alarms = {
    for pair in setproduct(keys(local.functions), ["Errors", "Throttles"]) :
    "${pair[0]}-${lower(pair[1])}" => { function = pair[0], metric = pair[1] }
  }
}

resource "aws_sns_topic" "ops" {
  count = local.create_ops_topic ? 1 : 0

  name              = "${var.name}${local.suffixes.ops_topic}"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "ops" {
  count = local.create_ops_topic ? 1 : 0

  statement {
    sid       = "TrailwatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.ops[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    # The module's alarms are named <name>-*; in organisation mode the
    # central account's forwarders (modules/forwarder) may send their
    # dead-letter alarm, <forwarder_name>-dlq-not-empty, here too.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = [
        for prefix in concat([var.name], local.organization_mode ? [var.forwarder_name] : []) :
        "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${prefix}-*"
      ]
    }
  }
}

resource "aws_sns_topic_policy" "ops" {
  count = local.create_ops_topic ? 1 : 0

  arn    = aws_sns_topic.ops[0].arn
  policy = data.aws_iam_policy_document.ops[0].json
}

resource "aws_sns_topic_subscription" "ops_email" {
  for_each = local.create_ops_topic ? toset(var.ops_alarm_emails) : toset([])

  topic_arn = aws_sns_topic.ops[0].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "state_machine" {
  for_each = local.state_machine_alarms

  alarm_name        = "${local.state_machine_name}-${each.key}"
  alarm_description = each.value
  namespace         = "AWS/States"
  metric_name       = each.key
  dimensions = {
    StateMachineArn = aws_sfn_state_machine.pipeline.arn
  }

  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.ops_alarm_targets
  ok_actions    = local.ops_alarm_targets
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.function_alarms

  alarm_name        = "${local.function_names[each.value.function]}-${lower(each.value.metric)}"
  alarm_description = "${local.function_names[each.value.function]} reported ${each.value.metric}. The state machine retries, so a lone one may have been absorbed; a run of them is an outage."
  namespace         = "AWS/Lambda"
  metric_name       = each.value.metric
  dimensions = {
    FunctionName = aws_lambda_function.function[each.value.function].function_name
  }

  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.ops_alarm_targets
  ok_actions    = local.ops_alarm_targets
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letter" {
  alarm_name        = "${aws_sqs_queue.dead_letter.name}-not-empty"
  alarm_description = "EventBridge could not start the pipeline for some events, which wait in ${aws_sqs_queue.dead_letter.name}. Inspect them, fix the cause, and redrive."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.dead_letter.name
  }

  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.ops_alarm_targets
  ok_actions    = local.ops_alarm_targets
  tags          = var.tags
}

# A chat publish that failed (notify logs chat_publish_failed and keeps the
# alert sent: see functions/notify/sns.go), counted from notify's log.
resource "aws_cloudwatch_log_metric_filter" "chat_publish_failed" {
  count = var.chat_notifications ? 1 : 0

  name           = "${var.name}-chat-publish-failed"
  log_group_name = aws_cloudwatch_log_group.function["notify"].name
  pattern        = "{ $.message = \"chat_publish_failed\" }"

  metric_transformation {
    name          = "ChatPublishFailed"
    namespace     = "trailwatch/${var.name}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "chat_publish_failed" {
  count = var.chat_notifications ? 1 : 0

  alarm_name        = "${var.name}-chat-publish-failed"
  alarm_description = "notify could not publish a message to the chat topic: the alert reached the alert topic's subscribers but not the chat channel."
  namespace         = "trailwatch/${var.name}"
  metric_name       = "ChatPublishFailed"

  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.ops_alarm_targets
  ok_actions    = local.ops_alarm_targets
  tags          = var.tags

  depends_on = [aws_cloudwatch_log_metric_filter.chat_publish_failed]
}
