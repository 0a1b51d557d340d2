# Operations alarms: the rules failing to deliver, the pipe and the
# pipeline failing, the functions failing or being throttled, events left
# in a dead-letter queue (the rules', the parked queue), a member account
# without its role, and the heartbeat. They notify the operations topic,
# which is not the alert topic: alerts are about the account watched, these
# are about trailwatch itself.
#
# Missing data: on a count of "an error happened" (failures, throttles,
# messages in a dead-letter queue) it means nothing happened, notBreaching;
# AWS/Events and AWS/EventBridge/Pipes send such counts only when they are
# not zero. On a liveness metric (HeartbeatAge, emitted every minute by the
# digest run) it means the thing that should speak is silent: breaching.
# tests/alarms.tftest.hcl holds both for every alarm.

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

  # Per rule: deliveries to the intake queue that failed for good (after
  # the retry policy, or at once for a missing permission), and those that
  # could not even be dead-lettered. AWS/Events names a rule on a custom bus
  # by both dimensions, and spells the second metric "Dlq", not "DLQ": a
  # name CloudWatch does not know would never alarm
  # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
  rule_alarms = {
    for pair in setproduct(keys(local.event_patterns), ["FailedInvocations", "InvocationsFailedToBeSentToDlq"]) :
    "${pair[0]}-${pair[1]}" => { group = pair[0], metric = pair[1] }
  }
  rule_dimensions = {
    for group, name in local.rule_names : group =>
    local.event_bus_name == "default" ? { RuleName = name } : { RuleName = name, EventBusName = local.event_bus_name }
  }

  # The pipe's failures (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-monitoring.html):
  # a failed execution comes back from the queue until it is parked; a
  # throttled or timed-out one is retried without counting as a receive.
  pipe_alarms = {
    ExecutionFailed    = "The pipe's invocations of ${local.state_machine_name} failed: the events return to ${local.intake_queue_name} and are parked after ${local.facts.intake.max_receive_count} tries."
    ExecutionTimeout   = "The pipe's invocations of ${local.state_machine_name} timed out: the events return to ${local.intake_queue_name}."
    ExecutionThrottled = "The pipe was throttled: events wait in ${local.intake_queue_name}, retried without counting as receives, until its retention drops them."
  }

  # Accounts whose enrich role is expected: the listed member accounts and
  # those of the heartbeat targets (organisation mode only).
  member_role_accounts = local.organization_mode ? toset(distinct(concat(
    var.member_account_ids, [for target in var.heartbeat_targets : split(":", target)[0]],
  ))) : toset([])

  heartbeat_max_age_seconds = sum([for part in regexall("([0-9]+)([hms])", local.facts.heartbeat.max_age) : tonumber(part[0]) * local.duration_units[part[1]]])
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

resource "aws_cloudwatch_metric_alarm" "rule" {
  for_each = local.rule_alarms

  alarm_name        = "${local.rule_names[each.value.group]}-${each.value.metric}"
  alarm_description = "The rule ${local.rule_names[each.value.group]} reported ${each.value.metric}: events it matched ${each.value.metric == "FailedInvocations" ? "did not reach ${local.intake_queue_name}; they wait in ${aws_sqs_queue.dead_letter.name}" : "reached neither ${local.intake_queue_name} nor ${aws_sqs_queue.dead_letter.name}: they are lost"}."
  namespace         = "AWS/Events"
  metric_name       = each.value.metric
  dimensions        = local.rule_dimensions[each.value.group]

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

resource "aws_cloudwatch_metric_alarm" "parked" {
  alarm_name        = "${local.parked_queue_name}-not-empty"
  alarm_description = "Events failed ${local.facts.intake.max_receive_count} times in the pipeline and wait in ${local.parked_queue_name}. Fix the cause, then redrive them to ${local.intake_queue_name} (README, Operations)."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.parked.name
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

# An event that fails is parked after max_receive_count visibility
# timeouts; one older than that is stuck (the pipe throttled or stopped).
resource "aws_cloudwatch_metric_alarm" "intake_stuck" {
  alarm_name        = "${local.intake_queue_name}-stuck"
  alarm_description = "An event has waited in ${local.intake_queue_name} longer than ${local.facts.intake.max_receive_count} tries take: the pipe ${local.pipe_name} is throttled, stopped or cannot run ${local.state_machine_name}."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions = {
    QueueName = aws_sqs_queue.intake.name
  }

  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.intake_seconds.visibility_timeout * local.facts.intake.max_receive_count
  treat_missing_data  = "notBreaching"

  alarm_actions = local.ops_alarm_targets
  ok_actions    = local.ops_alarm_targets
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "pipe" {
  for_each = local.pipe_alarms

  alarm_name        = "${local.pipe_name}-pipe-${each.key}"
  alarm_description = each.value
  namespace         = "AWS/EventBridge/Pipes"
  metric_name       = each.key
  dimensions = {
    PipeName = aws_pipes_pipe.intake.name
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

# The oldest heartbeat of every expected account and region
# (HEARTBEAT_TARGETS), which the digest run emits every minute. Missing
# data is breaching: no metric means the digest run, and so the pipeline,
# is not running.
resource "aws_cloudwatch_metric_alarm" "heartbeat" {
  alarm_name        = "${var.name}-heartbeat"
  alarm_description = "No heartbeat for more than ${local.facts.heartbeat.max_age} from an expected account and region, or no HeartbeatAge at all: a trail stopped, a rule or forwarder is broken, or the pipeline is failing. The dashboard's HeartbeatAge by Account and Region names the silent one."
  namespace         = local.facts.metrics.namespace
  metric_name       = "HeartbeatAge"

  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.heartbeat_max_age_seconds
  treat_missing_data  = "breaching"

  alarm_actions = local.ops_alarm_targets
  ok_actions    = local.ops_alarm_targets
  tags          = var.tags
}

# Enrich could not assume its role in the account: alerts from it go out
# unconfirmed until modules/member-role is applied there.
resource "aws_cloudwatch_metric_alarm" "member_role_missing" {
  for_each = local.member_role_accounts

  alarm_name        = "${var.name}-member-role-missing-${each.key}"
  alarm_description = "enrich could not assume ${var.member_role_name} in account ${each.key}: its alerts are sent unconfirmed. Apply modules/member-role there (with the external id)."
  namespace         = local.facts.metrics.namespace
  metric_name       = "MemberRoleMissing"
  dimensions = {
    Account = each.key
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
