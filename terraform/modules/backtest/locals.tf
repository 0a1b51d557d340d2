data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # The facts every deployment shares (functions/shared/deployment), which
  # the local stack's backtest (test/backtest) names its resources from too.
  facts    = jsondecode(file("${path.module}/../../../functions/shared/deployment/deployment.json"))
  suffixes = local.facts.suffixes.backtest
  quotas   = { for key, quota in local.facts.quotas : key => quota.value }

  function_name       = "${var.name}${local.suffixes.function}"
  state_machine_name  = "${var.name}${local.suffixes.state_machine}"
  results_bucket_name = "${var.name}${local.suffixes.results_bucket}-${local.account_id}-${local.region}"

  # Built from names, so that the definition and the policies naming them
  # are known at plan, and their sizes checked there.
  function_arn       = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.function_name}"
  state_machine_arn  = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"
  trail_bucket_arn   = "arn:${local.partition}:s3:::${var.trail_bucket_name}"
  results_bucket_arn = "arn:${local.partition}:s3:::${local.results_bucket_name}"

  build_dir = coalesce(var.build_dir, "${path.module}/../../../build")
  parse_zip = "${local.build_dir}/parse.zip"

  function_log_group_name      = "/aws/lambda/${local.function_name}"
  state_machine_log_group_name = "/aws/vendedlogs/states/${local.state_machine_name}"
  log_group_arns = [
    for name in [local.function_log_group_name, local.state_machine_log_group_name] :
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
  ]

  # Where the backtest writes in the results bucket (functions/parse/layout.go).
  runs_prefix = "runs/"
}
