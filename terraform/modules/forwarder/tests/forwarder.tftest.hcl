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
  values = { arn = "arn:aws:events:us-east-1:210987654321:rule/trailwatch-forwarder" }
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

variables {
  central_event_bus_arn = "arn:aws:events:eu-west-1:123456789012:event-bus/trailwatch-central"
}

run "defaults" {
  command = apply

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.forward.event_pattern) == jsondecode(file("../../../statemachine/event-pattern.json"))
    error_message = "The rule must use statemachine/event-pattern.json, the central rule's pattern."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.forward.event_bus_name == "default"
    error_message = "The rule must listen on the default bus, where CloudTrail delivers."
  }

  assert {
    condition = (
      aws_cloudwatch_event_target.central_bus.arn == var.central_event_bus_arn &&
      aws_cloudwatch_event_target.central_bus.role_arn == "arn:aws:iam::210987654321:role/trailwatch-forwarder-us-east-1" &&
      aws_cloudwatch_event_target.central_bus.retry_policy[0].maximum_event_age_in_seconds == 86400 &&
      aws_cloudwatch_event_target.central_bus.retry_policy[0].maximum_retry_attempts == 185 &&
      aws_cloudwatch_event_target.central_bus.dead_letter_config[0].arn == "arn:aws:sqs:us-east-1:210987654321:trailwatch-forwarder-dlq"
    )
    error_message = "The target must be the central bus, through the role, retrying for a day, dead-lettering into the queue."
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
    condition = jsondecode(data.aws_iam_policy_document.trust.json).Statement == [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "events.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = "210987654321" }
        ArnEquals    = { "aws:SourceArn" = "arn:aws:events:us-east-1:210987654321:rule/trailwatch-forwarder" }
      }
    }]
    error_message = "Only EventBridge, for this rule, may assume the role."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.dead_letter.json).Statement[0].Condition.ArnEquals["aws:SourceArn"] == "arn:aws:events:us-east-1:210987654321:rule/trailwatch-forwarder"
    error_message = "Only the forwarder's rule may send to the dead-letter queue."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.sqs_managed_sse_enabled && aws_sqs_queue.dead_letter.kms_master_key_id == null
    error_message = "Without kms_key_arn the queue must use SSE-SQS."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dead_letter) == 0
    error_message = "No alarm without alarm_topic_arn."
  }
}

run "key_and_alarm" {
  command = apply

  variables {
    name            = "tw-fwd"
    kms_key_arn     = "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    alarm_topic_arn = "arn:aws:sns:us-east-1:210987654321:oncall"
    event_pattern   = jsonencode({ source = ["aws.ec2"] })
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key_arn
    error_message = "The queue must use the given key."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letter[0].alarm_actions == toset([var.alarm_topic_arn])
    error_message = "The alarm must notify the given topic."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.forward.event_pattern == var.event_pattern && aws_iam_role.forward.name == "tw-fwd-us-east-1"
    error_message = "A given pattern and name must be used."
  }
}

run "rejects_bad_variables" {
  command = plan

  variables {
    central_event_bus_arn = "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    name                  = "trailwatch_forwarder"
    event_pattern         = "{not json"
    kms_key_arn           = "alias/aws/sqs"
    alarm_topic_arn       = "oncall"
  }

  expect_failures = [
    var.central_event_bus_arn,
    var.name,
    var.event_pattern,
    var.kms_key_arn,
    var.alarm_topic_arn,
  ]
}
