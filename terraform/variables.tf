variable "name" {
  description = "Prefix of every resource name, followed by the suffixes of functions/shared/deployment/deployment.json: functions are <name>-parse, <name>-enrich, <name>-dedupe and <name>-notify, the state machine <name>-pipeline, the rules <name>-cloudtrail-<group>. The default is deployment.json's default_name."
  type        = string
  default     = "trailwatch"

  validation {
    # 32 leaves room for the longest suffixes within IAM's and EventBridge's
    # 64-character names: "-digest-schedule-<region>" for a role,
    # "-cloudtrail-elasticloadbalancing" for a rule. Preconditions check
    # every name against deployment.json's quotas.
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter, hold only letters, digits and hyphens, and be at most 32 characters."
  }
}

variable "alert_emails" {
  description = "Email addresses subscribed to the alert topic. Each address receives a confirmation mail from SNS and gets alerts only once it confirms. May be empty only when https_endpoint is set."
  type        = list(string)

  validation {
    condition     = alltrue([for email in var.alert_emails : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", email))])
    error_message = "Every entry of alert_emails must be an email address such as security@example.com."
  }

  validation {
    condition     = length(var.alert_emails) == length(distinct(var.alert_emails))
    error_message = "alert_emails must not hold the same address twice."
  }
}

variable "https_endpoint" {
  description = "Optional HTTPS URL subscribed to the alert topic (a chat or paging webhook). The endpoint must confirm the SNS subscription. Sensitive because such URLs often embed a token."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.https_endpoint == null || can(regex("^https://[^[:space:]]+$", var.https_endpoint))
    error_message = "https_endpoint must be null or a URL starting with https://."
  }
}

variable "chat_notifications" {
  description = "Create <name>-chat, an SNS topic notify also publishes every message to as an AWS Chatbot custom notification (title, description, next steps, keywords; user text never markup), for AWS Chatbot (Amazon Q Developer in chat applications) to post to Slack or Microsoft Teams: subscribe the channel configuration to the chat_topic_arn output. A message counts as sent once the alert topic accepted it; a failed chat publish is logged and alarmed (<name>-chat-publish-failed), not retried."
  type        = bool
  default     = false
}

variable "build_dir" {
  description = "Directory holding parse.zip, enrich.zip, dedupe.zip and notify.zip, each a bootstrap binary for provided.al2023 on arm64 as `make build` produces them. Null means the repository's build/ directory (<module>/../build)."
  type        = string
  default     = null

  validation {
    condition     = var.build_dir == null || can(regex("[^/]$", var.build_dir))
    error_message = "build_dir must not end with a slash."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of every function: the lowest zerolog level written to CloudWatch Logs."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, warn, error."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the functions' and the state machine's logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "dedupe_window" {
  description = "How long a sent alert suppresses the same alert (DEDUPE_WINDOW of the dedupe function), as a Go duration of whole hours, minutes and seconds, e.g. \"24h\" or \"1h30m\"; at least the dedupe lease (dedupe.lease in functions/shared/deployment/deployment.json, 5m). The default is deployment.json's dedupe.window."
  type        = string
  default     = "24h"

  # At most 20 characters and 9,223,372,036 s (the longest Go duration),
  # which also keeps the function's environment far below Lambda's 4 KB.
  validation {
    condition = length(var.dedupe_window) <= 20 && can(regex("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$", var.dedupe_window)) && try(sum([
      for part in regexall("([0-9]+)([hms])", var.dedupe_window) : tonumber(part[0]) * { h = 3600, m = 60, s = 1 }[part[1]]
      ]) > 0 && sum([
      for part in regexall("([0-9]+)([hms])", var.dedupe_window) : tonumber(part[0]) * { h = 3600, m = 60, s = 1 }[part[1]]
    ]) <= 9223372036, false)
    error_message = "dedupe_window must be a positive Go duration of whole hours, minutes and seconds, at most 20 characters and 9223372036s, such as \"24h\", \"90m\" or \"1h30m\"."
  }
}

variable "dedupe_retention" {
  description = "How long a dedupe record is kept after its window ends before DynamoDB's TTL may delete it (DEDUPE_RETENTION of the dedupe function), same format as dedupe_window; \"0s\" lets TTL delete it as soon as the window ends. The default is deployment.json's dedupe.retention."
  type        = string
  default     = "168h"

  validation {
    condition = can(regex("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$", var.dedupe_retention)) && length(var.dedupe_retention) > 0 && length(var.dedupe_retention) <= 20 && try(sum(concat([0], [
      for part in regexall("([0-9]+)([hms])", var.dedupe_retention) : tonumber(part[0]) * { h = 3600, m = 60, s = 1 }[part[1]]
    ])) <= 9223372036, false)
    error_message = "dedupe_retention must be a Go duration of whole hours, minutes and seconds, at most 20 characters and 9223372036s, such as \"168h\" or \"0s\"."
  }
}

variable "event_bus_name" {
  description = "Event bus the rules listen on. CloudTrail delivers API calls to the account's default bus; use another bus only if events are forwarded to it. With organization_id set, the module creates a custom bus of this name (not \"default\", and without \"/\", which only partner buses may have) that member accounts forward to."
  type        = string
  default     = "default"

  # "/" appears only in partner event bus names; organisation mode, which
  # creates the bus, refuses it (organization.tf).
  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,256}$", var.event_bus_name))
    error_message = "event_bus_name must be an event bus name: 1 to 256 letters, digits, '.', '_', '-' or '/'."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing symmetric KMS key for logs, the table, the topics and the dead-letter queue. Null creates a key with rotation enabled. An existing key's policy must include the statements of the kms_key_service_policy output."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted."
  }
}

variable "ops_alarm_topic_arn" {
  description = "ARN of an existing SNS topic the CloudWatch alarms notify. Null creates <name>-ops, encrypted with the module's key. An existing topic must let cloudwatch.amazonaws.com publish (and use its KMS key, if any)."
  type        = string
  default     = null

  validation {
    condition     = var.ops_alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.ops_alarm_topic_arn))
    error_message = "ops_alarm_topic_arn must be null or an SNS topic ARN."
  }
}

variable "ops_alarm_emails" {
  description = "Email addresses subscribed to the operations topic the module creates. Ignored when ops_alarm_topic_arn is set."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.ops_alarm_emails : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", email))])
    error_message = "Every entry of ops_alarm_emails must be an email address such as oncall@example.com."
  }

  validation {
    condition     = length(var.ops_alarm_emails) == length(distinct(var.ops_alarm_emails))
    error_message = "ops_alarm_emails must not hold the same address twice."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------
# Organisation mode (organization.tf)
# ---------------------------------------------------------------------------

variable "organization_id" {
  description = "AWS Organizations ID (o-...) whose accounts forward their CloudTrail events here. Null (the default) is single-account mode. Set, the module creates the custom bus event_bus_name, lets roles named <forwarder_name>-<region> in the organisation put events on it, listens there, and lets the enrich function assume member_role_name in member accounts."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must be null or an AWS Organizations ID such as o-a1b2c3d4e5."
  }
}

variable "forwarder_name" {
  description = "The name variable given to modules/forwarder in member accounts: its roles are <forwarder_name>-<region>, and in organisation mode the central bus accepts events only from roles so named. Ignored in single-account mode."
  type        = string
  default     = "trailwatch-forwarder"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,40}$", var.forwarder_name))
    error_message = "forwarder_name must start with a letter, hold only letters, digits and hyphens, and be at most 41 characters."
  }
}

variable "member_role_name" {
  description = "Name of the read-only role (modules/member-role) the enrich function assumes in the account an event came from (MEMBER_ROLE_NAME of the enrich function). Used in organisation mode only."
  type        = string
  default     = "trailwatch-enrich-read"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.member_role_name))
    error_message = "member_role_name must be an IAM role name: 1 to 64 letters, digits or +=,.@_- (no path)."
  }
}

variable "member_account_ids" {
  description = "Accounts whose member_role_name the enrich function may assume, at most 75 (each adds to the enrich role's policy, which IAM caps). Empty (the default) means any account of the organisation: accounts join and leave, so the role ARN then has an account wildcard, bounded by aws:ResourceOrgID. Used in organisation mode only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.member_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Every entry of member_account_ids must be a 12-digit AWS account ID."
  }

  # Each account adds its role's ARN to the enrich role's inline policy,
  # which IAM caps at 10,240 characters: 75 = floor((10,240 - 2,339) / 105),
  # where 2,339 is the most the policy's other statements take (the longest
  # values the variables allow, with the DB snapshot lookups and Redshift
  # on "*") and 105 the most an account's ARN takes (partition aws-us-gov, a
  # 64-character role name): 10,214 characters with 75 accounts, 10,319 with
  # 76. terraform/tests/quotas.tftest.hcl holds both bounds.
  validation {
    condition     = length(var.member_account_ids) <= 75
    error_message = "member_account_ids may list at most 75 accounts, or the enrich role's policy could pass IAM's 10,240 characters; leave it empty to allow every account of the organisation (aws:ResourceOrgID)."
  }
}

variable "external_id" {
  description = "sts:ExternalId the enrich function presents when it assumes member_role_name (EXTERNAL_ID of the enrich function); the member roles' trust policies require it. Required in organisation mode, ignored otherwise. Sensitive so that it stays out of plan output, though AWS does not treat an external ID as a secret."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.external_id == null || try(length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/_-]+$", var.external_id)), false)
    error_message = "external_id must be null or 2 to 1224 letters, digits or +=,.@:/_- (what STS accepts as an external ID)."
  }
}

variable "trusted_account_ids" {
  description = "Accounts (12 digits), AWS Organizations ids (o-...) and organizational units (ou-...) an image or snapshot may be shared with: such a share is low severity; a share with anyone else is high (it is how data leaves), with all (public) always high. In organisation mode organization_id is trusted too. At most 100 entries (the enrich function's environment holds them)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.trusted_account_ids : can(regex("^([0-9]{12}|o-[a-z0-9]{10,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$", id))])
    error_message = "Every entry of trusted_account_ids must be a 12-digit account ID, an organization ID (o-...) or an organizational unit ID (ou-...)."
  }

  validation {
    condition     = length(var.trusted_account_ids) <= 100
    error_message = "trusted_account_ids may list at most 100 entries."
  }
}

# ---------------------------------------------------------------------------
# Storms and suppression rules (dedupe)
# ---------------------------------------------------------------------------

variable "storm_threshold" {
  description = "How many alerts (and updates, resolutions) from one account, actor and event name go out at once within a storm period (STORM_THRESHOLD of the dedupe function); further ones are held and sent as one digest before the period ends. The default is deployment.json's storm.threshold."
  type        = number
  default     = 5

  # dedupe keeps the messages a period sent at once in one item: at most 100.
  validation {
    condition     = var.storm_threshold >= 1 && var.storm_threshold <= 100 && floor(var.storm_threshold) == var.storm_threshold
    error_message = "storm_threshold must be a whole number from 1 to 100."
  }
}

variable "storm_period" {
  description = "How long a storm period lasts from its first message (STORM_PERIOD of the dedupe function), as a Go duration of whole hours, minutes and seconds, from 1m (the digest schedule's interval, deployment.json's digest_schedule.interval) to 24h. The default is deployment.json's storm.period."
  type        = string
  default     = "5m"

  validation {
    condition = length(var.storm_period) <= 20 && can(regex("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$", var.storm_period)) && try(sum([
      for part in regexall("([0-9]+)([hms])", var.storm_period) : tonumber(part[0]) * { h = 3600, m = 60, s = 1 }[part[1]]
      ]) >= 60 && sum([
      for part in regexall("([0-9]+)([hms])", var.storm_period) : tonumber(part[0]) * { h = 3600, m = 60, s = 1 }[part[1]]
    ]) <= 86400, false)
    error_message = "storm_period must be a Go duration of whole hours, minutes and seconds from 1m to 24h, such as \"5m\" or \"1h\"."
  }
}

variable "rules_file" {
  description = "Path of a suppression rules file (YAML or JSON; schema in the README's \"Suppression rules\"), or null for none. terraform checks it at plan (rules.tf) and stores it in the dedupe table, which the dedupe function reads at start (refusing to start on a file it finds invalid); changing the file restarts the function."
  type        = string
  default     = null

  validation {
    condition     = var.rules_file == null || can(file(var.rules_file))
    error_message = "rules_file must be null or the path of a readable file."
  }
}

# ---------------------------------------------------------------------------
# The trail (trail.tf) and the heartbeat (heartbeat.tf)
# ---------------------------------------------------------------------------

variable "create_trail" {
  description = "Create <name>-trail, a multi-region CloudTrail trail logging management events (KMS-encrypted, log file validation) to a private bucket <name>-trail-<account>. EventBridge receives \"AWS API Call via CloudTrail\" events only while a trail logs them: set false when the account already has one (or an organisation trail covers it), and in every regional deployment of the same account but one."
  type        = bool
  default     = true
}

variable "trail_data_event_buckets" {
  description = "Buckets whose PutObject calls the trail logs as data events (billed per event), so that the catalog's object-level PutObject (a public-read ACL on upload) reaches EventBridge. Empty: no data events. Ignored without create_trail: add the same selector to the existing trail."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for b in var.trail_data_event_buckets : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", b))])
    error_message = "Every entry of trail_data_event_buckets must be an S3 bucket name (3 to 63 lowercase letters, digits, '.' and '-'), not an ARN."
  }
}

variable "trail_log_retention_days" {
  description = "Days the trail's bucket keeps log files (and digest files) before S3 expires them."
  type        = number
  default     = 365

  validation {
    condition     = var.trail_log_retention_days >= 1 && floor(var.trail_log_retention_days) == var.trail_log_retention_days
    error_message = "trail_log_retention_days must be a whole number of days, at least 1."
  }
}

variable "heartbeat_canary" {
  description = "Run the heartbeat canary in this account and region (heartbeat.tf): a schedule tags the canary's own security group every heartbeat interval, which CloudTrail records and the pipeline notes as this account and region's heartbeat. Set false only where a forwarder's canary (modules/forwarder) already beats for this account and region; it is then still expected (HEARTBEAT_TARGETS)."
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

variable "heartbeat_targets" {
  description = "The other account and region pairs whose heartbeat the pipeline expects, as \"<account>:<region>\": every member account and region running modules/forwarder (its canary). This deployment's own account and region are always expected. A pair that never beats raises the heartbeat alarm. At most 100 (they travel in the dedupe function's environment)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for t in var.heartbeat_targets : can(regex("^[0-9]{12}:[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$", t)) && length(t) <= 32])
    error_message = "Every entry of heartbeat_targets must be \"<12-digit account>:<region>\", such as \"210987654321:eu-west-1\"."
  }

  # 100 pairs of at most 32 characters, comma-separated, leave the dedupe
  # function's environment under Lambda's 4 KB with the longest other
  # values: terraform/tests/quotas.tftest.hcl holds it.
  validation {
    condition     = length(var.heartbeat_targets) <= 100
    error_message = "heartbeat_targets may list at most 100 account and region pairs."
  }
}
