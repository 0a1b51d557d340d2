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

override_data {
  target = data.aws_caller_identity.current
  values = {
    account_id = "210987654321"
    arn        = "arn:aws:iam::210987654321:user/test"
    user_id    = "AIDATEST"
  }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws", dns_suffix = "amazonaws.com", reverse_dns_prefix = "com.amazonaws" }
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
    condition = [for st in jsondecode(data.aws_iam_policy_document.describe.json).Statement : st.Sid] == [
      "DescribeExposure", "DescribeDatabases", "ReadLoadBalancerTags", "ReadPrefixLists", "ReadBucketAccess", "ReadAccountPublicAccessBlock", "ReadFunctionAccess",
    ]
    error_message = "The role has seven statements: the Describe calls, databases, load balancer tags, prefix lists, bucket access, the account's public access block, function access."
  }

  assert {
    condition = toset(jsondecode(data.aws_iam_policy_document.describe.json).Statement[0].Action) == toset([
      "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets",
      "ec2:DescribeImageAttribute", "ec2:DescribeSnapshotAttribute",
      "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners",
      "redshift:DescribeClusters", "redshift:DescribeClusterSubnetGroups",
    ]) && jsondecode(data.aws_iam_policy_document.describe.json).Statement[0].Resource == "*"
    error_message = "The Describe statement must allow exactly enrich's Describe calls, on \"*\"."
  }

  assert {
    condition = (jsondecode(data.aws_iam_policy_document.describe.json).Statement[4].Resource == "arn:aws:s3:::*" &&
    jsondecode(data.aws_iam_policy_document.describe.json).Statement[4].Condition.StringEquals["aws:ResourceAccount"] == "210987654321")
    error_message = "Bucket access must be read only on this account's buckets."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.describe.json).Statement[6].Resource == "arn:aws:lambda:*:210987654321:function:*"
    error_message = "Function access must be read only on this account's functions."
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

  assert {
    condition     = toset(jsondecode(data.aws_iam_policy_document.describe.json).Statement[6].Resource) == toset(["arn:aws:lambda:eu-west-1:210987654321:function:*", "arn:aws:lambda:us-east-1:210987654321:function:*"])
    error_message = "regions must limit the function reads."
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
