variable "name" {
  description = "Prefix of the backtest's resource names, as the root module's name: the function and the state machine are <name>-backtest, the results bucket <name>-backtest-<account>-<region> (suffixes from functions/shared/deployment/deployment.json)."
  type        = string
  default     = "trailwatch"

  validation {
    # 32, as the root module's name; preconditions check every name against
    # deployment.json's quotas.
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter, hold only letters, digits and hyphens, and be at most 32 characters."
  }
}

variable "trail_bucket_name" {
  description = "Name of the S3 bucket CloudTrail delivers its log files to (the trail's or the organisation trail's). The backtest only lists and reads it, under trail_prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.trail_bucket_name))
    error_message = "trail_bucket_name must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-'."
  }
}

variable "trail_prefix" {
  description = "Key prefix of the trail bucket the backtest may list and read: every execution's input prefix must start with it. CloudTrail writes under AWSLogs/ (after the trail's own S3 key prefix, when it has one)."
  type        = string
  default     = "AWSLogs/"

  validation {
    condition     = !startswith(var.trail_prefix, "/") && !strcontains(var.trail_prefix, "*")
    error_message = "trail_prefix must not start with '/' or hold '*'."
  }
}

variable "trail_kms_key_arn" {
  description = "ARN of the KMS key the trail encrypts its log files with (SSE-KMS), which the function may then decrypt through S3. Null for log files encrypted with S3-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.trail_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.trail_kms_key_arn))
    error_message = "trail_kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "build_dir" {
  description = "Directory holding parse.zip, as `make build` produces it: the backtest's function is the parse program with the handler \"backtest\". Null means the repository's build/ directory."
  type        = string
  default     = null

  validation {
    condition     = var.build_dir == null || can(regex("[^/]$", var.build_dir))
    error_message = "build_dir must not end with a slash."
  }
}

variable "max_concurrency" {
  description = "MaxConcurrency of the Distributed Map: how many child executions (batches of log files, each one function invocation at a time) run at once. Keep it within the function's share of the account's Lambda concurrency."
  type        = number
  default     = 40

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 10000 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number from 1 to 10000 (the Distributed Map's limit)."
  }
}

variable "tolerated_failure_percentage" {
  description = "ToleratedFailurePercentage of the Distributed Map: the share of child executions (batches) that may fail, after their retries, before the whole backtest fails. The summary lists the log files of the failed batches."
  type        = number
  default     = 0

  validation {
    condition     = var.tolerated_failure_percentage >= 0 && var.tolerated_failure_percentage <= 100
    error_message = "tolerated_failure_percentage must be from 0 to 100."
  }
}

variable "files_per_batch" {
  description = "MaxItemsPerBatch of the Distributed Map's ItemBatcher: how many log files one child execution (one function invocation) reads. A batch's input, about 300 bytes a file, must fit Step Functions' 256 KiB."
  type        = number
  default     = 100

  validation {
    condition     = var.files_per_batch >= 1 && var.files_per_batch <= 500 && floor(var.files_per_batch) == var.files_per_batch
    error_message = "files_per_batch must be a whole number from 1 to 500."
  }
}

variable "function_memory_mb" {
  description = "Memory of the backtest's function, in MB; Lambda gives it CPU in proportion (a full vCPU at 1769 MB)."
  type        = number
  default     = 1024

  validation {
    condition     = var.function_memory_mb >= 128 && var.function_memory_mb <= 10240
    error_message = "function_memory_mb must be from 128 to 10240."
  }
}

variable "function_timeout_sec" {
  description = "Timeout of the backtest's function, in seconds: enough for a batch of files_per_batch log files. Within the state machine's task timeout (checked)."
  type        = number
  default     = 900

  validation {
    condition     = var.function_timeout_sec >= 1 && var.function_timeout_sec <= 900
    error_message = "function_timeout_sec must be from 1 to 900 (Lambda's limit)."
  }
}

variable "results_retention_days" {
  description = "Days the results bucket keeps a backtest's results (findings, batch counts, summary, the Map's own results) before S3 expires them."
  type        = number
  default     = 90

  validation {
    condition     = var.results_retention_days >= 1
    error_message = "results_retention_days must be at least 1."
  }
}

variable "results_access_log_bucket" {
  description = "Name of an S3 bucket receiving the results bucket's server access logs (under results/). Null logs no access: every read and write is also the state machine's or the function's, logged by CloudTrail data events when the trail records them."
  type        = string
  default     = null
}

variable "log_level" {
  description = "LOG_LEVEL of the function: the lowest zerolog level written to CloudWatch Logs."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, warn, error."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the function's and the state machine's logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "tags" {
  description = "Tags on every resource that takes them."
  type        = map(string)
  default     = {}
}
