# trailwatch heartbeat canary: one per watched account and region (the root
# module runs one where it is deployed, modules/forwarder one in each
# member account and region). Every heartbeat interval an EventBridge
# Scheduler schedule calls ec2:CreateTags through its universal target
# (arn:aws:scheduler:::aws-sdk:ec2:createTags) on a security group the
# canary owns, setting the heartbeat tag key to the schedule's time. No
# function runs: CloudTrail records the call, the heartbeat rule matches it
# (statemachine/event-patterns/heartbeat.json), and dedupe notes the
# account and region's last beat. A beat that stops arriving (trail
# stopped, rule or forwarder broken, pipeline failing) raises the root
# module's heartbeat alarm.
#
# The group has no rules: it exposes nothing and admits nothing. Its role
# may call ec2:CreateTags on that group only, with that tag key only
# (aws:TagKeys, which CreateTags supports:
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
#
# The module configures no provider: the caller's aws provider decides the
# account and region, and the caller gives the account's id (account_id),
# which it already reads.

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = var.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  facts    = jsondecode(file("${path.module}/../../../functions/shared/deployment/deployment.json"))
  suffixes = local.facts.suffixes.heartbeat
  quotas   = { for key, quota in local.facts.quotas : key => quota.value }

  schedule_name       = "${var.name}${local.suffixes.schedule}"
  security_group_name = "${var.name}${local.suffixes.security_group}"
  role_name           = "${var.name}${local.suffixes.role}-${local.region}"
  # Scheduler's aws:SourceArn is the schedule group's ARN, never a
  # schedule's (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
  schedule_group_arn = "arn:${local.partition}:scheduler:${local.region}:${local.account_id}:schedule-group/default"
}

resource "aws_security_group" "canary" {
  name        = local.security_group_name
  description = "trailwatch heartbeat canary: no rules; its ${local.facts.heartbeat.tag_key} tag is the last beat."
  vpc_id      = var.vpc_id
  tags        = var.tags

  # The schedule rewrites the heartbeat tag every interval. ignore_changes
  # takes only literal keys: deployment.json's heartbeat.tag_key, which
  # test/terraform holds it to.
  lifecycle {
    ignore_changes = [tags["trailwatch:heartbeat"], tags_all["trailwatch:heartbeat"]]
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.schedule_group_arn]
    }
  }
}

data "aws_iam_policy_document" "beat" {
  statement {
    sid       = "TagCanaryGroup"
    effect    = "Allow"
    actions   = ["ec2:CreateTags"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/${aws_security_group.canary.id}"]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = [local.facts.heartbeat.tag_key]
    }

    # ForAllValues holds for a request without tags too.
    condition {
      test     = "Null"
      variable = "aws:TagKeys"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role" "canary" {
  name               = local.role_name
  description        = "Lets the ${local.schedule_name} schedule tag the ${local.security_group_name} security group, and nothing else."
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length(local.role_name) <= local.quotas.iam_role_name_chars
      error_message = "The role name ${local.role_name} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

resource "aws_iam_role_policy" "canary" {
  name   = "tag-canary-group"
  role   = aws_iam_role.canary.id
  policy = data.aws_iam_policy_document.beat.json
}

resource "aws_scheduler_schedule" "canary" {
  name                = local.schedule_name
  group_name          = "default"
  description         = "trailwatch heartbeat: tags ${local.security_group_name} with the time, which CloudTrail records."
  schedule_expression = local.facts.heartbeat.expression

  flexible_time_window {
    mode = "OFF"
  }

  # The universal target's input is the API's request: CreateTags's
  # Resources and Tags. Scheduler replaces <aws.scheduler.scheduled-time>
  # with the invocation's time, e.g. 2022-03-22T18:59:43Z
  # (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:ec2:createTags"
    role_arn = aws_iam_role.canary.arn
    input = jsonencode({
      Resources = [aws_security_group.canary.id]
      Tags      = [{ Key = local.facts.heartbeat.tag_key, Value = "<aws.scheduler.scheduled-time>" }]
    })

    # A missed beat is not worth a late one: the next comes an interval on.
    retry_policy {
      maximum_event_age_in_seconds = 300
      maximum_retry_attempts       = 2
    }
  }

  depends_on = [aws_iam_role_policy.canary]
}
