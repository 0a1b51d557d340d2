# The forwarder's rule, role and queue. Every resource is overridden, so
# `apply` creates nothing and calls no AWS API: it only lets the policies,
# which name the rule's and the queue's ARNs, be computed. Run from
# terraform/modules/forwarder with `terraform test`.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = {
    account_id = "210987654321"
    arn        = "arn:aws:iam::210987654321:user/test"
    user_id    = "AIDATEST"
  }
}

override_resource {
  target = aws_cloudwatch_event_rule.forward
}

override_resource {
  target = aws_cloudwatch_event_target.central_bus
}

override_resource {
  target = aws_iam_role.forward
  values = { arn = "arn:aws:iam::210987654321:role/trailwatch-forwarder-us-east-1" }
}

override_resource {
  target = aws_iam_role_policy.forward
}

override_resource {
  target = aws_sqs_queue.dead_letter
  values = {
    arn = "arn:aws:sqs:us-east-1:210987654321:trailwatch-forwarder-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/210987654321/trailwatch-forwarder-dlq"
  }
}

override_resource {
  target = aws_sqs_queue_policy.dead_letter
}

override_resource {
  target = aws_cloudwatch_metric_alarm.dead_letter
}

override_module {
  target  = module.heartbeat
  outputs = { target = "210987654321:us-east-1", security_group_id = "sg-0123456789abcdef0", schedule_name = "trailwatch-forwarder-heartbeat", role_arn = "arn:aws:iam::210987654321:role/trailwatch-forwarder-heartbeat-us-east-1" }
}

variables {
  central_event_bus_arn = "arn:aws:events:eu-west-1:123456789012:event-bus/trailwatch-central"
}

run "defaults" {
  command = apply

  assert {
    condition = (
      toset(keys(aws_cloudwatch_event_rule.forward)) == toset([for file in fileset("../../../statemachine/event-patterns", "*.json") : trimsuffix(file, ".json")]) &&
      alltrue([for group, rule in aws_cloudwatch_event_rule.forward :
      jsondecode(rule.event_pattern) == jsondecode(file("../../../statemachine/event-patterns/${group}.json")) && rule.name == "trailwatch-forwarder-${group}"])
    )
    error_message = "There must be one rule <name>-<group> per file of statemachine/event-patterns, with its pattern: the central rules' patterns."
  }

  assert {
    condition     = alltrue([for rule in aws_cloudwatch_event_rule.forward : rule.event_bus_name == "default"])
    error_message = "The rules must listen on the default bus, where CloudTrail delivers."
  }

  assert {
    condition = toset(keys(aws_cloudwatch_event_target.central_bus)) == toset(keys(aws_cloudwatch_event_rule.forward)) && alltrue([
      for group, target in aws_cloudwatch_event_target.central_bus : (
        target.rule == "trailwatch-forwarder-${group}" &&
        target.arn == var.central_event_bus_arn &&
        target.role_arn == "arn:aws:iam::210987654321:role/trailwatch-forwarder-us-east-1" &&
        target.retry_policy[0].maximum_event_age_in_seconds == 86400 &&
        target.retry_policy[0].maximum_retry_attempts == 185 &&
        target.dead_letter_config[0].arn == "arn:aws:sqs:us-east-1:210987654321:trailwatch-forwarder-dlq"
      )
    ])
    error_message = "Each rule's target must be the central bus, through the role, retrying for a day, dead-lettering into the queue."
  }

  assert {
    condition     = aws_iam_role.forward.name == "trailwatch-forwarder-us-east-1"
    error_message = "The role must be <name>-<region>, the name the central bus's policy accepts."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.put_events.json).Statement == [{
      Sid      = "PutEventsOnCentralBus"
      Effect   = "Allow"
      Action   = "events:PutEvents"
      Resource = "arn:aws:events:eu-west-1:123456789012:event-bus/trailwatch-central"
    }]
    error_message = "The role may only put events on the central bus."
  }

  assert {
    condition = jsonencode(jsondecode(data.aws_iam_policy_document.trust.json).Statement) == jsonencode([{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "events.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = "210987654321" }
        ArnEquals = { "aws:SourceArn" = sort([
          for file in fileset("../../../statemachine/event-patterns", "*.json") : "arn:aws:events:us-east-1:210987654321:rule/trailwatch-forwarder-${trimsuffix(file, ".json")}"
        ]) }
      }
    }])
    error_message = "Only EventBridge, for these rules, may assume the role."
  }

  assert {
    condition = toset(jsondecode(data.aws_iam_policy_document.dead_letter.json).Statement[0].Condition.ArnEquals["aws:SourceArn"]) == toset([
      for file in fileset("../../../statemachine/event-patterns", "*.json") : "arn:aws:events:us-east-1:210987654321:rule/trailwatch-forwarder-${trimsuffix(file, ".json")}"
    ])
    error_message = "Only the forwarder's rules, every one of them, may send to the dead-letter queue."
  }

  # AWS's documented statement for a service sending to an encrypted queue:
  # no condition, which SQS's KMS calls for EventBridge could fail (the
  # queue's policy holds the guard).
  assert {
    condition = jsonencode(jsondecode(data.aws_iam_policy_document.dead_letter_kms.json).Statement) == jsonencode([{
      Sid       = "EventBridgeToForwarderDeadLetterQueue"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "*"
      Principal = { Service = "events.amazonaws.com" }
    }])
    error_message = "The key statement EventBridge needs must be AWS's documented one, without conditions."
  }

  assert {
    condition     = output.heartbeat_target == "210987654321:us-east-1" && length(module.heartbeat) == 1
    error_message = "The forwarder must run this account and region's canary by default and say which target it is."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.sqs_managed_sse_enabled && aws_sqs_queue.dead_letter.kms_master_key_id == null
    error_message = "Without kms_key_arn the queue must use SSE-SQS."
  }

  # Member forwarders' queues have their alarm by default, notifying the
  # topic when one is given.
  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letter.alarm_name == "trailwatch-forwarder-dlq-not-empty" && length(aws_cloudwatch_metric_alarm.dead_letter.alarm_actions) == 0 && aws_cloudwatch_metric_alarm.dead_letter.treat_missing_data == "notBreaching"
    error_message = "Without alarm_topic_arn the dead-letter alarm must still exist, notifying no one."
  }
}

run "key_and_alarm" {
  command = apply

  variables {
    name            = "tw-fwd"
    kms_key_arn     = "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    alarm_topic_arn = "arn:aws:sns:us-east-1:210987654321:oncall"
    event_patterns  = { ec2 = jsonencode({ source = ["aws.ec2"] }) }
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key_arn
    error_message = "The queue must use the given key."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letter.alarm_actions == toset([var.alarm_topic_arn])
    error_message = "The alarm must notify the given topic."
  }

  assert {
    condition = (
      keys(aws_cloudwatch_event_rule.forward) == ["ec2"] && aws_cloudwatch_event_rule.forward["ec2"].event_pattern == var.event_patterns["ec2"] &&
      aws_cloudwatch_event_rule.forward["ec2"].name == "tw-fwd-ec2" && aws_iam_role.forward.name == "tw-fwd-us-east-1"
    )
    error_message = "Given patterns and name must be used."
  }

  # The root module's operations topic accepts alarms named
  # <forwarder_name>-*.
  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letter.alarm_name == "tw-fwd-dlq-not-empty"
    error_message = "The alarm must be named <name>-dlq-not-empty."
  }
}

run "rejects_bad_variables" {
  command = plan

  variables {
    central_event_bus_arn = "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    name                  = "trailwatch_forwarder"
    event_patterns        = { ec2 = "{not json" }
    kms_key_arn           = "alias/aws/sqs"
    alarm_topic_arn       = "oncall"
  }

  expect_failures = [
    var.central_event_bus_arn,
    var.name,
    var.event_patterns,
    var.kms_key_arn,
    var.alarm_topic_arn,
  ]
}

# EventBridge's default quota for a pattern is 2,048 characters compacted.
run "rejects_a_pattern_over_the_quota" {
  command = plan

  variables {
    event_patterns = { big = jsonencode({ source = [for i in range(300) : "aws.service${i}"] }) }
  }

  expect_failures = [aws_cloudwatch_event_rule.forward]
}

# The trust policy names every rule, and so the bus: a 256-character bus
# (EventBridge's longest name) does not fit IAM's trust policy quota.
run "rejects_a_bus_name_the_trust_policy_cannot_hold" {
  command = plan

  variables {
    event_bus_name = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
  }

  expect_failures = [aws_iam_role.forward]
}

run "without_canary" {
  command = plan

  variables {
    heartbeat_canary = false
  }

  assert {
    condition     = length(module.heartbeat) == 0 && output.heartbeat_target == null
    error_message = "heartbeat_canary = false runs no canary."
  }
}
