# The digest schedule: every digest_schedule.expression (deployment.json:
# every minute), EventBridge Scheduler starts the state machine with
# digest_schedule.input, which parse does not take for CloudTrail; the
# state machine routes it (Scheduled?) to dedupe, which lists the storms'
# digests due, and sends each through notify. A run with nothing due ends
# in NoDigestDue after two Lambda invocations (parse, dedupe) and one
# DynamoDB read. Missed runs are not retried: the next run sends what is
# due. The local stack has no scheduler: test/pipeline's SendDigests starts
# the same input.
resource "aws_scheduler_schedule" "digests" {
  name                = local.digest_schedule_name
  group_name          = "default"
  description         = "Sends the digests of trailwatch's storms before their period ends."
  schedule_expression = local.facts.digest_schedule.expression

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.pipeline.arn
    role_arn = aws_iam_role.digest_schedule.arn
    input    = jsonencode(local.facts.digest_schedule.input)

    retry_policy {
      maximum_event_age_in_seconds = 60
      maximum_retry_attempts       = 0
    }
  }
}
