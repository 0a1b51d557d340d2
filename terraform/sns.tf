# The alert topic: the notify function publishes, people and webhooks
# subscribe.
resource "aws_sns_topic" "alerts" {
  name              = "${var.name}${local.suffixes.alert_topic}"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags

  lifecycle {
    precondition {
      condition     = length(var.alert_emails) > 0 || nonsensitive(var.https_endpoint != null)
      error_message = "Alerts need a subscriber: set alert_emails, https_endpoint, or both."
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
