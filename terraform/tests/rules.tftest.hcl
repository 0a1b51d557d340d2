# The rules file at plan: a valid one is stored in the dedupe table and its
# digest given to dedupe; a malformed one is refused, each problem naming
# its rule. Plan-only, like module.tftest.hcl. Run from terraform/.

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

variables {
  alert_emails = ["security@example.com"]
  build_dir    = "tests/testdata/build"
}

run "no_rules_file" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table_item.rules) == 0 && !contains(keys(aws_lambda_function.function["dedupe"].environment[0].variables), "RULES_DIGEST")
    error_message = "Without a rules file there is no rules item and no RULES_DIGEST."
  }
}

run "valid_rules_file" {
  command = plan

  variables {
    rules_file = "tests/testdata/rules/valid.yaml"
  }

  assert {
    condition     = aws_lambda_function.function["dedupe"].environment[0].variables["RULES_DIGEST"] == sha256(file("tests/testdata/rules/valid.yaml"))
    error_message = "dedupe must get the rules file's SHA-256."
  }

  assert {
    condition = jsondecode(aws_dynamodb_table_item.rules[0].item) == {
      pk     = { S = "config#rules" }
      text   = { S = file("tests/testdata/rules/valid.yaml") }
      sha256 = { S = sha256(file("tests/testdata/rules/valid.yaml")) }
      file   = { S = "valid.yaml" }
    }
    error_message = "The rules item must hold the file, its digest and its name (deployment.json's rules item)."
  }

  assert {
    condition     = length(local.rule_problems) == 0
    error_message = "The example rules file is valid: ${join("; ", local.rule_problems)}"
  }
}

# Refused at plan; the precondition's message lists every problem, each
# naming its rule:
#
#   rule 1 (id web): match.port: 44x is not a port (0-65535) or a range such as 8000-8080;
#   rule 2 (id has space): id: want 1 to 64 letters, digits, '.', '_' or '-'; ...
run "malformed_rules_file" {
  command = plan

  variables {
    rules_file = "tests/testdata/rules/malformed.yaml"
  }

  expect_failures = [aws_dynamodb_table_item.rules]

  assert {
    condition = jsonencode(local.rule_problems) == jsonencode([
      "rule 1 (id web): match.port: 44x is not a port (0-65535) or a range such as 8000-8080",
      "rule 2 (id has space): id: want 1 to 64 letters, digits, '.', '_' or '-'",
      "rule 2 (id has space): reason: missing (say why the exposure is allowed), or longer than 500 bytes",
      "rule 2 (id has space): match: unknown key prot",
      "rule 3 (id web): expires: want a date such as 2026-06-30 or a time such as 2026-06-30T18:00:00Z",
      "rule 3 (id web): match.cidr: 0.0.0.0 is not a CIDR such as 0.0.0.0/0 or ::/0",
      "rule 3 (id web): match.severity_below: want low, medium or high",
      "id web is used by more than one rule",
    ])
    error_message = "The problems of the malformed file: ${jsonencode(local.rule_problems)}"
  }
}

run "rejects_bad_storm_variables" {
  command = plan

  variables {
    storm_threshold = 0
    storm_period    = "30s"
    rules_file      = "tests/testdata/rules/no-such-file.yaml"
  }

  expect_failures = [var.storm_threshold, var.storm_period, var.rules_file]
}
