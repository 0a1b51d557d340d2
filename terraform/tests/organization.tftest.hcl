# Organisation mode: the central bus and its policy, the enrich function's
# member-role access and environment. Plan-only, no AWS account reached (see
# module.tftest.hcl). The bus's ARN is unknown at plan, so its policy is
# checked through the document's arguments rather than its JSON. Run from
# terraform/ with `terraform test`.

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
  alert_emails    = ["security@example.com"]
  build_dir       = "tests/testdata/build"
  organization_id = "o-a1b2c3d4e5"
  event_bus_name  = "trailwatch-central"
  external_id     = "trailwatch-5f1c2e7a"
  # Member accounts are expected from their canaries: their role too.
  heartbeat_targets = ["210987654321:eu-west-1", "210987654321:us-east-1", "345678901234:eu-west-1"]
}

run "organization" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_event_bus.central) == 1 && aws_cloudwatch_event_bus.central[0].name == "trailwatch-central"
    error_message = "Organisation mode must create the custom bus event_bus_name."
  }

  assert {
    condition = length(aws_cloudwatch_event_rule.pipeline) > 0 && alltrue(concat(
      [for rule in aws_cloudwatch_event_rule.pipeline : rule.event_bus_name == "trailwatch-central"],
      [for target in aws_cloudwatch_event_target.pipeline : target.event_bus_name == "trailwatch-central"],
    ))
    error_message = "The rules and their targets must be on the central bus."
  }

  assert {
    condition = toset(flatten([jsondecode(data.aws_iam_policy_document.intake.json).Statement[0].Condition.ArnEquals["aws:SourceArn"]])) == toset([
      for group in keys(aws_cloudwatch_event_rule.pipeline) : "arn:aws:events:eu-west-1:123456789012:rule/trailwatch-central/trailwatch-cloudtrail-${group}"
    ])
    error_message = "On a custom bus, the rules' ARNs name the bus (rule/<bus>/<rule>), and the intake queue accepts every rule."
  }

  # AWS/Events names a rule on a custom bus by the bus and the rule.
  assert {
    condition = length(aws_cloudwatch_metric_alarm.rule) == 2 * length(aws_cloudwatch_event_rule.pipeline) && alltrue([
      for a in aws_cloudwatch_metric_alarm.rule : a.dimensions["EventBusName"] == "trailwatch-central" && startswith(a.dimensions["RuleName"], "trailwatch-cloudtrail-")
    ])
    error_message = "The rules' alarms must name the central bus and the rule."
  }

  # One alarm per expected member account (member_account_ids and the
  # heartbeat targets' accounts).
  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.member_role_missing)) == toset(["210987654321", "345678901234"]) && alltrue([
      for id, a in aws_cloudwatch_metric_alarm.member_role_missing : a.metric_name == "MemberRoleMissing" && a.dimensions == tomap({ Account = id }) && a.alarm_name == "trailwatch-member-role-missing-${id}"
    ])
    error_message = "Each member account must have its MemberRoleMissing alarm."
  }

  assert {
    condition     = aws_cloudwatch_event_bus_policy.central[0].event_bus_name == "trailwatch-central"
    error_message = "The central bus must get its policy."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.event_bus[0].statement[0].effect == "Allow" &&
      data.aws_iam_policy_document.event_bus[0].statement[0].actions == toset(["events:PutEvents"]) &&
      length(data.aws_iam_policy_document.event_bus[0].statement[0].resources) == 1 &&
      data.aws_iam_policy_document.event_bus[0].statement[0].principals == toset([{ type = "AWS", identifiers = toset(["*"]) }]) &&
      data.aws_iam_policy_document.event_bus[0].statement[0].condition == toset([
        { test = "StringEquals", variable = "aws:PrincipalOrgID", values = tolist(["o-a1b2c3d4e5"]) },
        { test = "ArnLike", variable = "aws:PrincipalArn", values = tolist(["arn:aws:iam::*:role/trailwatch-forwarder-*"]) },
      ])
    )
    error_message = "The bus may accept PutEvents only from the organisation's forwarder roles."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.enrich_member_roles[0].json).Statement == [{
      Sid       = "AssumeMemberReadRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Resource  = "arn:aws:iam::*:role/trailwatch-enrich-read"
      Condition = { StringEquals = { "aws:ResourceOrgID" = "o-a1b2c3d4e5" } }
    }]
    error_message = "enrich may assume only the member role, in the organisation's accounts."
  }

  assert {
    condition = nonsensitive(aws_lambda_function.function["enrich"].environment[0].variables == tomap({
      LOG_LEVEL        = "info"
      MEMBER_ROLE_NAME = "trailwatch-enrich-read"
      EXTERNAL_ID      = "trailwatch-5f1c2e7a"
      TRUSTED_ACCOUNTS = "o-a1b2c3d4e5"
    }))
    error_message = "enrich must get MEMBER_ROLE_NAME and EXTERNAL_ID in organisation mode, and trust the organisation with shares."
  }

  assert {
    condition     = keys(aws_lambda_function.function["parse"].environment[0].variables) == tolist(["LOG_LEVEL"])
    error_message = "Only enrich gets the member role's settings."
  }
}

run "listed_member_accounts" {
  command = plan

  variables {
    member_role_name   = "tw-read"
    member_account_ids = ["111111111111", "222222222222"]
  }

  assert {
    condition = toset(jsondecode(data.aws_iam_policy_document.enrich_member_roles[0].json).Statement[0].Resource) == toset([
      "arn:aws:iam::111111111111:role/tw-read",
      "arn:aws:iam::222222222222:role/tw-read",
    ])
    error_message = "With member_account_ids, enrich may assume the role in those accounts only."
  }
}

run "single_account_has_no_member_access" {
  command = plan

  variables {
    organization_id = null
    event_bus_name  = "default"
    external_id     = null
  }

  assert {
    condition = (
      length(aws_cloudwatch_event_bus.central) == 0 && length(aws_cloudwatch_event_bus_policy.central) == 0 &&
      length(data.aws_iam_policy_document.enrich_member_roles) == 0
    )
    error_message = "Single-account mode must create no bus and grant no sts:AssumeRole."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.member_role_missing) == 0
    error_message = "Single-account mode has no member roles to miss."
  }

  assert {
    condition     = keys(aws_lambda_function.function["enrich"].environment[0].variables) == tolist(["LOG_LEVEL"])
    error_message = "Without organization_id, enrich must not get MEMBER_ROLE_NAME (unset means single-account mode)."
  }

  assert {
    condition     = output.event_bus_arn == "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    error_message = "Single-account mode listens on the default bus."
  }
}

run "rejects_default_bus" {
  command = plan

  variables {
    event_bus_name = "default"
  }

  expect_failures = [aws_cloudwatch_event_bus.central]
}

run "rejects_missing_external_id" {
  command = plan

  variables {
    external_id = null
  }

  expect_failures = [aws_cloudwatch_event_bus.central]
}

run "rejects_bad_variables" {
  command = plan

  variables {
    organization_id    = "org-1234"
    forwarder_name     = "-bad"
    member_role_name   = "role/with/path"
    member_account_ids = ["12345"]
    external_id        = "x"
  }

  expect_failures = [
    var.organization_id,
    var.forwarder_name,
    var.member_role_name,
    var.member_account_ids,
    var.external_id,
  ]
}

# The forwarders in the central account may send their dead-letter alarm,
# <forwarder_name>-dlq-not-empty (modules/forwarder), to the operations
# topic, whatever forwarder_name is; the module's own alarms are <name>-*.
run "forwarder_alarms_may_publish" {
  command = plan

  variables {
    forwarder_name = "tw-fwd"
  }

  assert {
    condition = toset(one([for c in data.aws_iam_policy_document.ops[0].statement[0].condition : c.values if c.variable == "aws:SourceArn"])) == toset([
      "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:trailwatch-*",
      "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:tw-fwd-*",
    ])
    error_message = "The operations topic must accept the module's alarms and the forwarders' (alarm:<forwarder_name>-*)."
  }
}

run "single_account_ops_topic_takes_own_alarms" {
  command = plan

  variables {
    organization_id = null
    event_bus_name  = "default"
    external_id     = null
    forwarder_name  = "tw-fwd"
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.ops[0].statement[0].condition : c.values if c.variable == "aws:SourceArn"]) == tolist(["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:trailwatch-*"])
    error_message = "Without organisation mode there are no forwarders: the operations topic accepts the module's alarms only."
  }
}

# CreateEventBus refuses "/" in a custom bus's name; partner buses, which
# the rules may listen on in single-account mode, have it.
run "rejects_slash_in_the_bus_to_create" {
  command = plan

  variables {
    event_bus_name = "trailwatch/central"
  }

  expect_failures = [aws_cloudwatch_event_bus.central]
}

run "listens_on_a_partner_bus" {
  command = plan

  variables {
    organization_id = null
    external_id     = null
    event_bus_name  = "aws.partner/example.com/123/trailwatch"
  }

  assert {
    condition     = alltrue([for rule in aws_cloudwatch_event_rule.pipeline : rule.event_bus_name == "aws.partner/example.com/123/trailwatch"])
    error_message = "Single-account mode must listen on the given bus, \"/\" and all."
  }
}
