# trailwatch member role: applied once in every account whose events reach
# the central pipeline (the central account included). The enrich function
# assumes it to look up what an event names and what decides its exposure:
# security groups, instances, interfaces, addresses, route tables, network
# ACLs, prefix lists, load balancers, databases, buckets' public access and
# functions' policies. Read-only: the actions enrich calls
# (functions/shared/permissions), nothing else.
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

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "describe" {
  # Scoped as the Service Authorization Reference says each action allows,
  # as the root module's iam.tf (which cites its pages).
  # The EC2 Describe calls, Elastic Load Balancing's DescribeLoadBalancers
  # and DescribeListeners, and Redshift's DescribeClusters and
  # DescribeClusterSubnetGroups name no resource types: "*" is the only
  # Resource they accept. var.regions narrows them when given.
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

    dynamic "condition" {
      for_each = length(var.regions) == 0 ? [] : [var.regions]

      content {
        test     = "StringEquals"
        variable = "aws:RequestedRegion"
        values   = condition.value
      }
    }
  }

  # RDS lookups, on the account's DB instances, DB clusters, DB subnet
  # groups, DB snapshots and DB cluster snapshots.
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
      "arn:${data.aws_partition.current.partition}:rds:*:${data.aws_caller_identity.current.account_id}:db:*",
      "arn:${data.aws_partition.current.partition}:rds:*:${data.aws_caller_identity.current.account_id}:cluster:*",
      "arn:${data.aws_partition.current.partition}:rds:*:${data.aws_caller_identity.current.account_id}:subgrp:*",
      "arn:${data.aws_partition.current.partition}:rds:*:${data.aws_caller_identity.current.account_id}:snapshot:*",
      "arn:${data.aws_partition.current.partition}:rds:*:${data.aws_caller_identity.current.account_id}:cluster-snapshot:*",
    ]
  }

  # The tags of the account's load balancers (v2 and classic).
  statement {
    sid     = "ReadLoadBalancerTags"
    effect  = "Allow"
    actions = ["elasticloadbalancing:DescribeTags"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Load balancers are not known in advance: any of this account's.
    resources = ["arn:${data.aws_partition.current.partition}:elasticloadbalancing:*:${data.aws_caller_identity.current.account_id}:loadbalancer/*"]
  }

  # The entries of the managed prefix lists security groups reference:
  # any list, the account's or AWS's (owned by account "aws").
  statement {
    sid     = "ReadPrefixLists"
    effect  = "Allow"
    actions = ["ec2:GetManagedPrefixListEntries"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Prefix lists are not known in advance, and AWS-managed ones belong to no account of the organisation.
    resources = ["arn:${data.aws_partition.current.partition}:ec2:*:*:prefix-list/*"]
  }

  # Who may use a bucket, on this account's buckets only (S3 is global:
  # no region condition).
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
    resources = ["arn:${data.aws_partition.current.partition}:s3:::*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  # The account's public access block supports no resource-level
  # permissions: "*" is the only Resource it accepts.
  statement {
    sid       = "ReadAccountPublicAccessBlock"
    effect    = "Allow"
    actions   = ["s3:GetAccountPublicAccessBlock"]
    resources = ["*"]
  }

  # Who may invoke a function, on this account's functions only.
  statement {
    sid     = "ReadFunctionAccess"
    effect  = "Allow"
    actions = ["lambda:GetPolicy", "lambda:GetFunctionUrlConfig", "lambda:ListTags"]
    #tfsec:ignore:aws-iam-no-policy-wildcards Function names are not known in advance: any function of this account.
    resources = length(var.regions) == 0 ? ["arn:${data.aws_partition.current.partition}:lambda:*:${data.aws_caller_identity.current.account_id}:function:*"] : [
      for region in var.regions : "arn:${data.aws_partition.current.partition}:lambda:${region}:${data.aws_caller_identity.current.account_id}:function:*"
    ]
  }
}

resource "aws_iam_role" "enrich_read" {
  name                 = var.name
  description          = "Lets trailwatch's enrich function read what exposes resources in this account."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

resource "aws_iam_role_policy" "describe" {
  name   = "describe-exposure"
  role   = aws_iam_role.enrich_read.id
  policy = data.aws_iam_policy_document.describe.json
}
