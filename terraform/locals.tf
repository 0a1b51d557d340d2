locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  build_dir = coalesce(var.build_dir, "${path.module}/../build")

  # The four functions: one for_each over this map builds each of them, its
  # log group, its role and its alarms. Keys are static so for_each never
  # waits on an apply; what a function needs from other resources is in
  # function_environment and function_policies.
  functions = {
    parse  = { timeout = 10, description = "Turns a CloudTrail event into a trailwatch finding." }
    enrich = { timeout = 20, description = "Looks a finding's resources up in EC2 and sets its severity." }
    dedupe = { timeout = 10, description = "Claims, confirms and releases alerts in the dedupe table." }
    notify = { timeout = 15, description = "Publishes an alert to the alert topic." }
  }

  function_names = { for key in keys(local.functions) : key => "${var.name}-${key}" }

  # Lambda writes to /aws/lambda/<function name>; the log groups are created
  # here so that retention and encryption apply from the first invocation.
  function_log_group_names = { for key, name in local.function_names : key => "/aws/lambda/${name}" }

  # Step Functions recommends the /aws/vendedlogs/ prefix: it keeps the
  # CloudWatch Logs resource policy that log delivery writes from growing
  # with one entry per log group.
  state_machine_name           = "${var.name}-pipeline"
  state_machine_log_group_name = "/aws/vendedlogs/states/${var.name}-pipeline"

  # Built from names rather than resource attributes so that the key policy,
  # which the log groups depend on, can name them without a cycle.
  log_group_arns = [
    for name in concat(values(local.function_log_group_names), [local.state_machine_log_group_name]) :
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
  ]

  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.trailwatch[0].arn : var.kms_key_arn

  create_ops_topic  = var.ops_alarm_topic_arn == null
  ops_alarm_targets = [local.create_ops_topic ? aws_sns_topic.ops[0].arn : var.ops_alarm_topic_arn]

  # The dedupe window in seconds, for the checks in dynamodb.tf. The
  # variable's validation admits only whole hours, minutes and seconds, so
  # this sum is exact.
  duration_units            = { h = 3600, m = 60, s = 1 }
  dedupe_window_seconds     = sum([for part in regexall("([0-9]+)([hms])", var.dedupe_window) : tonumber(part[0]) * local.duration_units[part[1]]])
  state_machine_timeout_sec = jsondecode(file("${path.module}/../statemachine/pipeline.asl.json")).TimeoutSeconds

  # DEDUPE_LEASE: how long an unconfirmed claim holds an alert. It must
  # outlive any execution that holds it: the state machine stops every
  # execution after TimeoutSeconds (240), so a lease of 5m cannot lapse
  # while its execution may still notify. Checked in dynamodb.tf.
  dedupe_lease         = "5m"
  dedupe_lease_seconds = 300

  console_domain = lookup({
    aws          = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }, local.partition, "console.aws.amazon.com")
}
