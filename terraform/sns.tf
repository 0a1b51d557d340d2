# The alert topic: the notify function publishes, people and webhooks
# subscribe.
resource "aws_sns_topic" "alerts" {
  name              = "${var.name}${local.suffixes.alert_topic}"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags

  lifecycle {
    precondition {
      condition     = length(var.alert_emails) > 0 || nonsensitive(var.https_endpoint != null) || var.chat_notifications
      error_message = "Alerts need a subscriber: set alert_emails, https_endpoint or chat_notifications (and subscribe AWS Chatbot to chat_topic_arn)."
    }
  }
}

resource "aws_sns_topic_subscription" "alert_email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "alert_https" {
  count = nonsensitive(var.https_endpoint != null) ? 1 : 0

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "https"
  endpoint  = var.https_endpoint
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "NotifyFunctionPublishes"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function["notify"].arn]
    }
  }

  # An Allow alone would not stop other principals of the account whose own
  # IAM policies allow sns:Publish; this deny does.
  statement {
    sid       = "NoOtherPublisher"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [aws_iam_role.function["notify"].arn]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

# The chat topic (chat_notifications): notify publishes each message's AWS
# Chatbot custom notification here, after the alert topic accepted the
# message. AWS Chatbot (Amazon Q Developer in chat applications) subscribes
# to it from a Slack or Microsoft Teams channel configuration: see the
# README's "Chat" section. It is a topic of its own because SNS picks a
# message's form by protocol, and Chatbot's endpoint is an HTTPS one like
# any webhook subscribed to the alert topic.
resource "aws_sns_topic" "chat" {
  count = var.chat_notifications ? 1 : 0

  name              = "${var.name}${local.suffixes.chat_topic}"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "chat" {
  count = var.chat_notifications ? 1 : 0

  statement {
    sid       = "NotifyFunctionPublishes"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.chat[0].arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function["notify"].arn]
    }
  }

  # As on the alert topic: no other principal of the account publishes.
  statement {
    sid       = "NoOtherPublisher"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.chat[0].arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [aws_iam_role.function["notify"].arn]
    }
  }
}

resource "aws_sns_topic_policy" "chat" {
  count = var.chat_notifications ? 1 : 0

  arn    = aws_sns_topic.chat[0].arn
  policy = data.aws_iam_policy_document.chat[0].json
}
