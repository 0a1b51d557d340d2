# trailwatch: CloudTrail management events -> EventBridge rules -> SQS intake
# queue -> EventBridge Pipe -> Express
# Step Functions state machine -> parse, enrich, dedupe and notify Lambdas.
#
# Files, one per concern:
#   lambda.tf        the four functions and their log groups
#   statemachine.tf  the Express state machine and its log group
#   eventbridge.tf   the rules, their targets (the intake queue) and the targets' dead-letter queue
#   intake.tf        the intake queue, the parked queue and the pipe that runs the state machine
#   trail.tf         the multi-region CloudTrail trail and its bucket (create_trail)
#   heartbeat.tf     the canary (modules/heartbeat) and the heartbeat targets
#   dashboard.tf     the CloudWatch dashboard
#   organization.tf  organisation mode: the central bus and its policy
#   dynamodb.tf      the dedupe table
#   rules.tf         the suppression rules file: checked at plan, stored in the table
#   schedule.tf      the digest schedule (EventBridge Scheduler)
#   sns.tf           the alert topic and its subscriptions
#   iam.tf           one role per function, the state machine's and the digest schedule's
#   kms.tf           the key everything at rest is encrypted with
#   alarms.tf        the operations topic and the CloudWatch alarms
#
# The module configures no provider: the caller's aws provider decides the
# account and region (see examples/single-account, examples/organization;
# modules/forwarder and modules/member-role go into the member accounts).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}
