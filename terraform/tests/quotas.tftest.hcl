# AWS quotas held with the longest values the variables allow: the
# longest name, role name, organisation id, external id and durations, the
# most member accounts, the longest partition (aws-us-gov) and region
# (us-isof-south-1), and a 64-character central bus. Every managed resource
# is overridden with the longest ARN it can have, so `apply` creates
# nothing and calls no AWS API; it only lets the policies be computed. The
# quotas come from functions/shared/deployment/deployment.json (local.quotas).
# Run from terraform/ with `terraform test`.

provider "aws" {
  region                      = "eu-west-1"
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
    account_id = "123456789012"
    arn        = "arn:aws-us-gov:iam::123456789012:user/test"
    user_id    = "AIDATEST"
  }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws-us-gov", dns_suffix = "amazonaws.com", reverse_dns_prefix = "com.amazonaws" }
}

override_data {
  target = data.aws_region.current
  values = { name = "us-isof-south-1" }
}

override_resource {
  target = aws_sns_topic.ops
  values = { arn = "arn:aws-us-gov:sns:us-isof-south-1:123456789012:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-ops" }
}

override_resource {
  target = aws_sns_topic_policy.ops
}

override_resource {
  target = aws_sns_topic_subscription.ops_email
}

override_resource {
  target = aws_cloudwatch_metric_alarm.state_machine
}

override_resource {
  target = aws_cloudwatch_metric_alarm.function
}

override_resource {
  target = aws_cloudwatch_metric_alarm.dead_letter
}

override_resource {
  target = aws_dynamodb_table.dedupe
  values = { arn = "arn:aws-us-gov:dynamodb:us-isof-south-1:123456789012:table/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-dedupe" }
}

override_resource {
  target = aws_cloudwatch_event_rule.pipeline
}

override_resource {
  target = aws_cloudwatch_event_target.pipeline
}

override_resource {
  target = aws_sqs_queue.dead_letter
  values = { arn = "arn:aws-us-gov:sqs:us-isof-south-1:123456789012:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-events-dlq" }
}

override_resource {
  target = aws_sqs_queue_policy.dead_letter
}

override_resource {
  target = aws_iam_role.function
  values = { arn = "arn:aws-us-gov:iam::123456789012:role/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-enrich-us-isof-south-1" }
}

override_resource {
  target = aws_iam_role_policy.function
}

override_resource {
  target = aws_iam_role.state_machine
  values = { arn = "arn:aws-us-gov:iam::123456789012:role/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-pipeline-us-isof-south-1" }
}

override_resource {
  target = aws_iam_role_policy.state_machine
}

override_resource {
  target = aws_iam_role.pipe
  values = { arn = "arn:aws-us-gov:iam::123456789012:role/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-intake-pipe-us-isof-south-1" }
}

override_resource {
  target = aws_iam_role_policy.pipe
}

override_resource {
  target = aws_sqs_queue.intake
  values = { arn = "arn:aws-us-gov:sqs:us-isof-south-1:123456789012:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-intake" }
}

override_resource {
  target = aws_sqs_queue.parked
  values = { arn = "arn:aws-us-gov:sqs:us-isof-south-1:123456789012:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-parked" }
}

override_resource {
  target = aws_sqs_queue_redrive_allow_policy.parked
}

override_resource {
  target = aws_sqs_queue_policy.intake
}

override_resource {
  target = aws_pipes_pipe.intake
}

override_resource {
  target = aws_cloudwatch_metric_alarm.rule
}

override_resource {
  target = aws_cloudwatch_metric_alarm.parked
}

override_resource {
  target = aws_cloudwatch_metric_alarm.intake_stuck
}

override_resource {
  target = aws_cloudwatch_metric_alarm.pipe
}

override_resource {
  target = aws_cloudwatch_metric_alarm.heartbeat
}

override_resource {
  target = aws_cloudwatch_metric_alarm.member_role_missing
}

override_resource {
  target = aws_cloudwatch_dashboard.pipeline
}

override_resource {
  target = aws_s3_bucket.trail
}

override_resource {
  target = aws_s3_bucket_public_access_block.trail
}

override_resource {
  target = aws_s3_bucket_ownership_controls.trail
}

override_resource {
  target = aws_s3_bucket_server_side_encryption_configuration.trail
}

override_resource {
  target = aws_s3_bucket_versioning.trail
}

override_resource {
  target = aws_s3_bucket_lifecycle_configuration.trail
}

override_resource {
  target = aws_s3_bucket_policy.trail
}

override_resource {
  target = aws_cloudtrail.trail
}

override_module {
  target  = module.heartbeat
  outputs = { target = "123456789012:us-isof-south-1", security_group_id = "sg-0123456789abcdef0", schedule_name = "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-heartbeat", role_arn = "arn:aws-us-gov:iam::123456789012:role/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-heartbeat-us-isof-south-1" }
}

override_resource {
  target = aws_kms_key.trailwatch
  values = { arn = "arn:aws-us-gov:kms:us-isof-south-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
}

override_resource {
  target = aws_kms_alias.trailwatch
}

override_resource {
  target = aws_cloudwatch_log_group.function
  values = { arn = "arn:aws-us-gov:logs:us-isof-south-1:123456789012:log-group:/aws/lambda/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-enrich" }
}

override_resource {
  target = aws_lambda_function.function
  values = { arn = "arn:aws-us-gov:lambda:us-isof-south-1:123456789012:function:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-enrich" }
}

override_resource {
  target = aws_sns_topic.alerts
  values = { arn = "arn:aws-us-gov:sns:us-isof-south-1:123456789012:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-alerts" }
}

override_resource {
  target = aws_sns_topic_subscription.alert_email
}

override_resource {
  target = aws_sns_topic_subscription.alert_https
}

override_resource {
  target = aws_sns_topic_policy.alerts
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws-us-gov:logs:us-isof-south-1:123456789012:log-group:/aws/vendedlogs/states/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-pipeline" }
}

override_resource {
  target = aws_sfn_state_machine.pipeline
  values = { arn = "arn:aws-us-gov:states:us-isof-south-1:123456789012:stateMachine:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-pipeline" }
}

override_resource {
  target = aws_iam_role.digest_schedule
  values = { arn = "arn:aws-us-gov:iam::123456789012:role/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-digest-schedule-us-isof-south-1" }
}

override_resource {
  target = aws_iam_role_policy.digest_schedule
}

override_resource {
  target = aws_scheduler_schedule.digests
}

override_resource {
  target = aws_dynamodb_table_item.rules
}

override_resource {
  target = aws_cloudwatch_event_bus.central
  values = { arn = "arn:aws-us-gov:events:us-isof-south-1:123456789012:event-bus/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" }
}

override_resource {
  target = aws_cloudwatch_event_bus_policy.central
}

variables {
  alert_emails       = ["security@example.com"]
  build_dir          = "tests/testdata/build"
  name               = "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  log_level          = "debug"
  dedupe_window      = "0000000000000000024h"
  dedupe_retention   = "0000000000000000168h"
  storm_threshold    = 100
  storm_period       = "0000000000000000005m"
  rules_file         = "tests/testdata/rules/valid.yaml"
  organization_id    = "o-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  event_bus_name     = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
  forwarder_name     = "Fffffffffffffffffffffffffffffffffffffffff"
  member_role_name   = "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"
  member_account_ids = [for i in range(75) : format("%012d", 100000000000 + i)]
  # 100 pairs of the longest form the validation admits (32 characters).
  heartbeat_targets        = [for i in range(100) : format("%012d:xx-aaaaaaaaaaaaa-99", 200000000000 + i)]
  trail_data_event_buckets = [for i in range(10) : format("b%061d", i)]
  external_id              = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
}

run "longest_values_fit" {
  command = apply

  assert {
    condition = alltrue([for name in concat(
      [for role in aws_iam_role.function : role.name],
      [aws_iam_role.state_machine.name, aws_iam_role.pipe.name, aws_iam_role.digest_schedule.name],
    ) : length(name) <= local.quotas.iam_role_name_chars])
    error_message = "An IAM role name is longer than IAM allows."
  }

  assert {
    condition     = alltrue([for rule in aws_cloudwatch_event_rule.pipeline : length(rule.name) <= local.quotas.eventbridge_rule_name_chars])
    error_message = "A rule name is longer than EventBridge allows."
  }

  assert {
    condition = alltrue([for doc in concat(
      [for d in data.aws_iam_policy_document.function : d.minified_json],
      [data.aws_iam_policy_document.state_machine.minified_json, data.aws_iam_policy_document.pipe.minified_json,
      data.aws_iam_policy_document.digest_schedule.minified_json],
    ) : length(doc) <= local.quotas.iam_role_policy_chars])
    error_message = "A role's inline policy is longer than IAM allows."
  }

  # 75 accounts is the most that fits: one more ARN would not.
  assert {
    condition = (
      length(data.aws_iam_policy_document.function["enrich"].minified_json) <= local.quotas.iam_role_policy_chars &&
      length(data.aws_iam_policy_document.function["enrich"].minified_json) + length(",\"arn:aws-us-gov:iam::123456789012:role/${var.member_role_name}\"") > local.quotas.iam_role_policy_chars
    )
    error_message = "With 75 accounts the enrich policy is ${length(data.aws_iam_policy_document.function["enrich"].minified_json)} characters: the cap on member_account_ids (variables.tf) is not the most that fits IAM's ${local.quotas.iam_role_policy_chars}."
  }

  assert {
    condition = alltrue([for doc in [data.aws_iam_policy_document.intake, data.aws_iam_policy_document.dead_letter] :
    length(doc.minified_json) <= local.quotas.sqs_policy_bytes])
    error_message = "A queue policy naming every rule is longer than SQS allows."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.pipe_trust.minified_json) <= local.quotas.iam_trust_policy_chars
    error_message = "The pipe's trust policy is longer than IAM allows."
  }

  assert {
    condition     = length(split(",", aws_lambda_function.function["dedupe"].environment[0].variables["HEARTBEAT_TARGETS"])) == 101
    error_message = "The dedupe function must get all 100 heartbeat targets and its own account and region."
  }

  assert {
    condition = alltrue([for f in aws_lambda_function.function :
    nonsensitive(length(jsonencode(f.environment[0].variables))) <= local.quotas.lambda_environment_bytes])
    error_message = "A function's environment is larger than Lambda allows."
  }
}

run "rejects_one_member_account_more" {
  command = plan

  variables {
    member_account_ids = [for i in range(76) : format("%012d", 100000000000 + i)]
  }

  expect_failures = [var.member_account_ids]
}

# The queue policies name every rule, and so the bus: the longest bus name
# EventBridge allows (256 characters) still fits SQS's policy quota. (The
# forwarder's trust policy, which also names its rules, does not: its test
# holds that.)
run "the_longest_bus_fits_the_queue_policies" {
  command = apply

  variables {
    organization_id = null
    event_bus_name  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
  }

  assert {
    condition = alltrue([for doc in [data.aws_iam_policy_document.intake, data.aws_iam_policy_document.dead_letter] :
    length(doc.minified_json) <= local.quotas.sqs_policy_bytes])
    error_message = "A queue policy naming every rule on a 256-character bus is longer than SQS allows."
  }
}
