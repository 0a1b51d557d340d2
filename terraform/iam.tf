# One role per function, one for the state machine and one for the digest
# schedule (the pipe's is in intake.tf, the canary's in heartbeat.tf), each
# allowed only what its holder calls. Resource "*" appears only
# where the action has no resource-level permissions; each says why.
#
# Role names end in the region: IAM is global, and a deployment per region
# with the same var.name must not collide.

# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# What every function needs: its own log group and X-Ray.
data "aws_iam_policy_document" "function_base" {
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  # X-Ray's PutTraceSegments and PutTelemetryRecords support no
  # resource-level permissions: "*" is the only Resource they accept.
  statement {
    sid       = "WriteTraces"
    effect    = "Allow"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

# enrich's reads, scoped as the Service Authorization Reference says each
# action allows (its Actions table: an action without resource types
# accepts only Resource "*"; its Resource types table: the ARN formats):
#   EC2:                  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
#   Elastic Load Balancing (classic and V2):
#                         https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancing.html
#                         https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html
#   RDS:                  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
#   Redshift:             https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html
#   S3:                   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
#   Lambda:               https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
#   STS:                  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
# modules/member-role grants the same reads in member accounts.
data "aws_iam_policy_document" "enrich_ec2" {
  # The EC2 Describe calls, Elastic Load Balancing's DescribeLoadBalancers
  # and DescribeListeners, and Redshift's DescribeClusters and
  # DescribeClusterSubnetGroups name no resource types: "*" is the only
  # Resource they accept.
  # No region condition: enrich looks resources up in the region each
  # event happened in, and an organisation forwards events from every
  # region to this one.
  statement {
    sid    = "DescribeExposure"
    effect = "Allow"
    actions = [
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeInstances",
      "ec2:DescribeAddresses",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeRouteTables",
      "ec2:DescribeNetworkAcls",
      "ec2:DescribeSubnets",
      "ec2:DescribeImageAttribute",
      "ec2:DescribeSnapshotAttribute",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeListeners",
      "redshift:DescribeClusters",
      "redshift:DescribeClusterSubnetGroups",
    ]
    resources = ["*"]
  }

  # RDS lookups, on the account's DB instances (db), DB clusters (cluster),
  # DB subnet groups (subgrp), DB snapshots (snapshot) and DB cluster
  # snapshots (cluster-snapshot): the resource type each action names.
  statement {
    sid    = "DescribeDatabases"
    effect = "Allow"
    actions = [
      "rds:DescribeDBInstances",
      "rds:DescribeDBClusters",
      "rds:DescribeDBSubnetGroups",
      "rds:DescribeDBSnapshotAttributes",
      "rds:DescribeDBClusterSnapshotAttributes",
    ]
    #tfsec:ignore:aws-iam-no-policy-wildcards Databases are not known in advance: any of this account's, in any region.
    resources = [
      "arn:${local.partition}:rds:*:${local.account_id}:db:*",
      "arn:${local.partition}:rds:*:${local.account_id}:cluster:*",
      "arn:${local.partition}:rds:*:${local.account_id}:subgrp:*",
      "arn:${local.partition}:rds:*:${local.account_id}:snapshot:*",
      "arn:${local.partition}:rds:*:${local.account_id}:cluster-snapshot:*",
    ]
  }

  # The tags of the account's load balancers (v2 and classic).
  statement {
    sid     = "ReadLoadBalancerTags"
    effect  = "Allow"
    actions = ["elasticloadbalancing:DescribeTags"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Load balancers are not known in advance: any of this account's.
    resources = ["arn:${local.partition}:elasticloadbalancing:*:${local.account_id}:loadbalancer/*"]
  }

  # The entries of the managed prefix lists security groups reference:
  # any list, the account's or AWS's (owned by account "aws").
  statement {
    sid     = "ReadPrefixLists"
    effect  = "Allow"
    actions = ["ec2:GetManagedPrefixListEntries"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Prefix lists are not known in advance, and AWS-managed ones belong to no account of the organisation.
    resources = ["arn:${local.partition}:ec2:*:*:prefix-list/*"]
  }

  # Who may use a bucket: its policy status, public access block, ACL and
  # tags, on buckets of this account only.
  statement {
    sid    = "ReadBucketAccess"
    effect = "Allow"
    actions = [
      "s3:GetBucketPolicyStatus",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketAcl",
      "s3:GetBucketTagging",
    ]
    #tfsec:ignore:aws-iam-no-policy-wildcards Bucket names are not known in advance: any bucket ARN, bounded by aws:ResourceAccount to this account's buckets.
    resources = ["arn:${local.partition}:s3:::*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [local.account_id]
    }
  }

  # The account's public access block (an S3 Control call) supports no
  # resource-level permissions: "*" is the only Resource it accepts.
  statement {
    sid       = "ReadAccountPublicAccessBlock"
    effect    = "Allow"
    actions   = ["s3:GetAccountPublicAccessBlock"]
    resources = ["*"]
  }

  # Who may invoke a function: its resource policy, URL configuration and
  # tags, on this account's functions only.
  statement {
    sid     = "ReadFunctionAccess"
    effect  = "Allow"
    actions = ["lambda:GetPolicy", "lambda:GetFunctionUrlConfig", "lambda:ListTags"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Function names and regions are not known in advance: any function of this account.
    resources = ["arn:${local.partition}:lambda:*:${local.account_id}:function:*"]
  }
}

# Organisation mode: enrich looks resources up in the account an event came
# from, through the read-only role modules/member-role creates there.
data "aws_iam_policy_document" "enrich_member_roles" {
  count = local.organization_mode ? 1 : 0

  statement {
    sid     = "AssumeMemberReadRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    # Without member_account_ids the account in the ARN is a wildcard:
    # accounts join and leave the organisation without this role changing.
    # Only roles of that one name match, and the condition keeps them to
    # the organisation's accounts.
    resources = (length(var.member_account_ids) > 0 ?
      [for id in var.member_account_ids : "arn:${local.partition}:iam::${id}:role/${var.member_role_name}"] :
    ["arn:${local.partition}:iam::*:role/${var.member_role_name}"])

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceOrgID"
      values   = [var.organization_id]
    }
  }
}

data "aws_iam_policy_document" "dedupe_table" {
  # Reads and conditional writes of the alert records, their events, the
  # resource index, storm periods and the rules file; TransactWriteItems
  # is authorized as the PutItem, UpdateItem and DeleteItem it holds.
  statement {
    sid       = "AlertLifecycle"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [aws_dynamodb_table.dedupe.arn]
  }

  statement {
    sid       = "UseTableKeyThroughDynamoDB"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "notify_topic" {
  statement {
    sid       = "PublishAlerts"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = concat([aws_sns_topic.alerts.arn], aws_sns_topic.chat[*].arn)
  }

  statement {
    sid       = "UseTopicKeyThroughSNS"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }
  }
}

locals {
  function_policies = {
    parse  = []
    enrich = concat([data.aws_iam_policy_document.enrich_ec2.json], data.aws_iam_policy_document.enrich_member_roles[*].json)
    dedupe = [data.aws_iam_policy_document.dedupe_table.json]
    notify = [data.aws_iam_policy_document.notify_topic.json]
  }
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  source_policy_documents = concat(
    [data.aws_iam_policy_document.function_base[each.key].json],
    local.function_policies[each.key],
  )
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name               = "${local.function_names[each.key]}-${local.region}"
  description        = "Runs the ${local.function_names[each.key]} function."
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length("${local.function_names[each.key]}-${local.region}") <= local.quotas.iam_role_name_chars
      error_message = "The role name ${local.function_names[each.key]}-${local.region} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

# Each role has this one inline policy, so it alone must fit IAM's quota
# for all inline policies of a role (whitespace is not counted).
resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "${each.key}-least-privilege"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json

  lifecycle {
    precondition {
      condition     = length(data.aws_iam_policy_document.function[each.key].minified_json) <= local.quotas.iam_role_policy_chars
      error_message = "The ${each.key} role's policy is ${length(data.aws_iam_policy_document.function[each.key].minified_json)} characters, more than IAM's ${local.quotas.iam_role_policy_chars}: list fewer member_account_ids, or none (any account of the organisation)."
    }
  }
}

# ---------------------------------------------------------------------------
# State machine
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "state_machine_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"]
    }
  }
}

data "aws_iam_policy_document" "state_machine" {
  # The four functions, unqualified and with any version or alias.
  statement {
    sid     = "InvokePipelineFunctions"
    effect  = "Allow"
    actions = ["lambda:InvokeFunction"]
    #tfsec:ignore:aws-iam-no-policy-wildcards The only wildcard is the qualifier suffix "<function ARN>:*" (any version or alias of these four functions); tfsec also cannot resolve the ARNs, which are known only after apply.
    resources = flatten([
      for function in aws_lambda_function.function : [function.arn, "${function.arn}:*"]
    ])
  }

  # Step Functions delivers its logs through CloudWatch Logs' vended log
  # delivery, which these actions set up. They support no resource-level
  # permissions, so "*" is the only Resource they accept.
  statement {
    sid    = "DeliverExecutionLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    #tfsec:ignore:aws-iam-no-policy-wildcards Vended log delivery actions support no resource-level permissions; AWS documents Resource "*" for them.
    resources = ["*"]
  }

  # X-Ray actions support no resource-level permissions: "*" is the only
  # Resource they accept.
  statement {
    sid    = "WriteTraces"
    effect = "Allow"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${local.state_machine_name}-${local.region}"
  description        = "Runs the ${local.state_machine_name} state machine."
  assume_role_policy = data.aws_iam_policy_document.state_machine_trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length("${local.state_machine_name}-${local.region}") <= local.quotas.iam_role_name_chars
      error_message = "The role name ${local.state_machine_name}-${local.region} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "pipeline-least-privilege"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

# ---------------------------------------------------------------------------
# Digest schedule
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "scheduler_trust" {
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

    # Scheduler's source is the schedule group, not the schedule: "the
    # value of aws:SourceArn must be your EventBridge Scheduler schedule
    # group ARN ... Do not scope the aws:SourceArn statement to a specific
    # schedule" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:scheduler:${local.region}:${local.account_id}:schedule-group/default"]
    }
  }
}

data "aws_iam_policy_document" "digest_schedule" {
  statement {
    sid       = "StartDigestRuns"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.pipeline.arn]
  }
}

resource "aws_iam_role" "digest_schedule" {
  name               = "${var.name}-digest-schedule-${local.region}"
  description        = "Lets the ${local.digest_schedule_name} schedule start the ${local.state_machine_name} state machine."
  assume_role_policy = data.aws_iam_policy_document.scheduler_trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length("${var.name}-digest-schedule-${local.region}") <= local.quotas.iam_role_name_chars
      error_message = "The role name ${var.name}-digest-schedule-${local.region} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

resource "aws_iam_role_policy" "digest_schedule" {
  name   = "start-digest-runs"
  role   = aws_iam_role.digest_schedule.id
  policy = data.aws_iam_policy_document.digest_schedule.json
}

# The rules write the intake queue through its policy, and the pipe starts
# the state machine through its own role: intake.tf.
