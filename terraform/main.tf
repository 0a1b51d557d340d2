# trailwatch: CloudTrail management events -> EventBridge rule -> Express
# Step Functions state machine -> parse, enrich, dedupe and notify Lambdas.
#
# Files, one per concern:
#   lambda.tf        the four functions and their log groups
#   statemachine.tf  the Express state machine and its log group
#   eventbridge.tf   the rule, its target and the target's dead-letter queue
#   organization.tf  organisation mode: the central bus and its policy
#   dynamodb.tf      the dedupe table
#   rules.tf         the suppression rules file: checked at plan, stored in the table
#   schedule.tf      the digest schedule (EventBridge Scheduler)
#   sns.tf           the alert topic and its subscriptions
#   iam.tf           one role per function, the state machine's, the rule's and the schedule's
#   kms.tf           the key everything at rest is encrypted with
#   alarms.tf        the operations topic and the CloudWatch alarms
#
# The module configures no provider: the caller's aws provider decides the
# account and region (see examples/single-account, examples/organization;
# modules/forwarder and modules/member-role go into the member accounts).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}
