# Plan-only tests of the module: no AWS account is reached. The aws provider
# is configured with dummy credentials and told to skip every check that
# would call AWS; the one data source that would (the caller identity) is
# overridden. Run from terraform/:
#
#   terraform init -backend=false   # or -plugin-dir=<local provider mirror>
#   terraform test

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
    arn        = "arn:aws:iam::123456789012:user/test"
    user_id    = "AIDATEST"
  }
}

variables {
  alert_emails = ["security@example.com"]
  build_dir    = "tests/testdata/build"
}

run "defaults" {
  command = plan

  assert {
    condition     = toset(keys(aws_lambda_function.function)) == toset(["parse", "enrich", "dedupe", "notify"])
    error_message = "There must be exactly the four pipeline functions."
  }

  assert {
    condition = alltrue([for f in aws_lambda_function.function : (
      f.runtime == "provided.al2023" && f.architectures == tolist(["arm64"]) && f.handler == "bootstrap" &&
      f.memory_size == 128 && f.tracing_config[0].mode == "Active"
    )])
    error_message = "Every function must be a provided.al2023 arm64 bootstrap with 128 MB and active tracing."
  }

  # notify's environment holds the topic ARN, unknown until apply.
  assert {
    condition = alltrue([for key in ["parse", "enrich", "dedupe"] :
    aws_lambda_function.function[key].environment[0].variables["LOG_LEVEL"] == "info"])
    error_message = "Every function must get LOG_LEVEL."
  }

  assert {
    condition = (
      aws_lambda_function.function["parse"].timeout == 10 && aws_lambda_function.function["enrich"].timeout == 20 &&
      aws_lambda_function.function["dedupe"].timeout == 10 && aws_lambda_function.function["notify"].timeout == 15
    )
    error_message = "Function timeouts must be parse 10, enrich 20, dedupe 10, notify 15."
  }

  assert {
    condition     = aws_lambda_function.function["parse"].function_name == "trailwatch-parse"
    error_message = "Function names must be <name>-<step>."
  }

  assert {
    condition = (
      aws_iam_role.function["parse"].name == "trailwatch-parse-eu-west-1" &&
      aws_iam_role.state_machine.name == "trailwatch-pipeline-eu-west-1" &&
      aws_iam_role.pipe.name == "trailwatch-intake-pipe-eu-west-1"
    )
    error_message = "IAM role names must end in the region, so that deployments per region do not collide."
  }

  assert {
    condition = aws_lambda_function.function["dedupe"].environment[0].variables == tomap({
      LOG_LEVEL         = "info"
      TABLE_NAME        = "trailwatch-dedupe"
      DEDUPE_WINDOW     = "24h"
      DEDUPE_LEASE      = "5m"
      DEDUPE_RETENTION  = "168h"
      STORM_THRESHOLD   = "5"
      STORM_PERIOD      = "5m"
      HEARTBEAT_TARGETS = "123456789012:eu-west-1"
    })
    error_message = "The dedupe function's environment is wrong."
  }

  assert {
    condition     = keys(aws_lambda_function.function["parse"].environment[0].variables) == tolist(["LOG_LEVEL"])
    error_message = "parse must get LOG_LEVEL only."
  }

  assert {
    condition = alltrue([for key, g in aws_cloudwatch_log_group.function :
    g.name == "/aws/lambda/trailwatch-${key}" && g.retention_in_days == 30])
    error_message = "Each function needs /aws/lambda/<function> with the configured retention."
  }

  assert {
    condition = (
      aws_sfn_state_machine.pipeline.type == "EXPRESS" &&
      aws_sfn_state_machine.pipeline.logging_configuration[0].level == "ALL" &&
      aws_sfn_state_machine.pipeline.logging_configuration[0].include_execution_data &&
      aws_sfn_state_machine.pipeline.tracing_configuration[0].enabled
    )
    error_message = "The state machine must be EXPRESS, log ALL with execution data, and trace."
  }

  assert {
    condition = alltrue([for target in aws_cloudwatch_event_target.pipeline : (
      target.retry_policy[0].maximum_event_age_in_seconds == 86400 &&
      target.retry_policy[0].maximum_retry_attempts == 185
    )])
    error_message = "Every rule's target must retry for a day, 185 times."
  }

  assert {
    condition = alltrue([for group, rule in aws_cloudwatch_event_rule.pipeline : (
      strcontains(rule.event_pattern, "via CloudTrail") &&
      jsondecode(rule.event_pattern) == jsondecode(file("../statemachine/event-patterns/${group}.json")) &&
      rule.name == "trailwatch-cloudtrail-${group}" && rule.event_bus_name == "default"
    )])
    error_message = "Each rule must be trailwatch-cloudtrail-<group> on the default bus, with statemachine/event-patterns/<group>.json."
  }

  assert {
    condition = (
      toset(keys(aws_cloudwatch_event_rule.pipeline)) == toset([for file in fileset("../statemachine/event-patterns", "*.json") : trimsuffix(file, ".json")]) &&
      toset(keys(aws_cloudwatch_event_target.pipeline)) == toset(keys(aws_cloudwatch_event_rule.pipeline))
    )
    error_message = "There must be one rule, with its target, per generated pattern."
  }

  assert {
    condition = (
      aws_dynamodb_table.dedupe.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.dedupe.hash_key == "pk" &&
      aws_dynamodb_table.dedupe.ttl[0].attribute_name == "ttl" && aws_dynamodb_table.dedupe.ttl[0].enabled &&
      aws_dynamodb_table.dedupe.point_in_time_recovery[0].enabled && aws_dynamodb_table.dedupe.server_side_encryption[0].enabled
    )
    error_message = "The dedupe table must be on-demand, keyed by pk, with TTL on ttl, PITR and KMS encryption."
  }

  assert {
    condition = (
      aws_scheduler_schedule.digests.name == "trailwatch-digests" && aws_scheduler_schedule.digests.schedule_expression == "rate(1 minute)" &&
      aws_scheduler_schedule.digests.flexible_time_window[0].mode == "OFF" &&
      jsondecode(aws_scheduler_schedule.digests.target[0].input) == jsondecode(jsonencode(local.facts.digest_schedule.input)) &&
      aws_iam_role.digest_schedule.name == "trailwatch-digest-schedule-eu-west-1"
    )
    error_message = "The digest schedule must start the state machine every minute with deployment.json's input, through its own role."
  }

  assert {
    condition     = length(aws_kms_key.trailwatch) == 1 && aws_kms_key.trailwatch[0].enable_key_rotation
    error_message = "Without kms_key_arn the module must create a rotating key."
  }

  assert {
    condition     = length(aws_sns_topic.ops) == 1 && length(aws_sns_topic_subscription.alert_https) == 0
    error_message = "Without ops_alarm_topic_arn the module must create the ops topic; no https subscription by default."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.state_machine) == 3 && length(aws_cloudwatch_metric_alarm.function) == 8
    error_message = "Expected three state machine alarms and Errors and Throttles for each function."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.function["enrich-throttles"].dimensions["FunctionName"] == "trailwatch-enrich"
    error_message = "Function alarms must watch their own function."
  }

  assert {
    condition     = length(aws_sns_topic.chat) == 0 && length(aws_cloudwatch_metric_alarm.chat_publish_failed) == 0
    error_message = "Without chat_notifications there is no chat topic and no chat alarm."
  }

  assert {
    condition = (
      aws_sqs_queue.intake.name == "trailwatch-intake" && aws_sqs_queue.parked.name == "trailwatch-parked" &&
      aws_sqs_queue.intake.visibility_timeout_seconds == 360 && aws_sqs_queue.intake.message_retention_seconds == 1209600 &&
      aws_sqs_queue.parked.message_retention_seconds == 1209600
    )
    error_message = "The intake and parked queues must be named from deployment.json, with its visibility timeout (6m) and retention (336h)."
  }

  assert {
    condition = (
      aws_pipes_pipe.intake.name == "trailwatch-intake" &&
      aws_pipes_pipe.intake.source_parameters[0].sqs_queue_parameters[0].batch_size == 1 &&
      aws_pipes_pipe.intake.target_parameters[0].step_function_state_machine_parameters[0].invocation_type == "REQUEST_RESPONSE" &&
      aws_pipes_pipe.intake.target_parameters[0].input_template == null
    )
    error_message = "The pipe must take one message at a time and run the state machine synchronously (REQUEST_RESPONSE), with no input template."
  }

  assert {
    condition     = alltrue([for target in aws_cloudwatch_event_target.pipeline : target.target_id == "intake" && target.role_arn == null])
    error_message = "Every rule must target the intake queue through its policy, without a role (AWS: a RoleArn on an SQS target can break KMS-encrypted delivery)."
  }

  # One trail, multi-region, validated, encrypted, logging management
  # events; no data events unless buckets are listed.
  assert {
    condition = (
      length(aws_cloudtrail.trail) == 1 && aws_cloudtrail.trail[0].name == "trailwatch-trail" &&
      aws_cloudtrail.trail[0].is_multi_region_trail && aws_cloudtrail.trail[0].include_global_service_events &&
      aws_cloudtrail.trail[0].enable_log_file_validation && aws_cloudtrail.trail[0].enable_logging &&
      aws_s3_bucket.trail[0].bucket == "trailwatch-trail-123456789012" &&
      length(aws_cloudtrail.trail[0].advanced_event_selector) == 1 &&
      jsonencode([for fs in aws_cloudtrail.trail[0].advanced_event_selector[0].field_selector : [fs.field, fs.equals]]) == jsonencode([["eventCategory", ["Management"]]])
    )
    error_message = "The trail must be multi-region, with global services and log file validation, logging management events to trailwatch-trail-<account> (policies.tftest.hcl: its key and bucket)."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.trail[0].block_public_acls && aws_s3_bucket_public_access_block.trail[0].block_public_policy &&
      aws_s3_bucket_public_access_block.trail[0].ignore_public_acls && aws_s3_bucket_public_access_block.trail[0].restrict_public_buckets &&
      one(aws_s3_bucket_server_side_encryption_configuration.trail[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      aws_s3_bucket_ownership_controls.trail[0].rule[0].object_ownership == "BucketOwnerEnforced"
    )
    error_message = "The trail's bucket must block all public access, be KMS-encrypted and owned by the account."
  }

  assert {
    condition     = length(module.heartbeat) == 1 && jsonencode(output.heartbeat_targets) == jsonencode(["123456789012:eu-west-1"])
    error_message = "The deployment runs its own canary and expects its own account and region's heartbeat."
  }

  assert {
    condition     = aws_cloudwatch_dashboard.pipeline.dashboard_name == "trailwatch-pipeline"
    error_message = "The dashboard must be named <name> followed by deployment.json's dashboard suffix."
  }
}

run "trail_data_events" {
  command = plan

  variables {
    trail_data_event_buckets = ["uploads.example.com", "public-site"]
  }

  assert {
    condition = length(aws_cloudtrail.trail[0].advanced_event_selector) == 2 && jsonencode({
      for fs in aws_cloudtrail.trail[0].advanced_event_selector[1].field_selector : fs.field => sort(try(length(fs.equals), 0) > 0 ? fs.equals : fs.starts_with)
      }) == jsonencode({
      eventCategory    = ["Data"]
      "resources.type" = ["AWS::S3::Object"]
      eventName        = ["PutObject"]
      "resources.ARN"  = ["arn:aws:s3:::public-site/", "arn:aws:s3:::uploads.example.com/"]
    })
    error_message = "The watched buckets' PutObject calls must be logged as data events, and nothing else."
  }
}

run "existing_trail" {
  command = plan

  variables {
    create_trail      = false
    heartbeat_canary  = false
    heartbeat_targets = ["210987654321:us-east-1", "210987654321:eu-west-1", "123456789012:eu-west-1", "210987654321:eusc-de-east-1"]
  }

  assert {
    condition     = length(aws_cloudtrail.trail) == 0 && length(aws_s3_bucket.trail) == 0 && length(aws_s3_bucket_policy.trail) == 0
    error_message = "Without create_trail no trail and no bucket are created."
  }

  assert {
    condition     = !contains([for st in jsondecode(data.aws_iam_policy_document.kms_services.json).Statement : try(st.Principal.Service, "")], "cloudtrail.amazonaws.com")
    error_message = "Without create_trail the key must not let CloudTrail use it."
  }

  assert {
    condition = length(module.heartbeat) == 0 && (
      aws_lambda_function.function["dedupe"].environment[0].variables["HEARTBEAT_TARGETS"] == "123456789012:eu-west-1,210987654321:eu-west-1,210987654321:eusc-de-east-1,210987654321:us-east-1"
    )
    error_message = "HEARTBEAT_TARGETS must hold this account and region and the listed ones, sorted and distinct, even where another canary beats."
  }
}

run "chat_notifications" {
  command = plan

  variables {
    alert_emails       = []
    chat_notifications = true
  }

  assert {
    condition     = length(aws_sns_topic.chat) == 1 && aws_sns_topic.chat[0].name == "trailwatch-chat"
    error_message = "chat_notifications creates the topic trailwatch-chat (and is enough of a subscriber)."
  }

  assert {
    condition = (aws_cloudwatch_log_metric_filter.chat_publish_failed[0].log_group_name == "/aws/lambda/trailwatch-notify" &&
      aws_cloudwatch_metric_alarm.chat_publish_failed[0].alarm_name == "trailwatch-chat-publish-failed" &&
    aws_cloudwatch_metric_alarm.chat_publish_failed[0].metric_name == aws_cloudwatch_log_metric_filter.chat_publish_failed[0].metric_transformation[0].name)
    error_message = "Failed chat publishes in notify's log must raise the chat alarm."
  }
}

run "existing_key_and_ops_topic" {
  command = plan

  variables {
    name                = "tw-prod"
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ops_alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:oncall"
    https_endpoint      = "https://hooks.example.com/trailwatch"
  }

  assert {
    condition     = length(aws_kms_key.trailwatch) == 0 && length(aws_sns_topic.ops) == 0
    error_message = "A given key and ops topic must be used, not created."
  }

  assert {
    condition     = aws_cloudwatch_log_group.state_machine.kms_key_id == var.kms_key_arn && aws_sns_topic.alerts.kms_master_key_id == var.kms_key_arn
    error_message = "Everything must be encrypted with the given key."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letter.alarm_actions == toset([var.ops_alarm_topic_arn])
    error_message = "Alarms must notify the given ops topic."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.alert_https) == 1
    error_message = "https_endpoint must be subscribed."
  }

  assert {
    condition     = aws_sfn_state_machine.pipeline.name == "tw-prod-pipeline"
    error_message = "Names must follow var.name."
  }
}

run "rejects_bad_variables" {
  command = plan

  variables {
    name                     = "1-bad name"
    alert_emails             = ["not-an-address"]
    log_level                = "verbose"
    log_retention_days       = 2
    dedupe_window            = "1d"
    dedupe_retention         = "-1h"
    https_endpoint           = "http://insecure.example.com"
    kms_key_arn              = "alias/trailwatch"
    heartbeat_targets        = ["eu-west-1:123456789012"]
    heartbeat_vpc_id         = "default"
    trail_data_event_buckets = ["arn:aws:s3:::uploads"]
    trail_log_retention_days = 0.5
  }

  expect_failures = [
    var.heartbeat_targets,
    var.heartbeat_vpc_id,
    var.trail_data_event_buckets,
    var.trail_log_retention_days,
    var.name,
    var.alert_emails,
    var.log_level,
    var.log_retention_days,
    var.dedupe_window,
    var.dedupe_retention,
    var.https_endpoint,
    var.kms_key_arn,
  ]
}

run "rejects_window_shorter_than_lease" {
  command = plan

  variables {
    dedupe_window = "4m"
  }

  expect_failures = [aws_dynamodb_table.dedupe]
}

run "rejects_no_subscriber" {
  command = plan

  variables {
    alert_emails = []
  }

  expect_failures = [aws_sns_topic.alerts]
}

run "rejects_missing_build" {
  command = plan

  variables {
    build_dir = "tests/testdata/no-such-dir"
  }

  expect_failures = [aws_lambda_function.function]
}

# Durations the dedupe function cannot read (Go's longest is 9223372036s).
run "rejects_durations_go_cannot_read" {
  command = plan

  variables {
    dedupe_window    = "2562048h"
    dedupe_retention = "000000000000000000168h"
  }

  expect_failures = [var.dedupe_window, var.dedupe_retention]
}

run "rejects_too_many_heartbeat_targets" {
  command = plan

  variables {
    heartbeat_targets = [for i in range(101) : format("%012d:eu-west-1", 100000000000 + i)]
  }

  expect_failures = [var.heartbeat_targets]
}
