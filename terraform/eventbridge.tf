# One rule per generated event pattern (statemachine/event-patterns/), each
# within EventBridge's pattern quota, all sending to the intake queue.
# Every catalog event matches exactly one of them.
resource "aws_cloudwatch_event_rule" "pipeline" {
  for_each = local.event_patterns

  name           = local.rule_names[each.key]
  description    = "CloudTrail API calls (${each.key}) that may expose resources, sent to the intake queue of ${local.state_machine_name}."
  event_bus_name = local.event_bus_name
  event_pattern  = each.value
  tags           = var.tags

  lifecycle {
    # The AWS provider sends the pattern compacted, as jsonencode writes it.
    precondition {
      condition     = length(jsonencode(jsondecode(each.value))) <= local.quotas.eventbridge_event_pattern_chars
      error_message = "The event pattern ${each.key}.json is ${length(jsonencode(jsondecode(each.value)))} characters compacted, more than EventBridge's ${local.quotas.eventbridge_event_pattern_chars}: regenerate statemachine/event-patterns (make generate)."
    }

    precondition {
      condition     = length(local.rule_names[each.key]) <= local.quotas.eventbridge_rule_name_chars
      error_message = "The rule name ${local.rule_names[each.key]} is longer than EventBridge's ${local.quotas.eventbridge_rule_name_chars} characters: shorten name."
    }
  }
}

# Each rule sends its events to the intake queue (intake.tf), which the
# pipe drains into the state machine. No role: EventBridge writes an SQS
# target through the queue's policy, and AWS warns that a RoleArn on an SQS
# target can make delivery to a KMS-encrypted queue fail
# (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
resource "aws_cloudwatch_event_target" "pipeline" {
  for_each = aws_cloudwatch_event_rule.pipeline

  rule           = each.value.name
  event_bus_name = local.event_bus_name
  target_id      = "intake"
  arn            = aws_sqs_queue.intake.arn

  # EventBridge retries a SendMessage that fails (throttling, KMS) for up
  # to a day, then parks the event in the queue below. An event refused for
  # a missing permission goes there at once, without these retries.
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }

  # The queues must accept EventBridge's messages before the first event.
  depends_on = [aws_sqs_queue_policy.dead_letter, aws_sqs_queue_policy.intake]
}

# Events EventBridge could not hand to the intake queue. Nothing reads the
# queue: an alarm (alarms.tf) says when it is not empty, and an operator
# inspects and redrives (to the intake queue, README "Operations").
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}${local.suffixes.dead_letter_queue}"
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
      values   = values(local.rule_arns)
    }
  }
}

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy    = data.aws_iam_policy_document.dead_letter.json

  lifecycle {
    # The policy names every rule: it grows with the rules and the bus name.
    precondition {
      condition     = length(data.aws_iam_policy_document.dead_letter.minified_json) <= local.quotas.sqs_policy_bytes
      error_message = "The policy of ${aws_sqs_queue.dead_letter.name} is ${length(data.aws_iam_policy_document.dead_letter.minified_json)} bytes, more than SQS's ${local.quotas.sqs_policy_bytes}: use a shorter event_bus_name or name."
    }
  }
}
