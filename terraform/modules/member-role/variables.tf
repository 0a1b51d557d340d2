variable "enrich_role_arn" {
  description = "ARN of the central account's enrich function role (the root module's enrich_role_arn output): the only principal this role trusts. It must exist before this role is created; IAM rejects a trust policy naming a role that does not."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", var.enrich_role_arn))
    error_message = "enrich_role_arn must be an IAM role ARN such as arn:aws:iam::123456789012:role/trailwatch-enrich-eu-west-1."
  }
}

variable "external_id" {
  description = "sts:ExternalId the enrich function must present (the root module's external_id). Sensitive so that it stays out of plan output, though AWS does not treat an external ID as a secret."
  type        = string
  sensitive   = true

  validation {
    condition     = try(length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/_-]+$", var.external_id)), false)
    error_message = "external_id must be 2 to 1224 letters, digits or +=,.@:/_- (what STS accepts as an external ID)."
  }
}

variable "organization_id" {
  description = "AWS Organizations ID (o-...). When given, the trust policy also requires the caller to belong to that organisation (aws:PrincipalOrgID). Null leaves the condition out."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must be null or an AWS Organizations ID such as o-a1b2c3d4e5."
  }
}

variable "name" {
  description = "Name of the role: the root module's member_role_name (the enrich function's MEMBER_ROLE_NAME). One per account: IAM is global."
  type        = string
  default     = "trailwatch-enrich-read"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be an IAM role name: 1 to 64 letters, digits or +=,.@_- (no path)."
  }
}

variable "regions" {
  description = "Regions in which the role may describe EC2 resources. Empty (the default) means every region, as the organisation's events come from all of them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for region in var.regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", region))])
    error_message = "Every entry of regions must be an AWS region name such as eu-west-1."
  }
}

variable "max_session_duration" {
  description = "Longest session, in seconds, the enrich function may request (3600 to 43200). The function's sessions are short; the default is IAM's minimum."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "max_session_duration must be a whole number of seconds from 3600 to 43200."
  }
}

variable "tags" {
  description = "Tags added to the role."
  type        = map(string)
  default     = {}
}
