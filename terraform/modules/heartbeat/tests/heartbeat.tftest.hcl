# The canary: its group, schedule and role. Every resource is overridden,
# so `apply` creates nothing and calls no AWS API: it only lets the role's
# policy, which names the group's ARN, be computed. Run from
# terraform/modules/heartbeat with `terraform test`.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_resource {
  target = aws_security_group.canary
  values = { id = "sg-0123456789abcdef0" }
}

override_resource {
  target = aws_iam_role.canary
  values = { arn = "arn:aws:iam::210987654321:role/trailwatch-forwarder-heartbeat-us-east-1" }
}

override_resource {
  target = aws_iam_role_policy.canary
}

override_resource {
  target = aws_scheduler_schedule.canary
}

variables {
  account_id = "210987654321"
  name       = "trailwatch-forwarder"
}

run "canary" {
  command = apply

  assert {
    condition = (
      aws_security_group.canary.name == "trailwatch-forwarder-heartbeat" && length(aws_security_group.canary.ingress) == 0 &&
      length(aws_security_group.canary.egress) == 0 && aws_scheduler_schedule.canary.name == "trailwatch-forwarder-heartbeat" &&
      aws_iam_role.canary.name == "trailwatch-forwarder-heartbeat-us-east-1"
    )
    error_message = "The group, schedule and role must be named from deployment.json's heartbeat suffixes; the group has no rules."
  }

  assert {
    condition = (
      aws_scheduler_schedule.canary.schedule_expression == local.facts.heartbeat.expression &&
      aws_scheduler_schedule.canary.flexible_time_window[0].mode == "OFF" &&
      aws_scheduler_schedule.canary.target[0].arn == "arn:aws:scheduler:::aws-sdk:ec2:createTags" &&
      aws_scheduler_schedule.canary.target[0].role_arn == "arn:aws:iam::210987654321:role/trailwatch-forwarder-heartbeat-us-east-1" &&
      jsondecode(aws_scheduler_schedule.canary.target[0].input) == {
        Resources = ["sg-0123456789abcdef0"]
        Tags      = [{ Key = "trailwatch:heartbeat", Value = "<aws.scheduler.scheduled-time>" }]
      }
    )
    error_message = "Every heartbeat interval the schedule must call ec2:CreateTags on the canary's group with the heartbeat tag key and Scheduler's scheduled time."
  }

  assert {
    condition     = local.facts.heartbeat.tag_key == "trailwatch:heartbeat"
    error_message = "The group's ignore_changes names the tag key literally (terraform takes no expression there): change it with deployment.json's heartbeat.tag_key."
  }

  assert {
    condition = jsonencode(jsondecode(data.aws_iam_policy_document.beat.json).Statement) == jsonencode([{
      Sid      = "TagCanaryGroup"
      Effect   = "Allow"
      Action   = "ec2:CreateTags"
      Resource = "arn:aws:ec2:us-east-1:210987654321:security-group/sg-0123456789abcdef0"
      Condition = {
        "ForAllValues:StringEquals" = { "aws:TagKeys" = "trailwatch:heartbeat" }
        Null                        = { "aws:TagKeys" = "false" }
      }
    }])
    error_message = "The canary's role may only tag its own group, with the heartbeat tag key only."
  }

  assert {
    condition = jsonencode(one(jsondecode(data.aws_iam_policy_document.trust.json).Statement).Condition) == jsonencode({
      StringEquals = { "aws:SourceAccount" = "210987654321" }
      ArnEquals    = { "aws:SourceArn" = "arn:aws:scheduler:us-east-1:210987654321:schedule-group/default" }
    })
    error_message = "Only this account's schedules of the default group (Scheduler's aws:SourceArn is the group's ARN) may assume the canary's role."
  }

  assert {
    condition     = output.target == "210987654321:us-east-1"
    error_message = "The target must be <account>:<region>."
  }
}

run "rejects_bad_variables" {
  command = plan

  variables {
    account_id = "12345"
    name       = "1-canary"
    vpc_id     = "default"
  }

  expect_failures = [var.account_id, var.name, var.vpc_id]
}

# IAM caps role names at 64: <name>-heartbeat-<region> fits only shorter
# names in the longest regions.
run "rejects_a_role_name_too_long" {
  command = plan

  variables {
    name = "Fffffffffffffffffffffffffffffffffffffffff"
  }

  override_data {
    target = data.aws_region.current
    values = { name = "us-isof-south-1" }
  }

  expect_failures = [aws_iam_role.canary]
}
