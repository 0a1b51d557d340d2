# Every alarm's missing-data semantics, and every metric the alarms and the
# dashboard name being one the functions declare (deployment.json's
# metrics, which the functions' own test holds their emissions to).
# Plan-only, no AWS account reached (see module.tftest.hcl). Run from
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

# Organisation mode, chat and member accounts: every kind of alarm exists.
variables {
  alert_emails       = ["security@example.com"]
  build_dir          = "tests/testdata/build"
  chat_notifications = true
  organization_id    = "o-a1b2c3d4e5"
  event_bus_name     = "trailwatch-central"
  external_id        = "trailwatch-5f1c2e7a"
  member_account_ids = ["210987654321"]
  heartbeat_targets  = ["210987654321:eu-west-1", "345678901234:us-east-1"]
}

run "alarms_and_dashboard" {
  command = plan

  # Missing data on a count of errors means none happened; on a liveness
  # metric it means silence, which is the failure.
  assert {
    condition = alltrue([for a in concat(
      values(aws_cloudwatch_metric_alarm.state_machine), values(aws_cloudwatch_metric_alarm.function),
      [aws_cloudwatch_metric_alarm.dead_letter, aws_cloudwatch_metric_alarm.parked, aws_cloudwatch_metric_alarm.intake_stuck],
      values(aws_cloudwatch_metric_alarm.rule), values(aws_cloudwatch_metric_alarm.pipe),
      values(aws_cloudwatch_metric_alarm.member_role_missing), aws_cloudwatch_metric_alarm.chat_publish_failed,
      [aws_cloudwatch_metric_alarm.heartbeat],
    ) : a.treat_missing_data == (contains(["HeartbeatAge"], a.metric_name) ? "breaching" : "notBreaching")])
    error_message = "An alarm treats missing data wrongly: notBreaching for error counts, breaching for the heartbeat."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.heartbeat.namespace == local.facts.metrics.namespace &&
      aws_cloudwatch_metric_alarm.heartbeat.metric_name == "HeartbeatAge" && aws_cloudwatch_metric_alarm.heartbeat.dimensions == null &&
      aws_cloudwatch_metric_alarm.heartbeat.statistic == "Maximum" && aws_cloudwatch_metric_alarm.heartbeat.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.heartbeat.threshold == 1200 && aws_cloudwatch_metric_alarm.heartbeat.treat_missing_data == "breaching"
    )
    error_message = "The heartbeat alarm must fire when the oldest HeartbeatAge (no dimension, Maximum) passes heartbeat.max_age (20m), or when it is missing."
  }

  # Every alarm on the functions' namespace names a declared metric with a
  # declared dimension set.
  assert {
    condition = alltrue([for a in concat([aws_cloudwatch_metric_alarm.heartbeat], values(aws_cloudwatch_metric_alarm.member_role_missing)) :
      a.namespace == local.facts.metrics.namespace && contains([
        for m in local.facts.metrics.names : m.name if contains([for d in m.dimensions : jsonencode(sort(d))], jsonencode(sort(keys(coalesce(a.dimensions, {})))))
      ], a.metric_name)
    ])
    error_message = "An alarm names a metric, or a dimension set, that deployment.json's metrics do not declare."
  }

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.pipe)) == toset(["ExecutionFailed", "ExecutionTimeout", "ExecutionThrottled"]) && alltrue([
      for a in aws_cloudwatch_metric_alarm.pipe : a.namespace == "AWS/EventBridge/Pipes" && a.dimensions == tomap({ PipeName = "trailwatch-intake" })
    ])
    error_message = "The pipe's failures (AWS/EventBridge/Pipes, by PipeName) must be alarmed."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.parked.metric_name == "ApproximateNumberOfMessagesVisible" && aws_cloudwatch_metric_alarm.parked.threshold == 0 &&
      aws_cloudwatch_metric_alarm.parked.dimensions == tomap({ QueueName = "trailwatch-parked" }) &&
      aws_cloudwatch_metric_alarm.intake_stuck.threshold == 360 * 5
    )
    error_message = "The parked queue must alarm on any message, the intake queue on one older than max_receive_count visibility timeouts."
  }

  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.rule : a.metric_name]) == toset(["FailedInvocations", "InvocationsFailedToBeSentToDlq"]) && length(aws_cloudwatch_metric_alarm.rule) == 2 * length(aws_cloudwatch_event_rule.pipeline)
    error_message = "Every rule needs its FailedInvocations and InvocationsFailedToBeSentToDlq alarms (AWS/Events spells it Dlq)."
  }

  # The operations topic accepts alarms named <name>-* only.
  assert {
    condition = alltrue([for name in concat(
      [for a in aws_cloudwatch_metric_alarm.rule : a.alarm_name], [for a in aws_cloudwatch_metric_alarm.pipe : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.member_role_missing : a.alarm_name],
      [aws_cloudwatch_metric_alarm.parked.alarm_name, aws_cloudwatch_metric_alarm.intake_stuck.alarm_name, aws_cloudwatch_metric_alarm.heartbeat.alarm_name],
    ) : startswith(name, "trailwatch-")])
    error_message = "An alarm is not named <name>-*, which the operations topic refuses."
  }

  # Every metric the dashboard draws from the functions' namespace is
  # declared, with a declared dimension set: SEARCH expressions name theirs
  # in {namespace,dimension,...} and MetricName="..."; metric arrays in the
  # functions' namespace carry no dimension.
  assert {
    condition = alltrue(flatten([for w in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets : [
      for m in w.properties.metrics : can(m[0].expression) ? alltrue([
        for found in regexall("\\{([^}]*)\\} MetricName=\"([A-Za-z]+)\"", m[0].expression) :
        split(",", found[0])[0] != local.facts.metrics.namespace || contains([
          for d in local.facts.metrics.names : d.name if contains([for ds in d.dimensions : jsonencode(sort(ds))], jsonencode(sort(slice(split(",", found[0]), 1, length(split(",", found[0]))))))
        ], found[1])
        ]) : (m[0] != local.facts.metrics.namespace || (length(m) == 3 && contains([
          for d in local.facts.metrics.names : d.name if contains([for ds in d.dimensions : jsonencode(ds)], "[]")
      ], m[1])))
    ]]))
    error_message = "The dashboard draws a metric, or a dimension set, that deployment.json's metrics do not declare."
  }

  # The declared metrics requirement 10 names are all on the dashboard.
  assert {
    condition = length(setsubtract(toset(["Events", "Alerts", "EndToEndLatency", "Lookups", "Retries", "Unconfirmed", "HeartbeatAge"]), toset(flatten([
      for w in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets : [
        for m in w.properties.metrics : can(m[0].expression) ? [for found in regexall("MetricName=\"([A-Za-z]+)\"", m[0].expression) : found[0]] : [try(m[1], "")]
      ]
    ])))) == 0
    error_message = "The dashboard must show Events, Alerts, EndToEndLatency, Lookups, Retries, Unconfirmed and HeartbeatAge."
  }

  assert {
    condition = toset(flatten([for w in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets : [
      for m in w.properties.metrics : try(m[2].stat, "") if try(m[1], "") == "EndToEndLatency"
    ]])) == toset(["p50", "p90", "Maximum"])
    error_message = "End-to-end latency must be drawn at p50, p90 and max."
  }
}
