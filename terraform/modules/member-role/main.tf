# trailwatch member role: applied once in every account whose events reach
# the central pipeline (the central account included). The enrich function
# assumes it to look up the security groups, instances, addresses, network
# interfaces and load balancers an event names. Read-only: four EC2 and two
# Elastic Load Balancing Describe actions.
#
# The module configures no provider: the caller's aws provider decides the
# account (see examples/organization).

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "TrailwatchEnrich"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [var.enrich_role_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }

    dynamic "condition" {
      for_each = var.organization_id == null ? [] : [var.organization_id]

      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [condition.value]
      }
    }
  }
}

data "aws_iam_policy_document" "describe" {
  # EC2 Describe* calls support no resource-level permissions: "*" is the
  # only Resource they accept. var.regions narrows them when given.
  statement {
    sid    = "DescribeExposure"
    effect = "Allow"
    actions = [
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeInstances",
      "ec2:DescribeAddresses",
      "ec2:DescribeNetworkInterfaces",
      # Elastic Load Balancing Describe* calls, likewise "*" only.
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeListeners",
    ]
    resources = ["*"]

    dynamic "condition" {
      for_each = length(var.regions) == 0 ? [] : [var.regions]

      content {
        test     = "StringEquals"
        variable = "aws:RequestedRegion"
        values   = condition.value
      }
    }
  }
}

resource "aws_iam_role" "enrich_read" {
  name                 = var.name
  description          = "Lets trailwatch's enrich function describe EC2 resources in this account."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

resource "aws_iam_role_policy" "describe" {
  name   = "describe-exposure"
  role   = aws_iam_role.enrich_read.id
  policy = data.aws_iam_policy_document.describe.json
}
