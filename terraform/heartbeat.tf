# The heartbeat: this deployment's own canary (modules/heartbeat, also run
# by modules/forwarder in every member account and region), and the
# account and region pairs dedupe expects a beat from (HEARTBEAT_TARGETS,
# lambda.tf): its scheduled digest run emits HeartbeatAge, the oldest of
# them, which the heartbeat alarm (alarms.tf) watches with missing data
# breaching, so a region that never beat, a stopped trail and a dead
# pipeline all raise it.

locals {
  heartbeat_self    = "${local.account_id}:${local.region}"
  heartbeat_targets = sort(distinct(concat([local.heartbeat_self], var.heartbeat_targets)))
}

module "heartbeat" {
  source = "./modules/heartbeat"
  count  = var.heartbeat_canary ? 1 : 0

  account_id = local.account_id
  name       = var.name
  vpc_id     = var.heartbeat_vpc_id
  tags       = var.tags
}
