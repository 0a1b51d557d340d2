variable "region" {
  description = "AWS region of the trail bucket, where the backtest runs, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "trail_bucket_name" {
  description = "Name of the S3 bucket CloudTrail delivers the log files to."
  type        = string
}

variable "trail_kms_key_arn" {
  description = "ARN of the KMS key the trail encrypts its log files with; null for S3-managed encryption."
  type        = string
  default     = null
}

variable "max_concurrency" {
  description = "How many batches of log files are parsed at once."
  type        = number
  default     = 40
}
