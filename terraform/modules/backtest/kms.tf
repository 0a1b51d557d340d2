# The backtest's own key: its results bucket and its two log groups. The
# roles use it through S3 (their policies, kms:ViaService); CloudWatch Logs
# through the key policy.

data "aws_iam_policy_document" "kms_key" {
  statement {
    sid    = "CloudWatchLogsForBacktestLogGroups"
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
    # In a key policy, Resource "*" means this key and nothing else.
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = local.log_group_arns
    }
  }

  # As the root module's key (terraform/kms.tf): IAM policies of this
  # account grant use of the key, and the account administers it action by
  # action; kms:PutKeyPolicy must stay, or no one could change this policy.
  statement {
    sid    = "AccountAdministersKeyThroughIAM"
    effect = "Allow"

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }

    actions = [
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

resource "aws_kms_key" "backtest" {
  description             = "${local.state_machine_name}: results bucket and logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "backtest" {
  name          = "alias/${local.state_machine_name}"
  target_key_id = aws_kms_key.backtest.key_id
}
