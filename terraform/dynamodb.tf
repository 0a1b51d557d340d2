# Alerts claimed by the dedupe function, one item per alert key. An item's
# ttl (epoch seconds) is the end of its window plus DEDUPE_RETENTION. TTL
# only tidies: DynamoDB deletes expired items within days, and the
# function's condition expressions, not TTL, enforce windows and leases.
resource "aws_dynamodb_table" "dedupe" {
  name         = "${var.name}${local.suffixes.dedupe_table}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.kms_key_arn
  }

  tags = var.tags

  lifecycle {
    # The dedupe function refuses to start with a lease longer than its
    # window; catch that at plan rather than at the first invocation.
    precondition {
      condition     = local.dedupe_seconds.window >= local.dedupe_seconds.lease
      error_message = "dedupe_window (${var.dedupe_window}) must be at least the dedupe lease (${local.dedupe_lease})."
    }

    precondition {
      condition     = local.dedupe_seconds.lease > local.state_machine_timeout_sec
      error_message = "The dedupe lease (${local.dedupe_lease}) must be longer than the state machine's TimeoutSeconds (${local.state_machine_timeout_sec}s), or a claim could lapse while its execution still notifies."
    }
  }
}
