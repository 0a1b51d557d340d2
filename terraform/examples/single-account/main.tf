# trailwatch in one account and one region: alerts for the API calls made
# in var.region, mailed to var.alert_emails.
#
#   make build                      # at the repository root: build/*.zip
#   cd terraform/examples/single-account
#   terraform init
#   terraform apply -var 'region=eu-west-1' -var 'alert_emails=["security@example.com"]'
#
# Each address then receives a confirmation mail from SNS; alerts arrive
# once it is confirmed. Deploy once per region to be watched: CloudTrail
# sends each region's API calls to that region's default event bus.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project = "trailwatch"
    }
  }
}

module "trailwatch" {
  source = "../.."

  alert_emails     = var.alert_emails
  ops_alarm_emails = var.ops_alarm_emails
}
