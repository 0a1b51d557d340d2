# The trail (var.create_trail): EventBridge receives "AWS API Call via
# CloudTrail" events only while a trail logs them, so a fresh account that
# applies trailwatch without one receives nothing. One multi-region trail
# logs every region's management events (global services' included) to a
# private bucket, encrypted with the module's key, with log file validation;
# trail_data_event_buckets adds the PutObject data events of the watched
# buckets, which the catalog's s3 group matches.
#
# The bucket policy and the key policy statements are AWS's:
#   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
#   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
# each condition on aws:SourceArn naming this trail (the confused-deputy
# guard AWS documents for both).

locals {
  trail_name = "${var.name}${local.suffixes.trail}"
  trail_arn  = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  # S3 names are global and lowercase.
  trail_bucket_name = lower("${var.name}${local.suffixes.trail}-${local.account_id}")
  trail_bucket_arn  = "arn:${local.partition}:s3:::${local.trail_bucket_name}"
}

#tfsec:ignore:aws-s3-enable-bucket-logging Access logging of the log bucket needs another bucket; the trail's own log file validation proves the files unchanged.
resource "aws_s3_bucket" "trail" {
  count = var.create_trail ? 1 : 0

  bucket = local.trail_bucket_name
  tags   = var.tags

  lifecycle {
    precondition {
      condition     = length(local.trail_bucket_name) <= 63
      error_message = "The trail bucket name ${local.trail_bucket_name} is longer than S3's 63 characters: shorten name."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "trail" {
  count = var.create_trail ? 1 : 0

  bucket                  = aws_s3_bucket.trail[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "trail" {
  count = var.create_trail ? 1 : 0

  bucket = aws_s3_bucket.trail[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "trail" {
  count = var.create_trail ? 1 : 0

  bucket = aws_s3_bucket.trail[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "trail" {
  count = var.create_trail ? 1 : 0

  bucket = aws_s3_bucket.trail[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "trail" {
  count = var.create_trail ? 1 : 0

  bucket = aws_s3_bucket.trail[0].id

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.trail_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.trail]
}

data "aws_iam_policy_document" "trail_bucket" {
  count = var.create_trail ? 1 : 0

  statement {
    sid       = "AWSCloudTrailAclCheck"
    effect    = "Allow"
    actions   = ["s3:GetBucketAcl"]
    resources = [local.trail_bucket_arn]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AWSCloudTrailWrite"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${local.trail_bucket_arn}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  # Nothing reads or writes the logs over plain HTTP.
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketAcl"]
    resources = [local.trail_bucket_arn, "${local.trail_bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "trail" {
  count = var.create_trail ? 1 : 0

  bucket = aws_s3_bucket.trail[0].id
  policy = data.aws_iam_policy_document.trail_bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.trail]
}

resource "aws_cloudtrail" "trail" {
  count = var.create_trail ? 1 : 0

  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.trail[0].id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  enable_logging                = true
  kms_key_id                    = local.kms_key_arn
  tags                          = var.tags

  # Every management event, read and write: the first copy of management
  # events is free, and the trail is the account's record as well as
  # trailwatch's source (which needs the write events only).
  advanced_event_selector {
    name = "Management events"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }

  dynamic "advanced_event_selector" {
    for_each = length(var.trail_data_event_buckets) > 0 ? [1] : []

    content {
      name = "PutObject on the watched buckets"

      field_selector {
        field  = "eventCategory"
        equals = ["Data"]
      }

      field_selector {
        field  = "resources.type"
        equals = ["AWS::S3::Object"]
      }

      field_selector {
        field  = "eventName"
        equals = ["PutObject"]
      }

      field_selector {
        field       = "resources.ARN"
        starts_with = [for bucket in var.trail_data_event_buckets : "arn:${local.partition}:s3:::${bucket}/"]
      }
    }
  }

  # CloudTrail checks the bucket policy and the key when it creates the
  # trail.
  depends_on = [aws_s3_bucket_policy.trail, aws_kms_key.trailwatch]
}
