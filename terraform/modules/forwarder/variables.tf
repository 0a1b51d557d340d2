variable "central_event_bus_arn" {
  description = "ARN of the central account's trailwatch bus (the root module's event_bus_arn output in organisation mode). The rule sends matching events there; the role may put events on this bus only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._-]{1,256}$", var.central_event_bus_arn))
    error_message = "central_event_bus_arn must be an event bus ARN such as arn:aws:events:eu-west-1:123456789012:event-bus/trailwatch-central."
  }

  validation {
    condition     = !endswith(var.central_event_bus_arn, ":event-bus/default")
    error_message = "central_event_bus_arn must be the central custom bus, not a default bus."
  }
}

variable "name" {
  description = "Prefix of the rule, role, queue and alarm names: the rules are <name>-<group>, the role <name>-<region>. Must match the root module's forwarder_name, whose bus accepts events only from roles so named and whose operations topic accepts alarms so named."
  type        = string
  default     = "trailwatch-forwarder"

  validation {
    # 41 leaves room for "-<region>" within IAM's 64 characters and for
    # "-elasticloadbalancing" within EventBridge's; preconditions check
    # every name against deployment.json's quotas.
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,40}$", var.name))
    error_message = "name must start with a letter, hold only letters, digits and hyphens, and be at most 41 characters."
  }
}

variable "event_patterns" {
  description = "EventBridge patterns (JSON) of the events to forward, by group: one rule <name>-<group> each. Null reads statemachine/event-patterns/<group>.json from this repository, the patterns of the central rules."
  type        = map(string)
  default     = null

  validation {
    condition     = var.event_patterns == null || try(alltrue([for group, pattern in var.event_patterns : can(regex("^[a-z][a-z0-9]*$", group)) && can(jsondecode(pattern))]), false)
    error_message = "event_patterns must be null or a map from lowercase group names to JSON documents."
  }
}

variable "event_bus_name" {
  description = "Bus in this account and region the rule listens on. CloudTrail delivers API calls to the default bus."
  type        = string
  default     = "default"

  # "/" appears only in partner event bus names.
  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,256}$", var.event_bus_name))
    error_message = "event_bus_name must be an event bus name: 1 to 256 letters, digits, '.', '_', '-' or '/'."
  }
}

variable "kms_key_arn" {
  description = "ARN of a symmetric KMS key for the dead-letter queue. Null encrypts it with SQS-managed keys (SSE-SQS), which needs no key policy. A key given here must let events.amazonaws.com use it: merge in the statement of the dead_letter_kms_policy output."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted."
  }
}

variable "alarm_topic_arn" {
  description = "ARN of an SNS topic in this region (of this account, or one whose policy accepts this account's alarms, such as the central ops topic in the central region) notified when events wait in the dead-letter queue. Null: the alarm exists but notifies no one."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be null or an SNS topic ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "heartbeat_canary" {
  description = "Run the heartbeat canary (modules/heartbeat) in this account and region. Set false only where another canary already beats for it (the central account's central region, where the root module runs its own)."
  type        = bool
  default     = true
}

variable "heartbeat_vpc_id" {
  description = "VPC of the canary's security group. Null: the region's default VPC (the apply fails if it has none: give a VPC id then)."
  type        = string
  default     = null

  validation {
    condition     = var.heartbeat_vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.heartbeat_vpc_id))
    error_message = "heartbeat_vpc_id must be null or a VPC id such as vpc-0a1b2c3d."
  }
}
