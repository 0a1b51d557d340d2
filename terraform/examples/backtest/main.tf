# trailwatch's backtest: the catalog's findings in the CloudTrail log files
# already in a trail's bucket, found by a Distributed Map of the parse
# program over them.
#
#   make build                      # at the repository root: build/parse.zip
#   cd terraform/examples/backtest
#   terraform init
#   terraform apply -var 'region=eu-west-1' -var 'trail_bucket_name=my-cloudtrail-bucket'
#   aws stepfunctions start-execution --state-machine-arn "$(terraform output -raw state_machine_arn)" \
#     --input '{"prefix": "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/"}'
#
# The execution's output is the summary; the findings are in the results
# bucket under runs/<execution name>/findings/.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project = "trailwatch"
    }
  }
}

module "backtest" {
  source = "../../modules/backtest"

  trail_bucket_name = var.trail_bucket_name
  trail_kms_key_arn = var.trail_kms_key_arn
  max_concurrency   = var.max_concurrency
}
