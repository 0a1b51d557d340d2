# trailwatch for an AWS organisation: the pipeline in a central account,
# fed by forwarders in every account and region, looking resources up
# through a read-only role in every account. This example wires one member
# account and two regions (the central region and us-east-1); see README.md
# for rolling it out to every account.
#
#   make build                      # at the repository root: build/*.zip
#   cd terraform/examples/organization
#   terraform init
#   terraform apply -var-file=org.tfvars
#
# with the central account's credentials, and member_deploy_role_arn a role
# they may assume in the member account.

locals {
  tags = { Project = "trailwatch" }
}

# ---------------------------------------------------------------------------
# Providers: one per account and region. Provider blocks take no for_each,
# so each region is spelled out.
# ---------------------------------------------------------------------------

# The central account, central region: the pipeline.
provider "aws" {
  region = var.central_region

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "central_us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "member"
  region = var.central_region

  assume_role {
    role_arn = var.member_deploy_role_arn
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "member_us_east_1"
  region = "us-east-1"

  assume_role {
    role_arn = var.member_deploy_role_arn
  }

  default_tags {
    tags = local.tags
  }
}

# ---------------------------------------------------------------------------
# Central account: the pipeline, listening on the organisation's bus
# ---------------------------------------------------------------------------

module "trailwatch" {
  source = "../.."

  organization_id  = var.organization_id
  event_bus_name   = "trailwatch-central"
  external_id      = var.external_id
  member_role_name = "trailwatch-enrich-read"
  forwarder_name   = "trailwatch-forwarder"

  alert_emails     = var.alert_emails
  ops_alarm_emails = var.ops_alarm_emails

  # Every account and region with a canary: the pipeline expects each
  # one's heartbeat (its own, in the central region, always).
  heartbeat_targets = [
    module.forwarder_central_us_east_1.heartbeat_target,
    module.forwarder_member.heartbeat_target,
    module.forwarder_member_us_east_1.heartbeat_target,
  ]
}

# The forwarders must start after the central bus's policy: EventBridge
# sends an event refused for a missing permission straight to the
# forwarder's dead-letter queue, without its retry policy, so an event
# forwarded before the policy exists would wait there until someone
# redrives it. module.trailwatch.event_bus_arn depends on the policy (the
# output's depends_on), so every forwarder's target waits for it; a
# depends_on on the whole module here would instead defer the forwarders'
# data sources, and so their role names, to apply.
#
# The central account's own API calls reach its default buses like any
# other account's, so it forwards too; in its central region the target is
# a bus of the same account. Each forwarder reads the same pattern files as
# the pipeline's rules (statemachine/event-patterns/), one rule per file,
# and runs the heartbeat canary of its account and region, except in the
# central region, where the root module runs its own. Every forwarder's
# dead-letter queue has its alarm; in the central region it notifies the
# operations topic (which accepts alarms named <forwarder_name>-*); in
# other regions and accounts give each an SNS topic of its region
# (alarm_topic_arn), or rely on the heartbeat alarm, which fires when a
# region's beats stop arriving.
module "forwarder_central" {
  source = "../../modules/forwarder"

  central_event_bus_arn = module.trailwatch.event_bus_arn
  name                  = "trailwatch-forwarder"
  alarm_topic_arn       = module.trailwatch.ops_alarm_topic_arn
  heartbeat_canary      = false
}

module "forwarder_central_us_east_1" {
  source    = "../../modules/forwarder"
  providers = { aws = aws.central_us_east_1 }

  central_event_bus_arn = module.trailwatch.event_bus_arn
  name                  = "trailwatch-forwarder"
}

# The enrich function assumes the member role in whichever account an event
# came from, the central account included.
module "member_role_central" {
  source = "../../modules/member-role"

  enrich_role_arn = module.trailwatch.enrich_role_arn
  external_id     = var.external_id
  organization_id = var.organization_id
  name            = "trailwatch-enrich-read"
}

# ---------------------------------------------------------------------------
# A member account: forwarders in each region it uses, and the member role
# ---------------------------------------------------------------------------

module "forwarder_member" {
  source    = "../../modules/forwarder"
  providers = { aws = aws.member }

  central_event_bus_arn = module.trailwatch.event_bus_arn
  name                  = "trailwatch-forwarder"
}

module "forwarder_member_us_east_1" {
  source    = "../../modules/forwarder"
  providers = { aws = aws.member_us_east_1 }

  central_event_bus_arn = module.trailwatch.event_bus_arn
  name                  = "trailwatch-forwarder"
}

module "member_role_member" {
  source    = "../../modules/member-role"
  providers = { aws = aws.member }

  enrich_role_arn = module.trailwatch.enrich_role_arn
  external_id     = var.external_id
  organization_id = var.organization_id
  name            = "trailwatch-enrich-read"
}
