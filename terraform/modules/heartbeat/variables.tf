variable "account_id" {
  description = "ID of the account the caller's aws provider deploys to (its aws_caller_identity): the canary's ARNs name it."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account ID."
  }
}

variable "name" {
  description = "Prefix of the canary's names, followed by deployment.json's heartbeat suffixes: the schedule and the security group <name>-heartbeat, the role <name>-heartbeat-<region>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,40}$", var.name))
    error_message = "name must start with a letter, hold only letters, digits and hyphens, and be at most 41 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the canary's security group. Null: the region's default VPC (the apply fails if it has none)."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be null or a VPC id such as vpc-0a1b2c3d."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}
