# Tests of the backtest module: no AWS account is reached (see
# terraform/tests/module.tftest.hcl and policies.tftest.hcl). Run from
# terraform/modules/backtest with `terraform test`.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/test"
    user_id    = "AIDATEST"
  }
}

# Every managed resource is overridden, so `apply` here creates nothing and
# calls no AWS API: it lets the policy documents, which wait on the key's
# and the log groups' ARNs, be computed. (The provider would also validate
# a definition known at plan with Step Functions' API.)
override_resource {
  target = aws_kms_key.backtest
  values = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000000"
    key_id = "00000000-0000-4000-8000-000000000000"
  }
}

override_resource {
  target = aws_kms_alias.backtest
}

override_resource {
  target = aws_s3_bucket.results
  values = {
    arn = "arn:aws:s3:::trailwatch-backtest-123456789012-eu-west-1"
    id  = "trailwatch-backtest-123456789012-eu-west-1"
  }
}

override_resource {
  target = aws_s3_bucket_public_access_block.results
}

override_resource {
  target = aws_s3_bucket_ownership_controls.results
}

override_resource {
  target = aws_s3_bucket_server_side_encryption_configuration.results
}

override_resource {
  target = aws_s3_bucket_versioning.results
}

override_resource {
  target = aws_s3_bucket_lifecycle_configuration.results
}

override_resource {
  target = aws_s3_bucket_logging.results
}

override_resource {
  target = aws_cloudwatch_log_group.function
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/trailwatch-backtest" }
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/trailwatch-backtest" }
}

override_resource {
  target = aws_iam_role.function
  values = { arn = "arn:aws:iam::123456789012:role/trailwatch-backtest-eu-west-1" }
}

override_resource {
  target = aws_iam_role_policy.function
}

override_resource {
  target = aws_iam_role.state_machine
  values = { arn = "arn:aws:iam::123456789012:role/trailwatch-backtest-eu-west-1" }
}

override_resource {
  target = aws_iam_role_policy.state_machine
}

override_resource {
  target = aws_lambda_function.backtest
}

override_resource {
  target = aws_sfn_state_machine.backtest
}

variables {
  trail_bucket_name = "example-cloudtrail"
  build_dir         = "../../tests/testdata/build"
}

run "defaults" {
  command = apply

  assert {
    condition = (
      aws_lambda_function.backtest.function_name == "trailwatch-backtest" && aws_lambda_function.backtest.handler == "backtest" &&
      aws_lambda_function.backtest.runtime == "provided.al2023" && aws_lambda_function.backtest.architectures == tolist(["arm64"]) &&
      endswith(aws_lambda_function.backtest.filename, "/parse.zip") && aws_lambda_function.backtest.tracing_config[0].mode == "Active"
    )
    error_message = "The function must be the parse program (parse.zip) with the handler backtest, on provided.al2023 arm64, traced."
  }

  assert {
    condition = (
      aws_sfn_state_machine.backtest.name == "trailwatch-backtest" && aws_sfn_state_machine.backtest.type == "STANDARD" &&
      aws_s3_bucket.results.bucket == "trailwatch-backtest-123456789012-eu-west-1"
    )
    error_message = "Names must come from deployment.json's backtest suffixes; the state machine must be Standard (a Distributed Map's parent)."
  }

  # The rendering step: the Map gets the variables and ItemBatcher, and
  # nothing else of the file changes.
  assert {
    condition = (
      jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles.MaxConcurrency == 40 &&
      jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles.ToleratedFailurePercentage == 0 &&
      jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles.ItemBatcher.MaxItemsPerBatch == 100
    )
    error_message = "The Map must get max_concurrency, tolerated_failure_percentage and files_per_batch (ItemBatcher)."
  }

  assert {
    condition = jsonencode(merge(jsondecode(aws_sfn_state_machine.backtest.definition), {
      States = merge(jsondecode(aws_sfn_state_machine.backtest.definition).States, {
        ScanLogFiles = { for k, v in jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles : k => v if !contains(["MaxConcurrency", "ToleratedFailurePercentage", "ItemBatcher"], k) }
      })
      })) == jsonencode(jsondecode(templatefile("../../../statemachine/backtest.asl.json", {
        trail_bucket          = "example-cloudtrail"
        results_bucket        = "trailwatch-backtest-123456789012-eu-west-1"
        backtest_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:trailwatch-backtest"
    })))
    error_message = "The rendering must change nothing of statemachine/backtest.asl.json but the Map's three settings."
  }

  assert {
    condition = alltrue([for g in [aws_cloudwatch_log_group.function, aws_cloudwatch_log_group.state_machine] : g.retention_in_days == 30]) && (
      aws_sfn_state_machine.backtest.logging_configuration[0].level == "ERROR" && aws_sfn_state_machine.backtest.tracing_configuration[0].enabled
    )
    error_message = "Both log groups must keep 30 days; the state machine must log errors and be traced."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.results.block_public_acls && aws_s3_bucket_public_access_block.results.block_public_policy &&
      aws_s3_bucket_public_access_block.results.ignore_public_acls && aws_s3_bucket_public_access_block.results.restrict_public_buckets &&
      one(aws_s3_bucket_server_side_encryption_configuration.results.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_lifecycle_configuration.results.rule).expiration[0].days == 90 &&
      length(aws_s3_bucket_logging.results) == 0
    )
    error_message = "The results bucket must block public access, be encrypted with KMS and expire results after 90 days."
  }

  assert {
    condition     = aws_kms_key.backtest.enable_key_rotation
    error_message = "The backtest's key must rotate."
  }

  # The ItemReader may list the trail bucket under trail_prefix only; the
  # function may read it there only.
  assert {
    condition = (
      one([for s in jsondecode(data.aws_iam_policy_document.state_machine.json).Statement : s if s.Sid == "ListTrailLogFiles"]).Condition.StringLike["s3:prefix"] == "AWSLogs/*" &&
      one([for s in jsondecode(data.aws_iam_policy_document.backtest_objects.json).Statement : s if s.Sid == "ReadTrailLogFiles"]).Resource == "arn:aws:s3:::example-cloudtrail/AWSLogs/*"
    )
    error_message = "Listing and reading the trail bucket must be held to trail_prefix."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.backtest_objects.json).Statement : s if s.Sid == "DecryptTrailLogFilesThroughS3"]) == 0
    error_message = "Without trail_kms_key_arn, the function must not decrypt with another key."
  }
}

run "settings" {
  command = apply

  variables {
    name                         = "tw"
    trail_prefix                 = "org/AWSLogs/o-abc123/"
    trail_kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    max_concurrency              = 7
    tolerated_failure_percentage = 5
    files_per_batch              = 25
    function_memory_mb           = 2048
    function_timeout_sec         = 600
    results_retention_days       = 30
    results_access_log_bucket    = "example-access-logs"
  }

  assert {
    condition = (
      jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles.MaxConcurrency == 7 &&
      jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles.ToleratedFailurePercentage == 5 &&
      jsondecode(aws_sfn_state_machine.backtest.definition).States.ScanLogFiles.ItemBatcher.MaxItemsPerBatch == 25
    )
    error_message = "The Map must take the variables."
  }

  assert {
    condition = (
      aws_lambda_function.backtest.function_name == "tw-backtest" && aws_lambda_function.backtest.memory_size == 2048 &&
      aws_lambda_function.backtest.timeout == 600 && aws_s3_bucket.results.bucket == "tw-backtest-123456789012-eu-west-1" &&
      one(aws_s3_bucket_lifecycle_configuration.results.rule).expiration[0].days == 30 &&
      aws_s3_bucket_logging.results[0].target_bucket == "example-access-logs"
    )
    error_message = "Name, memory, timeout, retention and access logging must follow the variables."
  }

  assert {
    condition = (
      one([for s in jsondecode(data.aws_iam_policy_document.state_machine.json).Statement : s if s.Sid == "ListTrailLogFiles"]).Condition.StringLike["s3:prefix"] == "org/AWSLogs/o-abc123/*" &&
      one([for s in jsondecode(data.aws_iam_policy_document.backtest_objects.json).Statement : s if s.Sid == "DecryptTrailLogFilesThroughS3"]).Resource == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    )
    error_message = "The prefix and the trail's key must reach the policies."
  }
}

run "bad_batch_size" {
  command = plan

  variables {
    files_per_batch = 0
  }

  expect_failures = [var.files_per_batch]
}

run "bad_concurrency" {
  command = plan

  variables {
    max_concurrency = 0
  }

  expect_failures = [var.max_concurrency]
}

run "bad_prefix" {
  command = plan

  variables {
    trail_prefix = "/AWSLogs/"
  }

  expect_failures = [var.trail_prefix]
}

run "bad_timeout" {
  command = plan

  variables {
    function_timeout_sec = 901
  }

  expect_failures = [var.function_timeout_sec]
}
