variable "central_region" {
  description = "Region of the central account where the pipeline runs, e.g. eu-west-1. Not us-east-1: this example forwards from us-east-1 (where global services such as IAM and sign-in deliver) separately; with a us-east-1 central region, drop the *_us_east_1 forwarders."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.central_region)) && var.central_region != "us-east-1"
    error_message = "central_region must be an AWS region name such as eu-west-1, other than us-east-1 (see the description)."
  }
}

variable "organization_id" {
  description = "AWS Organizations ID (o-...) of the accounts to watch."
  type        = string

  validation {
    condition     = can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must be an AWS Organizations ID such as o-a1b2c3d4e5."
  }
}

variable "member_deploy_role_arn" {
  description = "Role in the member account that Terraform assumes to deploy the forwarders and the member role there, e.g. arn:aws:iam::210987654321:role/OrganizationAccountAccessRole."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.member_deploy_role_arn))
    error_message = "member_deploy_role_arn must be an IAM role ARN."
  }
}

variable "external_id" {
  description = "External ID the enrich function presents to the member roles and they require: any string of 2 to 1224 letters, digits or +=,.@:/_-, e.g. from `openssl rand -hex 16`."
  type        = string
  sensitive   = true

  validation {
    condition     = try(length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/_-]+$", var.external_id)), false)
    error_message = "external_id must be 2 to 1224 letters, digits or +=,.@:/_-."
  }
}

variable "alert_emails" {
  description = "Email addresses that receive trailwatch's alerts."
  type        = list(string)
}

variable "ops_alarm_emails" {
  description = "Email addresses that receive alarms about trailwatch itself (failed executions, function errors, dead-lettered events)."
  type        = list(string)
  default     = []
}
