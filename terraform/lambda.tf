# The four functions, their log groups and their environments.

locals {
  # Who a share may go to at low severity: the declared accounts and, in
  # organisation mode, the organisation.
  trusted_accounts = distinct(concat(var.trusted_account_ids, local.organization_mode ? [var.organization_id] : []))

  # Environment of each function beyond LOG_LEVEL, which all get.
  function_environment = {
    parse = {}
    # MEMBER_ROLE_NAME and EXTERNAL_ID are set in organisation mode only;
    # the function reads an unset MEMBER_ROLE_NAME as single-account mode.
    # TRUSTED_ACCOUNTS only when something is trusted.
    enrich = merge(local.organization_mode ? tomap({
      MEMBER_ROLE_NAME = var.member_role_name
      EXTERNAL_ID      = var.external_id
      }) : tomap({}), length(local.trusted_accounts) > 0 ? tomap({
      TRUSTED_ACCOUNTS = join(",", local.trusted_accounts)
    }) : tomap({}))
    # RULES_DIGEST only with a rules file (rules.tf): dedupe reads its
    # absence as no rules.
    dedupe = merge({
      TABLE_NAME       = aws_dynamodb_table.dedupe.name
      DEDUPE_WINDOW    = var.dedupe_window
      DEDUPE_LEASE     = local.dedupe_lease
      DEDUPE_RETENTION = var.dedupe_retention
      STORM_THRESHOLD  = format("%d", var.storm_threshold)
      STORM_PERIOD     = var.storm_period
      # The account and region pairs whose heartbeat is expected
      # (heartbeat.tf): this deployment's own and var.heartbeat_targets.
      HEARTBEAT_TARGETS = join(",", local.heartbeat_targets)
      }, var.rules_file == null ? {} : {
      RULES_DIGEST = sha256(local.rules_text)
    })
    # CHAT_TOPIC_ARN is set only with chat_notifications; the function
    # reads an unset one as no chat topic.
    notify = merge({
      TOPIC_ARN = aws_sns_topic.alerts.arn
      }, var.chat_notifications ? tomap({
        CHAT_TOPIC_ARN = aws_sns_topic.chat[0].arn
    }) : tomap({}))
  }
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = local.function_log_group_names[each.key]
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "function" {
  for_each = local.functions

  function_name = local.function_names[each.key]
  description   = each.value.description
  role          = aws_iam_role.function[each.key].arn

  runtime       = "provided.al2023"
  architectures = ["arm64"]
  handler       = "bootstrap"
  memory_size   = 128
  timeout       = each.value.timeout

  # The precondition below reports a missing archive; the fileexists guard
  # only keeps filebase64sha256 from failing first with a vaguer message.
  filename         = "${local.build_dir}/${each.key}.zip"
  source_code_hash = fileexists("${local.build_dir}/${each.key}.zip") ? filebase64sha256("${local.build_dir}/${each.key}.zip") : null

  environment {
    variables = merge({ LOG_LEVEL = var.log_level }, local.function_environment[each.key])
  }

  tracing_config {
    mode = "Active"
  }

  # Names the log group explicitly, which also orders its creation first:
  # otherwise an early invocation could create /aws/lambda/<name> itself,
  # unencrypted and kept forever, and the apply would then fail on it.
  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  tags = var.tags

  # The role's policy must exist before the function first runs, and the
  # rules file before dedupe starts with its digest.
  depends_on = [aws_iam_role_policy.function, aws_dynamodb_table_item.rules]

  lifecycle {
    precondition {
      condition     = fileexists("${local.build_dir}/${each.key}.zip")
      error_message = "${local.build_dir}/${each.key}.zip is missing: run `make build` at the repository root, or set build_dir."
    }

    # Lambda measures the variables as a JSON object; jsonencode writes at
    # least as many bytes.
    precondition {
      condition     = nonsensitive(length(jsonencode(merge({ LOG_LEVEL = var.log_level }, local.function_environment[each.key])))) <= local.quotas.lambda_environment_bytes
      error_message = "The environment of ${local.function_names[each.key]} is larger than Lambda's ${local.quotas.lambda_environment_bytes} bytes."
    }
  }
}
