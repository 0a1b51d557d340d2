# Organisation mode (var.organization_id set). CloudTrail delivers an API
# call only to the default bus of the account and region where it happened,
# and calls to global services (IAM, sign-in) only in us-east-1. So every
# member account runs modules/forwarder in each region it uses, whose rule
# sends matching events to the custom bus created here; the pipeline's rule
# listens on that bus. Forwarded events keep their account and region, so
# the same pattern matches them and enrich knows where to look.
#
# The enrich function then looks resources up through modules/member-role,
# a read-only role in each account, which it assumes with var.external_id
# (iam.tf, lambda.tf).

locals {
  organization_mode = var.organization_id != null

  event_bus_name = local.organization_mode ? aws_cloudwatch_event_bus.central[0].name : var.event_bus_name
  event_bus_arn = (local.organization_mode ? aws_cloudwatch_event_bus.central[0].arn :
  "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/${var.event_bus_name}")
}

resource "aws_cloudwatch_event_bus" "central" {
  count = local.organization_mode ? 1 : 0

  name = var.event_bus_name
  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.event_bus_name != "default"
      error_message = "With organization_id set, event_bus_name must name the custom bus to create (e.g. \"trailwatch-central\"), not \"default\"."
    }

    # CreateEventBus takes "/" only in the names of partner event buses
    # (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html).
    precondition {
      condition     = !strcontains(var.event_bus_name, "/")
      error_message = "With organization_id set, event_bus_name names the custom bus to create, and custom bus names cannot contain \"/\"."
    }

    # In a variable's validation this would need Terraform 1.9; it is here
    # so that the module keeps working with 1.6.
    precondition {
      condition     = nonsensitive(var.external_id != null)
      error_message = "With organization_id set, external_id is required: the member roles' trust policies require it and the enrich function presents it."
    }
  }
}

# Only the forwarders' roles of the organisation's accounts may put events.
# EventBridge refuses PutEvents calls whose source starts with "aws.", so
# even they cannot forge the CloudTrail events the pattern matches: they
# can only relay what their account's CloudTrail delivered.
data "aws_iam_policy_document" "event_bus" {
  count = local.organization_mode ? 1 : 0

  statement {
    sid       = "OrganizationForwarders"
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.central[0].arn]

    # "*" here is narrowed by both conditions: a principal of the
    # organisation, and a role named like the forwarder's.
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:${local.partition}:iam::*:role/${var.forwarder_name}-*"]
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "central" {
  count = local.organization_mode ? 1 : 0

  event_bus_name = aws_cloudwatch_event_bus.central[0].name
  policy         = data.aws_iam_policy_document.event_bus[0].json
}
