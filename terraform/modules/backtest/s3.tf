# The results bucket: private, owned by the account, encrypted with the
# backtest's key, results expired after results_retention_days.

#tfsec:ignore:aws-s3-enable-bucket-logging Access logging is optional (results_access_log_bucket): the only readers and writers are the backtest's roles.
resource "aws_s3_bucket" "results" {
  bucket = local.results_bucket_name
  tags   = var.tags

  lifecycle {
    precondition {
      condition     = length(local.results_bucket_name) <= 63
      error_message = "The results bucket name ${local.results_bucket_name} is longer than S3's 63 characters: shorten name."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "results" {
  bucket                  = aws_s3_bucket.results.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.backtest.arn
    }
    # One data key per bucket rather than per object: fewer KMS calls.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "results" {
  bucket = aws_s3_bucket.results.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    id     = "expire-results"
    status = "Enabled"

    filter {
      prefix = local.runs_prefix
    }

    expiration {
      days = var.results_retention_days
    }

    # A batch run again (a retried child execution) overwrites its objects.
    noncurrent_version_expiration {
      noncurrent_days = 7
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.results]
}

resource "aws_s3_bucket_logging" "results" {
  count = var.results_access_log_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.results.id
  target_bucket = var.results_access_log_bucket
  target_prefix = "${local.results_bucket_name}/"
}
