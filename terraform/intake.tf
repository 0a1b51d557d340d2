# The durable intake: the rules write the encrypted intake queue; an
# EventBridge Pipe takes one message at a time and starts the Express state
# machine synchronously (StartSyncExecution), so the console's execution
# view stays. The pipe deletes the message only when the execution
# succeeded: a failed, timed-out or aborted one is a failed invocation, the
# message comes back after the visibility timeout, and after
# max_receive_count receives SQS moves it to the parked queue, where an
# alarm waits and from which SQS's own StartMessageMoveTask redrives it
# (README "Operations"). Why a pipe and not a parking path in the ASL: the
# queue keeps the event through any failure of the workflow itself
# (throttling, a crashed task, a definition error), not only those the ASL
# catches, and redrive is SQS's, one command.
#
# AWS's documentation of what this relies on:
#   input: even with batch size 1 the Step Functions target gets a JSON
#     array of SQS records, body the event as a string
#     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html
#   failure: a logic error of a synchronously invoked Step Functions target
#     is retried up to the source queue's maxReceiveCount
#     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html
#   the pipe's role: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html

locals {
  intake_queue_name = "${var.name}${local.suffixes.intake_queue}"
  parked_queue_name = "${var.name}${local.suffixes.parked_queue}"
  pipe_name         = "${var.name}${local.suffixes.pipe}"
  pipe_role_name    = "${local.pipe_name}-pipe-${local.region}"
  intake_queue_arn  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.intake_queue_name}"

  # The intake's durations in seconds (deployment.json's intake).
  intake_seconds = {
    for key, duration in { visibility_timeout = local.facts.intake.visibility_timeout, retention = local.facts.intake.retention } :
    key => sum([for part in regexall("([0-9]+)([hms])", duration) : tonumber(part[0]) * local.duration_units[part[1]]])
  }
}

resource "aws_sqs_queue" "intake" {
  name = local.intake_queue_name
  # Longer than any execution: an Express execution runs at most five
  # minutes, and the state machine's TimeoutSeconds stops it sooner.
  visibility_timeout_seconds = local.intake_seconds.visibility_timeout
  message_retention_seconds  = local.intake_seconds.retention
  kms_master_key_id          = local.kms_key_arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.parked.arn
    maxReceiveCount     = local.facts.intake.max_receive_count
  })
  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.intake_seconds.visibility_timeout > local.state_machine_timeout_sec && local.intake_seconds.visibility_timeout <= 43200
      error_message = "intake.visibility_timeout (deployment.json) must be longer than the state machine's TimeoutSeconds (${local.state_machine_timeout_sec}s), so that a running execution's message does not come back, and at most SQS's 12 hours."
    }

    precondition {
      condition     = local.intake_seconds.retention >= 60 && local.intake_seconds.retention <= 1209600
      error_message = "intake.retention (deployment.json) must be from 1 minute to SQS's 14 days."
    }
  }
}

# What failed max_receive_count times. Standard queues keep a message's
# first enqueue time when they move it, so a parked message expires
# retention after it first arrived: the parked queue keeps the same.
resource "aws_sqs_queue" "parked" {
  name                      = local.parked_queue_name
  message_retention_seconds = local.intake_seconds.retention
  kms_master_key_id         = local.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "parked" {
  queue_url = aws_sqs_queue.parked.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.intake_queue_arn]
  })
}

data "aws_iam_policy_document" "intake" {
  statement {
    sid     = "EventBridgeRulesSend"
    effect  = "Allow"
    actions = ["sqs:SendMessage"]
    # Built from the name (the queue's ARN is known only after apply), so
    # that the policy's size is checked at plan.
    resources = [local.intake_queue_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(local.rule_arns)
    }
  }
}

resource "aws_sqs_queue_policy" "intake" {
  queue_url = aws_sqs_queue.intake.id
  policy    = data.aws_iam_policy_document.intake.json

  lifecycle {
    # The policy names every rule: it grows with the rules and the bus name.
    precondition {
      condition     = length(data.aws_iam_policy_document.intake.minified_json) <= local.quotas.sqs_policy_bytes
      error_message = "The policy of ${local.intake_queue_name} is ${length(data.aws_iam_policy_document.intake.minified_json)} bytes, more than SQS's ${local.quotas.sqs_policy_bytes}: use a shorter event_bus_name or name."
    }
  }
}

# ---------------------------------------------------------------------------
# The pipe and its role
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "pipe_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["pipes.amazonaws.com"]
    }

    # AWS's confused-deputy page documents aws:SourceArn for rules' targets
    # and Scheduler, not for Pipes
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html):
    # a condition on a value AWS does not say it sends could refuse the
    # pipe its role. Only principals allowed iam:PassRole on this role can
    # give it to another pipe of the account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# What an SQS source and a synchronous Step Functions target need, and
# nothing else: the actions are the Service Authorization Reference's
#   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
#   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
#   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
# each on the one resource it names.
data "aws_iam_policy_document" "pipe" {
  statement {
    sid       = "ReadIntakeQueue"
    effect    = "Allow"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.intake.arn]
  }

  statement {
    sid       = "DecryptIntakeThroughSQS"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "StartPipelineSynchronously"
    effect    = "Allow"
    actions   = ["states:StartSyncExecution"]
    resources = [aws_sfn_state_machine.pipeline.arn]
  }
}

resource "aws_iam_role" "pipe" {
  name               = local.pipe_role_name
  description        = "Lets the ${local.pipe_name} pipe read ${local.intake_queue_name} and run ${local.state_machine_name}."
  assume_role_policy = data.aws_iam_policy_document.pipe_trust.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = length(local.pipe_role_name) <= local.quotas.iam_role_name_chars
      error_message = "The role name ${local.pipe_role_name} is longer than IAM's ${local.quotas.iam_role_name_chars} characters: shorten name."
    }
  }
}

resource "aws_iam_role_policy" "pipe" {
  name   = "intake-pipe"
  role   = aws_iam_role.pipe.id
  policy = data.aws_iam_policy_document.pipe.json
}

resource "aws_pipes_pipe" "intake" {
  name        = local.pipe_name
  description = "Runs ${local.state_machine_name} synchronously on each event in ${local.intake_queue_name}."
  role_arn    = aws_iam_role.pipe.arn
  source      = aws_sqs_queue.intake.arn
  target      = aws_sfn_state_machine.pipeline.arn
  tags        = var.tags

  source_parameters {
    sqs_queue_parameters {
      batch_size                         = local.facts.intake.batch_size
      maximum_batching_window_in_seconds = 0
    }
  }

  # No input template: the state machine gets the array of SQS records,
  # which parse unwraps (the Intake contract).
  target_parameters {
    step_function_state_machine_parameters {
      invocation_type = "REQUEST_RESPONSE"
    }
  }

  # Pipes checks at creation that the role may read the source.
  depends_on = [aws_iam_role_policy.pipe]
}
