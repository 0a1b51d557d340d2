# The operations dashboard (<name>-pipeline): the functions' embedded
# metrics (namespace and names from deployment.json's metrics, which the
# functions emit and tests/alarms.tftest.hcl holds this to), the queues'
# depths, the pipe, the executions and the rules' deliveries. Metrics with
# dimensions are drawn with SEARCH, one line per value (outcome, severity,
# operation, account and region) as they appear.

locals {
  dashboard_name = "${var.name}${local.suffixes.dashboard}"
  metrics_ns     = local.facts.metrics.namespace
  # Built from the name, as the state machine's ARN is, so that the body is
  # known at plan.
  state_machine_arn = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"

  # search(metric, dimensions, stat): every series of a declared metric
  # with exactly those dimensions.
  dashboard_searches = {
    events_by_outcome  = { metric = "Events", dimensions = ["Outcome"], stat = "Sum" }
    alerts_by_severity = { metric = "Alerts", dimensions = ["Severity"], stat = "Sum" }
    alerts_by_kind     = { metric = "Alerts", dimensions = ["Kind"], stat = "Sum" }
    lookups            = { metric = "Lookups", dimensions = ["Operation"], stat = "Sum" }
    retries            = { metric = "Retries", dimensions = ["Operation"], stat = "Sum" }
    member_role        = { metric = "MemberRoleMissing", dimensions = ["Account"], stat = "Sum" }
    heartbeat_by_place = { metric = "HeartbeatAge", dimensions = ["Account", "Region"], stat = "Maximum" }
  }
  dashboard_search = {
    for key, s in local.dashboard_searches : key => [{
      expression = "SEARCH('{${local.metrics_ns},${join(",", s.dimensions)}} MetricName=\"${s.metric}\"', '${s.stat}', 300)"
      id         = key
    }]
  }

  dashboard_widgets = [
    {
      title   = "Events by outcome"
      metrics = [local.dashboard_search.events_by_outcome]
    },
    {
      title   = "Alerts by severity and kind (SNS accepted)"
      metrics = [local.dashboard_search.alerts_by_severity, local.dashboard_search.alerts_by_kind]
    },
    {
      title = "End-to-end latency, CloudTrail eventTime to SNS accepted (ms)"
      metrics = [
        [local.metrics_ns, "EndToEndLatency", { stat = "p50", label = "p50" }],
        [local.metrics_ns, "EndToEndLatency", { stat = "p90", label = "p90" }],
        [local.metrics_ns, "EndToEndLatency", { stat = "Maximum", label = "max" }],
      ]
    },
    {
      title   = "Lookups and SDK retries by operation"
      metrics = [local.dashboard_search.lookups, local.dashboard_search.retries]
    },
    {
      title = "Unconfirmed alerts and missing member roles"
      metrics = [
        [local.metrics_ns, "Unconfirmed", { stat = "Sum", label = "Unconfirmed" }],
        local.dashboard_search.member_role,
      ]
    },
    {
      title = "Heartbeat age (s): oldest, and by account and region"
      metrics = [
        [local.metrics_ns, "HeartbeatAge", { stat = "Maximum", label = "oldest" }],
        local.dashboard_search.heartbeat_by_place,
      ]
      annotations = { horizontal = [{ label = "alarm", value = local.heartbeat_max_age_seconds }] }
    },
    {
      title = "Queues: intake, parked, rules' dead letters"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.intake_queue_name, { stat = "Maximum", label = "intake waiting" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", local.intake_queue_name, { stat = "Maximum", label = "intake in flight" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.parked_queue_name, { stat = "Maximum", label = "parked" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${var.name}${local.suffixes.dead_letter_queue}", { stat = "Maximum", label = "rules' dead letters" }],
      ]
    },
    {
      title = "Intake: oldest event waiting (s)"
      metrics = [
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", local.intake_queue_name, { stat = "Maximum", label = "intake" }],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", local.parked_queue_name, { stat = "Maximum", label = "parked" }],
      ]
    },
    {
      title = "Pipe ${local.pipe_name}"
      metrics = [for metric in ["Invocations", "ExecutionFailed", "ExecutionTimeout", "ExecutionThrottled"] :
      ["AWS/EventBridge/Pipes", metric, "PipeName", local.pipe_name, { stat = "Sum" }]]
    },
    {
      title = "Executions of ${local.state_machine_name}"
      metrics = [for metric in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled"] :
      ["AWS/States", metric, "StateMachineArn", local.state_machine_arn, { stat = "Sum" }]]
    },
    {
      title = "Rules: matched, failed, not dead-lettered"
      metrics = [for pair in setproduct(sort(keys(local.event_patterns)), ["Invocations", "FailedInvocations", "InvocationsFailedToBeSentToDlq"]) :
        concat(["AWS/Events", pair[1]], flatten([for k, v in local.rule_dimensions[pair[0]] : [k, v]]), [{ stat = "Sum", label = "${pair[0]} ${pair[1]}" }])
      ]
    },
  ]
}

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({
    widgets = [for i, w in local.dashboard_widgets : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = merge({
        title   = w.title
        region  = local.region
        view    = "timeSeries"
        stacked = false
        period  = 300
        metrics = w.metrics
      }, can(w.annotations) ? { annotations = w.annotations } : {})
    }]
  })
}
