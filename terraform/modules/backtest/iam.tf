# Two roles, each allowed only what its holder calls: the function's
# (functions/shared/permissions lists its S3 calls, test/terraform holds
# this policy to them) and the state machine's (what its definition's
# Distributed Map, ItemReader, ResultWriter and tasks need). Role names end
# in the region, as the root module's.

# ---------------------------------------------------------------------------
# Function
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
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
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

data "aws_iam_policy_document" "backtest_objects" {
  statement {
    sid     = "ReadTrailLogFiles"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    #tfsec:ignore:aws-iam-no-policy-wildcards The log files are not known in advance: any object under trail_prefix.
    resources = ["${local.trail_bucket_arn}/${var.trail_prefix}*"]
  }

  # Findings, batch results and the summary; summarize reads the batch
  # results and the Map's manifest and result files back.
  statement {
    sid     = "WriteAndReadResults"
    effect  = "Allow"
    actions = ["s3:PutObject", "s3:GetObject"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Run names are the executions': any object under runs/.
    resources = ["${local.results_bucket_arn}/${local.runs_prefix}*"]
  }

  statement {
    sid       = "ListBatchResults"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.results_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.runs_prefix}*"]
    }
  }

  statement {
    sid       = "UseResultsKeyThroughS3"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.backtest.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = var.trail_kms_key_arn == null ? [] : [var.trail_kms_key_arn]

    content {
      sid       = "DecryptTrailLogFilesThroughS3"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }
}

locals {
  # The function's policy documents, by its name in functions/shared/
  # permissions (the root module's function_policies, for this module).
  function_policies = {
    backtest = [data.aws_iam_policy_document.backtest_objects.json]
  }
}

data "aws_iam_policy_document" "function" {
  source_policy_documents = concat([data.aws_iam_policy_document.function_base.json], local.function_policies.backtest)
}

resource "aws_iam_role" "function" {
  name               = "${local.function_name}-${local.region}"
  description        = "Runs the ${local.function_name} function."
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length("${local.function_name}-${local.region}") <= local.quotas.iam_role_name_chars
      error_message = "The role name ${local.function_name}-${local.region} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "backtest-least-privilege"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
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

    # The state machine, and its Distributed Map's runs and child
    # executions.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = [
        local.state_machine_arn,
        "arn:${local.partition}:states:${local.region}:${local.account_id}:mapRun:${local.state_machine_name}/*",
        "arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}:*",
        "arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}/*",
      ]
    }
  }
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid     = "InvokeBacktestFunction"
    effect  = "Allow"
    actions = ["lambda:InvokeFunction"]
    #tfsec:ignore:aws-iam-no-policy-wildcards The only wildcard is the qualifier suffix "<function ARN>:*" (any version or alias of the backtest's function).
    resources = [local.function_arn, "${local.function_arn}:*"]
  }

  # The Distributed Map starts its child executions as executions of this
  # state machine, and describes and stops them.
  statement {
    sid       = "StartChildExecutions"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid     = "ManageChildExecutions"
    effect  = "Allow"
    actions = ["states:DescribeExecution", "states:StopExecution"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Child executions are named by the Map run: any execution of this state machine.
    resources = [
      "arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}/*",
      "arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}:*",
    ]
  }

  # The ItemReader lists the log files (ListObjectsV2 is authorized as
  # s3:ListBucket), under trail_prefix only.
  statement {
    sid       = "ListTrailLogFiles"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.trail_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.trail_prefix}*"]
    }
  }

  # The ResultWriter writes the Map's manifest and result files, in parts
  # when they are large.
  statement {
    sid     = "WriteMapResults"
    effect  = "Allow"
    actions = ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Run names are the executions': any object under runs/.
    resources = ["${local.results_bucket_arn}/${local.runs_prefix}*"]
  }

  statement {
    sid       = "UseResultsKeyThroughS3"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.backtest.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  # As the root module's state machine (terraform/iam.tf): vended log
  # delivery and X-Ray support no resource-level permissions, so "*" is
  # the only Resource they accept.
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
  name   = "backtest-least-privilege"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}
