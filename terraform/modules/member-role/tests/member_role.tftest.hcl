# The member role's trust and permissions. Plan-only: every value the
# policies hold is known at plan. Run from terraform/modules/member-role
# with `terraform test`.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variables {
  enrich_role_arn = "arn:aws:iam::123456789012:role/trailwatch-enrich-eu-west-1"
  external_id     = "trailwatch-5f1c2e7a"
  organization_id = "o-a1b2c3d4e5"
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_iam_role.enrich_read.name == "trailwatch-enrich-read" && aws_iam_role.enrich_read.max_session_duration == 3600
    error_message = "The role must be named as the root module's member_role_name default, with one-hour sessions."
  }

  assert {
    condition = nonsensitive(jsondecode(data.aws_iam_policy_document.trust.json).Statement) == [{
      Sid       = "TrailwatchEnrich"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:role/trailwatch-enrich-eu-west-1" }
      Condition = {
        StringEquals = {
          "sts:ExternalId"     = "trailwatch-5f1c2e7a"
          "aws:PrincipalOrgID" = "o-a1b2c3d4e5"
        }
      }
    }]
    error_message = "Only the enrich role, with the external ID and from the organisation, may assume the role."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.describe.json).Statement == [{
      Sid    = "DescribeExposure"
      Effect = "Allow"
      Action = [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeListeners",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeInstances",
        "ec2:DescribeAddresses",
      ]
      Resource = "*"
    }]
    error_message = "The role may call the four EC2 and two Elastic Load Balancing Describe actions and nothing else."
  }
}

run "without_organization_with_regions" {
  command = plan

  variables {
    organization_id = null
    regions         = ["eu-west-1", "us-east-1"]
  }

  assert {
    condition     = keys(nonsensitive(jsondecode(data.aws_iam_policy_document.trust.json).Statement[0].Condition.StringEquals)) == ["sts:ExternalId"]
    error_message = "Without organization_id the trust must still require the external ID, and only it."
  }

  assert {
    condition     = toset(jsondecode(data.aws_iam_policy_document.describe.json).Statement[0].Condition.StringEquals["aws:RequestedRegion"]) == toset(["eu-west-1", "us-east-1"])
    error_message = "regions must limit the Describe calls."
  }
}

run "rejects_bad_variables" {
  command = plan

  variables {
    enrich_role_arn      = "trailwatch-enrich"
    external_id          = ""
    organization_id      = "123"
    name                 = "a/b"
    regions              = ["Europe"]
    max_session_duration = 60
  }

  expect_failures = [
    var.enrich_role_arn,
    var.external_id,
    var.organization_id,
    var.name,
    var.regions,
    var.max_session_duration,
  ]
}
