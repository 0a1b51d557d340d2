# The policies the module writes, checked statement by statement. Every
# managed resource is overridden, so `apply` here creates nothing and calls
# no AWS API: it only lets the policy documents, which wait on resource
# ARNs, be computed. Overrides give every instance of a for_each resource
# the same ARN. Run from terraform/ with `terraform test`.

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

override_resource {
  target = aws_sns_topic.ops
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:trailwatch-ops" }
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
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/trailwatch-dedupe" }
}

override_resource {
  target = aws_cloudwatch_event_rule.pipeline
  values = { arn = "arn:aws:events:eu-west-1:123456789012:rule/trailwatch-cloudtrail" }
}

override_resource {
  target = aws_cloudwatch_event_target.pipeline
}

override_resource {
  target = aws_sqs_queue.dead_letter
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:trailwatch-events-dlq" }
}

override_resource {
  target = aws_sqs_queue_policy.dead_letter
}

override_resource {
  target = aws_iam_role.function
  values = { arn = "arn:aws:iam::123456789012:role/trailwatch-function-eu-west-1" }
}

override_resource {
  target = aws_iam_role_policy.function
}

override_resource {
  target = aws_iam_role.state_machine
  values = { arn = "arn:aws:iam::123456789012:role/trailwatch-pipeline-eu-west-1" }
}

override_resource {
  target = aws_iam_role_policy.state_machine
}

override_resource {
  target = aws_iam_role.pipe
  values = { arn = "arn:aws:iam::123456789012:role/trailwatch-intake-pipe-eu-west-1" }
}

override_resource {
  target = aws_iam_role_policy.pipe
}

override_resource {
  target = aws_sqs_queue.intake
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:trailwatch-intake"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/trailwatch-intake"
  }
}

override_resource {
  target = aws_sqs_queue.parked
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:trailwatch-parked"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/trailwatch-parked"
  }
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
  values = { id = "trailwatch-trail-123456789012", arn = "arn:aws:s3:::trailwatch-trail-123456789012" }
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
  outputs = { target = "123456789012:eu-west-1", security_group_id = "sg-0123456789abcdef0", schedule_name = "trailwatch-heartbeat", role_arn = "arn:aws:iam::123456789012:role/trailwatch-heartbeat-eu-west-1" }
}

override_resource {
  target = aws_kms_key.trailwatch
  values = { arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
}

override_resource {
  target = aws_kms_alias.trailwatch
}

override_resource {
  target = aws_cloudwatch_log_group.function
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-function" }
}

override_resource {
  target = aws_lambda_function.function
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:trailwatch-function" }
}

override_resource {
  target = aws_sns_topic.alerts
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:trailwatch-alerts" }
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
  target = aws_sns_topic.chat
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:trailwatch-chat" }
}

override_resource {
  target = aws_sns_topic_policy.chat
}

override_resource {
  target = aws_cloudwatch_log_metric_filter.chat_publish_failed
}

override_resource {
  target = aws_cloudwatch_metric_alarm.chat_publish_failed
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/trailwatch-pipeline" }
}

override_resource {
  target = aws_iam_role.digest_schedule
  values = { arn = "arn:aws:iam::123456789012:role/trailwatch-digest-schedule-eu-west-1" }
}

override_resource {
  target = aws_iam_role_policy.digest_schedule
}

override_resource {
  target = aws_scheduler_schedule.digests
}

override_resource {
  target = aws_sfn_state_machine.pipeline
  values = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:trailwatch-pipeline" }
}

variables {
  alert_emails = ["security@example.com"]
  build_dir    = "tests/testdata/build"
}

run "policies" {
  command = apply

  # No wildcard action in any IAM, resource or key policy.
  assert {
    condition = alltrue(flatten([
      for doc in concat(
        [for d in data.aws_iam_policy_document.function : d.json],
        [
          data.aws_iam_policy_document.state_machine.json,
          data.aws_iam_policy_document.pipe.json,
          data.aws_iam_policy_document.pipe_trust.json,
          data.aws_iam_policy_document.intake.json,
          data.aws_iam_policy_document.trail_bucket[0].json,
          data.aws_iam_policy_document.alerts.json,
          data.aws_iam_policy_document.ops[0].json,
          data.aws_iam_policy_document.dead_letter.json,
          data.aws_iam_policy_document.kms_key[0].json,
        ],
      ) : [for st in jsondecode(doc).Statement : [for a in flatten([st.Action]) : !strcontains(a, "*")]]
    ]))
    error_message = "A policy grants a wildcard action."
  }

  # Resource "*" only where the action has no resource-level permissions.
  assert {
    condition = alltrue(flatten([
      for doc in concat(
        [for d in data.aws_iam_policy_document.function : d.json],
        [data.aws_iam_policy_document.state_machine.json, data.aws_iam_policy_document.pipe.json],
        ) : [
        for st in jsondecode(doc).Statement :
        contains(["WriteTraces", "DescribeExposure", "ReadAccountPublicAccessBlock", "DeliverExecutionLogs"], st.Sid) if contains(flatten([st.Resource]), "*")
      ]
    ]))
    error_message = "A role policy uses Resource \"*\" for an action that supports resource-level permissions."
  }

  assert {
    condition     = [for st in jsondecode(data.aws_iam_policy_document.function["parse"].json).Statement : st.Sid] == ["WriteOwnLogs", "WriteTraces"]
    error_message = "parse needs its logs and X-Ray, nothing else."
  }

  assert {
    condition = alltrue([for key in ["parse", "enrich", "dedupe", "notify"] :
      one([for st in jsondecode(data.aws_iam_policy_document.function[key].json).Statement : st.Resource if st.Sid == "WriteOwnLogs"]) ==
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-function:*"
    ])
    error_message = "Each function may write only to its own log group's streams."
  }

  assert {
    condition = jsonencode(sort(flatten([one([for st in jsondecode(data.aws_iam_policy_document.function["enrich"].json).Statement : st if st.Sid == "DescribeExposure"]).Action]))) == jsonencode([
      "ec2:DescribeAddresses", "ec2:DescribeImageAttribute", "ec2:DescribeInstances", "ec2:DescribeNetworkAcls", "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSnapshotAttribute", "ec2:DescribeSubnets",
      "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers",
      "redshift:DescribeClusterSubnetGroups", "redshift:DescribeClusters",
    ])
    error_message = "enrich may call the EC2, Elastic Load Balancing and Redshift Describe actions that name no resource types (in any region: events are looked up where they happened), nothing more."
  }

  assert {
    condition = jsonencode({
      for st in jsondecode(data.aws_iam_policy_document.function["dedupe"].json).Statement : st.Sid => [sort(flatten([st.Action])), st.Resource]
      if st.Sid != "WriteOwnLogs" && st.Sid != "WriteTraces"
      }) == jsonencode({
      AlertLifecycle             = [["dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], "arn:aws:dynamodb:eu-west-1:123456789012:table/trailwatch-dedupe"]
      UseTableKeyThroughDynamoDB = [["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"]
    })
    error_message = "dedupe may read and write its table and use the key through DynamoDB, nothing else."
  }

  assert {
    condition = jsonencode({
      for st in jsondecode(data.aws_iam_policy_document.function["notify"].json).Statement : st.Sid => [sort(flatten([st.Action])), st.Resource]
      if st.Sid != "WriteOwnLogs" && st.Sid != "WriteTraces"
      }) == jsonencode({
      PublishAlerts         = [["sns:Publish"], "arn:aws:sns:eu-west-1:123456789012:trailwatch-alerts"]
      UseTopicKeyThroughSNS = [["kms:Decrypt", "kms:GenerateDataKey"], "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"]
    })
    error_message = "notify may publish to the alert topic and use the key through SNS, nothing else."
  }

  assert {
    condition = toset(one([for st in jsondecode(data.aws_iam_policy_document.state_machine.json).Statement : st.Resource if st.Sid == "InvokePipelineFunctions"])) == toset([
      "arn:aws:lambda:eu-west-1:123456789012:function:trailwatch-function",
      "arn:aws:lambda:eu-west-1:123456789012:function:trailwatch-function:*",
    ])
    error_message = "The state machine may invoke only the pipeline's functions."
  }

  # The pipe's role: read and delete on the intake queue, decrypt through
  # SQS, start synchronous executions of the pipeline; trusted by this
  # pipe only.
  assert {
    condition = jsonencode({
      for st in jsondecode(data.aws_iam_policy_document.pipe.json).Statement : st.Sid => [sort(flatten([st.Action])), st.Resource, try(st.Condition, null)]
      }) == jsonencode({
      DecryptIntakeThroughSQS    = [["kms:Decrypt"], "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000", { StringEquals = { "kms:ViaService" = "sqs.eu-west-1.amazonaws.com" } }]
      ReadIntakeQueue            = [["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], "arn:aws:sqs:eu-west-1:123456789012:trailwatch-intake", null]
      StartPipelineSynchronously = [["states:StartSyncExecution"], "arn:aws:states:eu-west-1:123456789012:stateMachine:trailwatch-pipeline", null]
    })
    error_message = "The pipe's role may only read the intake queue, decrypt it through SQS and start synchronous executions of the pipeline."
  }

  assert {
    condition = jsonencode(one(jsondecode(data.aws_iam_policy_document.pipe_trust.json).Statement)) == jsonencode({
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "pipes.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = "123456789012" }
      }
    })
    error_message = "Only pipes of this account may assume the pipe's role (AWS documents no aws:SourceArn for Pipes)."
  }

  assert {
    condition = (
      aws_pipes_pipe.intake.source == "arn:aws:sqs:eu-west-1:123456789012:trailwatch-intake" &&
      aws_pipes_pipe.intake.target == "arn:aws:states:eu-west-1:123456789012:stateMachine:trailwatch-pipeline" &&
      aws_pipes_pipe.intake.role_arn == "arn:aws:iam::123456789012:role/trailwatch-intake-pipe-eu-west-1"
    )
    error_message = "The pipe must drain the intake queue into the pipeline through its role."
  }

  # The redrive: after intake.max_receive_count receives SQS parks a
  # message, and only the intake queue may park in (and be redriven from)
  # the parked queue.
  assert {
    condition = jsondecode(aws_sqs_queue.intake.redrive_policy) == {
      deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:trailwatch-parked"
      maxReceiveCount     = local.facts.intake.max_receive_count
      } && jsondecode(aws_sqs_queue_redrive_allow_policy.parked.redrive_allow_policy) == {
      redrivePermission = "byQueue"
      sourceQueueArns   = ["arn:aws:sqs:eu-west-1:123456789012:trailwatch-intake"]
    }
    error_message = "The intake queue must park in the parked queue after deployment.json's max_receive_count, and only it may."
  }

  assert {
    condition = alltrue([for q in [aws_sqs_queue.intake, aws_sqs_queue.parked, aws_sqs_queue.dead_letter] :
    q.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"])
    error_message = "The intake, parked and dead-letter queues must be encrypted with the module's key."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.function["notify"].environment[0].variables), "CHAT_TOPIC_ARN")
    error_message = "Without chat_notifications notify has no CHAT_TOPIC_ARN."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.digest_schedule.json).Statement == [{
      Sid      = "StartDigestRuns"
      Effect   = "Allow"
      Action   = "states:StartExecution"
      Resource = "arn:aws:states:eu-west-1:123456789012:stateMachine:trailwatch-pipeline"
    }]
    error_message = "The digest schedule's role may only start the pipeline."
  }

  assert {
    condition = one(jsondecode(data.aws_iam_policy_document.scheduler_trust.json).Statement).Condition == {
      StringEquals = { "aws:SourceAccount" = "123456789012" }
      ArnEquals    = { "aws:SourceArn" = "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default" }
    }
    error_message = "Only this account's schedules of the default group may assume the digest schedule's role: Scheduler's aws:SourceArn is the schedule group's ARN, and AWS says not to name a schedule."
  }

  assert {
    condition = [for st in jsondecode(data.aws_iam_policy_document.alerts.json).Statement : [st.Effect, st.Action]] == [
      ["Allow", "sns:Publish"], ["Deny", "sns:Publish"],
    ]
    error_message = "The alert topic policy must allow the notify role and deny every other publisher."
  }

  assert {
    condition = toset(flatten([jsondecode(data.aws_iam_policy_document.dead_letter.json).Statement[0].Condition.ArnEquals["aws:SourceArn"]])) == toset([
      for file in fileset("../statemachine/event-patterns", "*.json") : "arn:aws:events:eu-west-1:123456789012:rule/trailwatch-cloudtrail-${trimsuffix(file, ".json")}"
    ])
    error_message = "Only the pipeline's rules, every one of them, may send to the dead-letter queue."
  }

  assert {
    condition = jsonencode(jsondecode(data.aws_iam_policy_document.intake.json).Statement) == jsonencode([{
      Sid       = "EventBridgeRulesSend"
      Effect    = "Allow"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:trailwatch-intake"
      Principal = { Service = "events.amazonaws.com" }
      Condition = { ArnEquals = { "aws:SourceArn" = sort([
        for file in fileset("../statemachine/event-patterns", "*.json") : "arn:aws:events:eu-west-1:123456789012:rule/trailwatch-cloudtrail-${trimsuffix(file, ".json")}"
      ]) } }
    }])
    error_message = "Only the pipeline's rules, every one of them, may send to the intake queue."
  }

  # AWS's documented key policy statement for a service that sends to an
  # encrypted queue has no condition; one on aws:SourceArn could refuse
  # SQS's KMS calls for EventBridge (kms.tf). The queues' policies guard.
  assert {
    condition = jsonencode(one([for st in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : st if try(st.Principal.Service, "") == "events.amazonaws.com"])) == jsonencode({
      Sid       = "EventBridgeToEncryptedQueues"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "*"
      Principal = { Service = "events.amazonaws.com" }
    })
    error_message = "The key's EventBridge statement must be AWS's documented one: kms:Decrypt and kms:GenerateDataKey, no condition."
  }

  # CloudTrail's statements, as AWS documents them, for this trail only.
  assert {
    condition = jsonencode({ for st in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : st.Sid => [st.Action, st.Condition] if try(st.Principal.Service, "") == "cloudtrail.amazonaws.com" }) == jsonencode({
      CloudTrailDescribesKey = ["kms:DescribeKey", { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/trailwatch-trail" } }]
      CloudTrailEncryptsLogs = ["kms:GenerateDataKey", {
        StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/trailwatch-trail" }
        StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:aws:cloudtrail:*:123456789012:trail/*" }
      }]
    })
    error_message = "CloudTrail may encrypt with and describe the key for this trail only."
  }

  assert {
    condition = jsonencode([for st in jsondecode(data.aws_iam_policy_document.trail_bucket[0].json).Statement : [st.Sid, st.Effect, st.Action, st.Resource, st.Condition]]) == jsonencode([
      ["AWSCloudTrailAclCheck", "Allow", "s3:GetBucketAcl", "arn:aws:s3:::trailwatch-trail-123456789012",
      { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/trailwatch-trail" } }],
      ["AWSCloudTrailWrite", "Allow", "s3:PutObject", "arn:aws:s3:::trailwatch-trail-123456789012/AWSLogs/123456789012/*",
      { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/trailwatch-trail", "s3:x-amz-acl" = "bucket-owner-full-control" } }],
      ["DenyInsecureTransport", "Deny", ["s3:PutObject", "s3:ListBucket", "s3:GetObject", "s3:GetBucketAcl", "s3:DeleteObject"],
      ["arn:aws:s3:::trailwatch-trail-123456789012/*", "arn:aws:s3:::trailwatch-trail-123456789012"], { Bool = { "aws:SecureTransport" = "false" } }],
    ])
    error_message = "The trail's bucket policy must be AWS's for CloudTrail, for this trail only, and refuse plain HTTP."
  }

  assert {
    condition     = aws_cloudtrail.trail[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    error_message = "The trail must encrypt its log files with the module's key."
  }

  assert {
    condition = alltrue([for group, target in aws_cloudwatch_event_target.pipeline : (
      target.rule == aws_cloudwatch_event_rule.pipeline[group].name && target.target_id == "intake" &&
      target.arn == "arn:aws:sqs:eu-west-1:123456789012:trailwatch-intake" && target.role_arn == null &&
      target.dead_letter_config[0].arn == "arn:aws:sqs:eu-west-1:123456789012:trailwatch-events-dlq"
    )])
    error_message = "Every rule's target must be the intake queue, without a role, dead-lettering into the rules' queue."
  }

  assert {
    condition = toset(one([for st in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : st.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] if st.Sid == "CloudWatchLogsForTrailwatchLogGroups"])) == toset([
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-parse",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-enrich",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-dedupe",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-notify",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/trailwatch-pipeline",
    ])
    error_message = "CloudWatch Logs may use the key for trailwatch's log groups only."
  }

  assert {
    condition = contains(one([for st in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : st.Action if st.Sid == "AccountAdministersKeyThroughIAM"]), "kms:PutKeyPolicy") && one([
      for st in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : st.Principal.AWS if st.Sid == "AccountAdministersKeyThroughIAM"
    ]) == "arn:aws:iam::123456789012:root"
    error_message = "The account must keep kms:PutKeyPolicy on the key, or the key becomes unmanageable."
  }

  assert {
    condition = toset([for st in jsondecode(data.aws_iam_policy_document.kms_key[0].json).Statement : st.Sid]) == toset([
      "CloudWatchLogsForTrailwatchLogGroups", "EventBridgeToEncryptedQueues", "CloudTrailEncryptsLogs", "CloudTrailDescribesKey",
      "CloudWatchAlarmsToOpsTopic", "AccountAdministersKeyThroughIAM",
    ])
    error_message = "Unexpected key policy statements."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.pipeline.definition).States.Notify.Parameters.FunctionName == "arn:aws:lambda:eu-west-1:123456789012:function:trailwatch-function"
    error_message = "The definition must be rendered with the function ARNs."
  }

  assert {
    condition     = output.state_machine_console_url == "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3AstateMachine%3Atrailwatch-pipeline"
    error_message = "Wrong console URL."
  }
}

run "chat_policies" {
  command = apply

  variables {
    chat_notifications = true
  }

  assert {
    condition = jsonencode({
      for st in jsondecode(data.aws_iam_policy_document.function["notify"].json).Statement : st.Sid => [sort(flatten([st.Action])), sort(flatten([st.Resource]))]
      if st.Sid != "WriteOwnLogs" && st.Sid != "WriteTraces"
      }) == jsonencode({
      PublishAlerts         = [["sns:Publish"], ["arn:aws:sns:eu-west-1:123456789012:trailwatch-alerts", "arn:aws:sns:eu-west-1:123456789012:trailwatch-chat"]]
      UseTopicKeyThroughSNS = [["kms:Decrypt", "kms:GenerateDataKey"], ["arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"]]
    })
    error_message = "With chat_notifications notify may publish to the alert and chat topics, nothing more."
  }

  assert {
    condition     = aws_lambda_function.function["notify"].environment[0].variables["CHAT_TOPIC_ARN"] == "arn:aws:sns:eu-west-1:123456789012:trailwatch-chat"
    error_message = "notify must be given the chat topic."
  }

  assert {
    condition = [for st in jsondecode(data.aws_iam_policy_document.chat[0].json).Statement : [st.Effect, st.Action, flatten([st.Resource])]] == [
      ["Allow", "sns:Publish", ["arn:aws:sns:eu-west-1:123456789012:trailwatch-chat"]],
      ["Deny", "sns:Publish", ["arn:aws:sns:eu-west-1:123456789012:trailwatch-chat"]],
    ]
    error_message = "The chat topic policy must allow the notify role and deny every other publisher."
  }

  assert {
    condition     = alltrue([for st in jsondecode(data.aws_iam_policy_document.chat[0].json).Statement : !strcontains(st.Action, "*")])
    error_message = "The chat topic policy grants a wildcard action."
  }
}
