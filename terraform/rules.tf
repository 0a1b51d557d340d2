# The suppression rules file (var.rules_file): checked at plan, stored as
# one item of the dedupe table, which the dedupe function reads when it
# starts. The function gets the file's SHA-256 (RULES_DIGEST, lambda.tf):
# a new file changes the function's configuration, so Lambda starts it
# afresh, and it refuses to start if the item is not that file, or if it
# finds the file invalid (package rules checks everything this does, with
# line numbers). The file is not passed in the environment: Lambda caps a
# function's environment at 4 KB, and a rules file may hold 64 KiB.

locals {
  rules_text = var.rules_file == null ? null : file(var.rules_file)
  rules_doc  = local.rules_text == null ? null : try(yamldecode(local.rules_text), null)
  # The rules, when the file holds a list of them (else none, and a problem).
  rules_items    = try([for r in local.rules_doc.rules : r if !can(keys(local.rules_doc.rules))], [])
  rules_not_list = can(local.rules_doc.rules) && try(local.rules_doc.rules != null && (can(keys(local.rules_doc.rules)) || can(tostring(local.rules_doc.rules))), false)

  # The schema's facts (deployment.json), which package rules also holds.
  rule_keys       = ["id", "reason", "expires", "match"]
  rule_match_keys = local.facts.rules.match_keys
  rule_severities = ["low", "medium", "high"]

  # Every problem of the file, each naming its rule: what `plan` refuses.
  rule_problems = local.rules_text == null ? [] : concat(
    length(local.rules_text) > local.facts.rules.max_bytes ? ["the file is ${length(local.rules_text)} bytes, more than ${local.facts.rules.max_bytes}"] : [],
    local.rules_doc == null ? ["the file is not YAML or JSON (run dedupe on it for the line)"] : [],
    local.rules_doc != null && !can(keys(local.rules_doc)) ? ["want a mapping with the key rules"] : [],
    [for k in try(keys(local.rules_doc), []) : "unknown key ${k} (want rules, version)" if !contains(["rules", "version"], k)],
    try(tostring(local.rules_doc.version), "1") == "1" ? [] : ["version ${try(tostring(local.rules_doc.version), "?")}: only version 1 exists"],
    can(keys(local.rules_doc)) && !can(local.rules_doc.rules) ? ["rules: missing"] : [],
    local.rules_not_list ? ["rules: want a list of rules"] : [],
    length(local.rules_items) > local.facts.rules.max_rules ? ["${length(local.rules_items)} rules, more than ${local.facts.rules.max_rules}"] : [],
    flatten([for i, r in local.rules_items : [
      for problem in concat(
        can(keys(r)) ? [] : ["want a mapping with id, reason and match"],
        [for k in try(keys(r), []) : "unknown key ${k} (want id, reason, expires, match)" if !contains(local.rule_keys, k)],
        can(regex("^[A-Za-z0-9._-]{1,64}$", r.id)) ? [] : ["id: want 1 to 64 letters, digits, '.', '_' or '-'"],
        try(length(trimspace(r.reason)) > 0 && length(r.reason) <= 500, false) ? [] : ["reason: missing (say why the exposure is allowed), or longer than 500 bytes"],
        !can(r.expires) || can(formatdate("YYYY", "${r.expires}T00:00:00Z")) || can(timeadd(r.expires, "0s")) ? [] : ["expires: want a date such as 2026-06-30 or a time such as 2026-06-30T18:00:00Z"],
        try(length(keys(r.match)) > 0, false) ? [] : ["match: want a mapping with at least one of ${join(", ", local.rule_match_keys)}"],
        [for k in try(keys(r.match), []) : "match: unknown key ${k}" if !contains(local.rule_match_keys, k)],
        flatten([for key in ["account", "actor", "event", "region", "resource"] : [
          for v in try(flatten([r.match[key]]), []) : "match.${key}: want text values" if !can(length(tostring(v))) || try(tostring(v), "") == ""
        ]]),
        [for v in try(flatten([r.match.port]), []) : "match.port: ${try(tostring(v), "?")} is not a port (0-65535) or a range such as 8000-8080"
          if !try(can(regex("^[0-9]+(-[0-9]+)?$", tostring(v))) && tonumber(split("-", tostring(v))[0]) <= tonumber(reverse(split("-", tostring(v)))[0]) &&
        tonumber(reverse(split("-", tostring(v)))[0]) <= 65535, false)],
        [for v in try(flatten([r.match.cidr]), []) : "match.cidr: ${try(tostring(v), "?")} is not a CIDR such as 0.0.0.0/0 or ::/0" if !can(cidrhost(v, 0))],
        can(r.match.severity_below) && !contains(local.rule_severities, try(tostring(r.match.severity_below), "")) ? ["match.severity_below: want low, medium or high"] : [],
        can(r.match.tag) && !try(length(keys(r.match.tag)) > 0 && alltrue([for v in values(r.match.tag) : can(tostring(v))]), false) ? ["match.tag: want a mapping of tag keys to values"] : [],
      ) : "rule ${i + 1} (id ${try(tostring(r.id), "?")}): ${problem}"
    ]]),
    [for id in distinct([for r in local.rules_items : try(tostring(r.id), "")]) : "id ${id} is used by more than one rule"
    if id != "" && length([for r in local.rules_items : r if try(tostring(r.id), "") == id]) > 1],
  )
}

resource "aws_dynamodb_table_item" "rules" {
  count = var.rules_file == null ? 0 : 1

  table_name = aws_dynamodb_table.dedupe.name
  hash_key   = aws_dynamodb_table.dedupe.hash_key
  item = jsonencode({
    pk                                   = { S = local.facts.rules.item_key }
    (local.facts.rules.text_attribute)   = { S = local.rules_text }
    (local.facts.rules.digest_attribute) = { S = sha256(local.rules_text) }
    (local.facts.rules.name_attribute)   = { S = basename(var.rules_file) }
  })

  lifecycle {
    precondition {
      condition     = length(local.rule_problems) == 0
      error_message = "The rules file ${var.rules_file} is not valid: ${join("; ", local.rule_problems)}."
    }
  }
}
