# trailwatch forwarder: applied in every member account and region. CloudTrail
# delivers an API call only to the default bus of the account and region
# where it happened (calls to global services such as IAM and sign-in: in
# us-east-1 only), so each of them needs this rule to send matching events
# to the central bus. The central account needs it too, in every region,
# since its pipeline listens on the central bus and not on its default bus.
#
# The module configures no provider: the caller's aws provider decides the
# account and region (see examples/organization).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # The AWS quotas the checks below enforce, from the repository's facts
  # file (functions/shared/deployment/deployment.json).
  quotas = { for key, quota in jsondecode(file("${path.module}/../../../functions/shared/deployment/deployment.json")).quotas : key => quota.value }

  # The same files the central rules read, so that the two cannot drift:
  # one rule per generated pattern, named <name>-<group>.
  event_pattern_dir = "${path.module}/../../../statemachine/event-patterns"
  event_patterns = var.event_patterns != null ? var.event_patterns : {
    for file in fileset(local.event_pattern_dir, "*.json") : trimsuffix(file, ".json") => file("${local.event_pattern_dir}/${file}")
  }
  rule_names = { for group in keys(local.event_patterns) : group => "${var.name}-${group}" }
  # Built from names, as EventBridge documents rule ARNs, so that the
  # policies naming every rule are known at plan and their sizes checked.
  rule_arns = {
    for group, name in local.rule_names : group =>
    "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.event_bus_name == "default" ? "" : "${var.event_bus_name}/"}${name}"
  }
}

resource "aws_cloudwatch_event_rule" "forward" {
  for_each = local.event_patterns

  name           = local.rule_names[each.key]
  description    = "CloudTrail API calls (${each.key}) that may expose resources, forwarded to trailwatch's central bus."
  event_bus_name = var.event_bus_name
  event_pattern  = each.value
  tags           = var.tags

  lifecycle {
    # The AWS provider sends the pattern compacted, as jsonencode writes it.
    precondition {
      condition     = length(jsonencode(jsondecode(each.value))) <= local.quotas.eventbridge_event_pattern_chars
      error_message = "The event pattern ${each.key} is ${length(jsonencode(jsondecode(each.value)))} characters compacted, more than EventBridge's ${local.quotas.eventbridge_event_pattern_chars}."
    }

    precondition {
      condition     = length(local.rule_names[each.key]) <= local.quotas.eventbridge_rule_name_chars
      error_message = "The rule name ${local.rule_names[each.key]} is longer than EventBridge's ${local.quotas.eventbridge_rule_name_chars} characters: shorten name."
    }
  }
}

resource "aws_cloudwatch_event_target" "central_bus" {
  for_each = aws_cloudwatch_event_rule.forward

  rule           = each.value.name
  event_bus_name = var.event_bus_name
  target_id      = "central-bus"
  arn            = var.central_event_bus_arn
  role_arn       = aws_iam_role.forward.arn

  # EventBridge retries a PutEvents that fails (throttling, the central
  # bus's policy not yet in place) for up to a day, then parks the event in
  # the queue below.
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }

  # The role's policy and the queue's must be in place before the first
  # event.
  depends_on = [aws_iam_role_policy.forward, aws_sqs_queue_policy.dead_letter]
}

# ---------------------------------------------------------------------------
# The rule's role: events:PutEvents on the central bus, nothing else
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(local.rule_arns)
    }
  }
}

data "aws_iam_policy_document" "put_events" {
  statement {
    sid       = "PutEventsOnCentralBus"
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [var.central_event_bus_arn]
  }
}

# IAM is global: the region in the name keeps one account's forwarders of
# different regions apart. The central bus's policy accepts roles named
# <name>-*.
resource "aws_iam_role" "forward" {
  name               = "${var.name}-${local.region}"
  description        = "Lets the ${var.name}-* rules put events on trailwatch's central bus."
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags

  lifecycle {
    # The trust policy names every rule: it grows with the rules and the
    # bus name.
    precondition {
      condition     = length(data.aws_iam_policy_document.trust.minified_json) <= local.quotas.iam_trust_policy_chars
      error_message = "The trust policy of ${var.name}-${local.region} is ${length(data.aws_iam_policy_document.trust.minified_json)} characters, more than IAM's ${local.quotas.iam_trust_policy_chars}: use a shorter event_bus_name or name."
    }

    precondition {
      condition     = length("${var.name}-${local.region}") <= local.quotas.iam_role_name_chars
      error_message = "The role name ${var.name}-${local.region} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

resource "aws_iam_role_policy" "forward" {
  name   = "put-events-on-central-bus"
  role   = aws_iam_role.forward.id
  policy = data.aws_iam_policy_document.put_events.json
}

# ---------------------------------------------------------------------------
# Dead-letter queue
# ---------------------------------------------------------------------------

# Events EventBridge could not deliver to the central bus. Nothing reads
# the queue: the optional alarm says when it is not empty, and an operator
# inspects and redrives.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600 # 14 days, the most SQS keeps.

  # A customer managed key when given, else SQS-managed encryption: a key
  # per account and region would cost more than the few events that wait
  # here are worth, and SSE-SQS needs no key policy.
  kms_master_key_id       = var.kms_key_arn
  sqs_managed_sse_enabled = var.kms_key_arn == null ? true : null

  tags = var.tags
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
}

# What EventBridge needs on var.kms_key_arn to dead-letter into the queue;
# published as the dead_letter_kms_policy output. In a key policy, Resource
# "*" means the key itself. AWS's documented statement for a service that
# sends to an encrypted queue, without conditions: SQS calls KMS, and AWS
# documents no aws:SourceArn such a call carries, so a condition on the
# rules could refuse every write; the queue's policy holds that guard.
data "aws_iam_policy_document" "dead_letter_kms" {
  statement {
    sid       = "EventBridgeToForwarderDeadLetterQueue"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

# Always created: events parked here are lost to the pipeline until someone
# redrives them, and EventBridge sends an event refused for a missing
# permission (the central bus's policy not yet in place) here at once,
# without retries. It notifies alarm_topic_arn when given; without one it
# still shows in this account's CloudWatch alarms (and the central
# heartbeat alarm fires for this account and region if nothing arrives).
resource "aws_cloudwatch_metric_alarm" "dead_letter" {
  alarm_name        = "${var.name}-dlq-not-empty"
  alarm_description = "EventBridge could not forward some events to trailwatch's central bus; they wait in ${aws_sqs_queue.dead_letter.name}. Inspect them, fix the cause, and redrive."
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

  alarm_actions = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  ok_actions    = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags          = var.tags
}

# ---------------------------------------------------------------------------
# Heartbeat canary
# ---------------------------------------------------------------------------

# This account and region's canary (modules/heartbeat): its CreateTags call
# matches the heartbeat pattern, which the rules above forward like any
# other, so its beat proves the trail, this forwarder and the central
# pipeline all work. List its target output in the root module's
# heartbeat_targets.
module "heartbeat" {
  source = "../heartbeat"
  count  = var.heartbeat_canary ? 1 : 0

  account_id = local.account_id
  name       = var.name
  vpc_id     = var.heartbeat_vpc_id
  tags       = var.tags
}
