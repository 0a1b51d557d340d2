# One key encrypts everything trailwatch keeps at rest: the log groups, the
# dedupe table, the alert and operations topics, the intake, parked and
# dead-letter queues and the trail's log files.

# What AWS services need from the key. Also published as the
# kms_key_service_policy output, for callers who bring their own key.
data "aws_iam_policy_document" "kms_services" {
  # In a key policy, Resource "*" means this key and nothing else.
  statement {
    sid    = "CloudWatchLogsForTrailwatchLogGroups"
    effect = "Allow"

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = local.log_group_arns
    }
  }

  # EventBridge writes the intake queue and the rules' dead-letter queue,
  # both encrypted with this key. This is AWS's documented statement for
  # an AWS service that sends to an encrypted queue, without conditions
  # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services,
  # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions):
  # SQS, not EventBridge, calls KMS, and AWS documents no aws:SourceArn
  # that such a call would carry, so a condition on the rules' ARNs could
  # refuse every write. The queues' policies hold the aws:SourceArn guard
  # instead (eventbridge.tf, intake.tf): only the rules may send, and the
  # key serves EventBridge only through a queue that accepts it.
  statement {
    sid    = "EventBridgeToEncryptedQueues"
    effect = "Allow"

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    actions = [
      "kms:Decrypt",
      "kms:GenerateDataKey",
    ]
    resources = ["*"]
  }

  # The trail encrypts its log files with this key (trail.tf), as AWS's
  # key policy for CloudTrail says, kms:GenerateDataKey named rather than
  # AWS's kms:GenerateDataKey* (no policy here has a wildcard action; the
  # trail encrypts with GenerateDataKey).
  dynamic "statement" {
    for_each = var.create_trail ? [1] : []

    content {
      sid    = "CloudTrailEncryptsLogs"
      effect = "Allow"

      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }

      actions   = ["kms:GenerateDataKey"]
      resources = ["*"]

      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [local.trail_arn]
      }

      condition {
        test     = "StringLike"
        variable = "kms:EncryptionContext:aws:cloudtrail:arn"
        values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.create_trail ? [1] : []

    content {
      sid    = "CloudTrailDescribesKey"
      effect = "Allow"

      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }

      actions   = ["kms:DescribeKey"]
      resources = ["*"]

      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [local.trail_arn]
      }
    }
  }

  # Alarms publish to the operations topic the module creates, which is
  # encrypted with this key; CloudWatch needs the key to do so.
  dynamic "statement" {
    for_each = local.create_ops_topic ? [1] : []

    content {
      sid    = "CloudWatchAlarmsToOpsTopic"
      effect = "Allow"

      principals {
        type        = "Service"
        identifiers = ["cloudwatch.amazonaws.com"]
      }

      actions = [
        "kms:Decrypt",
        "kms:GenerateDataKey",
      ]
      resources = ["*"]

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

data "aws_iam_policy_document" "kms_key" {
  count = local.create_kms_key ? 1 : 0

  source_policy_documents = [data.aws_iam_policy_document.kms_services.json]

  # In place of AWS's default statement (kms:* for the account): it lets
  # IAM policies in this account grant use of the key (the dedupe and notify
  # roles get theirs that way) and keeps the key manageable, action by
  # action. The list is every KMS action that applies to a symmetric,
  # AWS-generated, single-Region key; actions for asymmetric, HMAC,
  # imported or multi-Region keys are left out. kms:PutKeyPolicy must stay:
  # without it no one could change this policy again.
  statement {
    sid    = "AccountAdministersKeyThroughIAM"
    effect = "Allow"

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }

    actions = [
      # Administration
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:ListKeyPolicies",
      "kms:PutKeyPolicy",
      "kms:UpdateKeyDescription",
      "kms:EnableKey",
      "kms:DisableKey",
      "kms:GetKeyRotationStatus",
      "kms:EnableKeyRotation",
      "kms:DisableKeyRotation",
      "kms:ListKeyRotations",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ListResourceTags",
      "kms:CreateAlias",
      "kms:UpdateAlias",
      "kms:DeleteAlias",
      "kms:CreateGrant",
      "kms:ListGrants",
      "kms:RevokeGrant",
      "kms:RetireGrant",
      # Use
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
    ]
    resources = ["*"]
  }
}

resource "aws_kms_key" "trailwatch" {
  count = local.create_kms_key ? 1 : 0

  description             = "${var.name}: logs, dedupe table, topics, queues and trail"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_key[0].json
  tags                    = var.tags
}

resource "aws_kms_alias" "trailwatch" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.trailwatch[0].key_id
}
