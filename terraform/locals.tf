locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # The facts every deployment shares, in one file the functions and the
  # local stack read too: resource name suffixes, the dedupe durations, each
  # function's environment and the AWS quotas (value by name) that
  # preconditions here enforce.
  facts    = jsondecode(file("${path.module}/../functions/shared/deployment/deployment.json"))
  suffixes = local.facts.suffixes
  quotas   = { for key, quota in local.facts.quotas : key => quota.value }

  # The rules' event patterns, generated from the event catalog: one rule
  # per file, named after it (statemachine/event-patterns/<group>.json).
  event_pattern_dir = "${path.module}/../statemachine/event-patterns"
  event_patterns = {
    for file in fileset(local.event_pattern_dir, "*.json") : trimsuffix(file, ".json") => file("${local.event_pattern_dir}/${file}")
  }
  rule_names = { for group in keys(local.event_patterns) : group => "${var.name}${local.suffixes.rule}-${group}" }
  # Built from names, as EventBridge documents rule ARNs, so that the
  # policies naming every rule are known at plan and their sizes checked.
  rule_arns = {
    for group, name in local.rule_names : group =>
    "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.event_bus_name == "default" ? "" : "${local.event_bus_name}/"}${name}"
  }

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

  function_names = { for key in keys(local.functions) : key => "${var.name}${local.suffixes.functions[key]}" }

  # Lambda writes to /aws/lambda/<function name>; the log groups are created
  # here so that retention and encryption apply from the first invocation.
  function_log_group_names = { for key, name in local.function_names : key => "/aws/lambda/${name}" }

  # Step Functions recommends the /aws/vendedlogs/ prefix: it keeps the
  # CloudWatch Logs resource policy that log delivery writes from growing
  # with one entry per log group.
  state_machine_name           = "${var.name}${local.suffixes.state_machine}"
  digest_schedule_name         = "${var.name}${local.suffixes.digest_schedule}"
  state_machine_log_group_name = "/aws/vendedlogs/states/${local.state_machine_name}"

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

  # DEDUPE_LEASE: how long an unconfirmed claim holds an alert
  # (deployment.json). It must outlive any execution that holds it, which
  # the state machine stops after its TimeoutSeconds: checked in
  # dynamodb.tf.
  dedupe_lease              = local.facts.dedupe.lease
  state_machine_timeout_sec = jsondecode(file("${path.module}/../statemachine/pipeline.asl.json")).TimeoutSeconds

  # The dedupe durations in seconds, for the checks in dynamodb.tf. The
  # variables' validations (and a test of deployment.json) admit only whole
  # hours, minutes and seconds, so these sums are exact.
  duration_units = { h = 3600, m = 60, s = 1 }
  dedupe_seconds = {
    for key, duration in { window = var.dedupe_window, lease = local.dedupe_lease } :
    key => sum([for part in regexall("([0-9]+)([hms])", duration) : tonumber(part[0]) * local.duration_units[part[1]]])
  }

  console_domain = lookup({
    aws          = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }, local.partition, "console.aws.amazon.com")
}
