variable "region" {
  description = "AWS region to deploy to and watch, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
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
