#!/usr/bin/env bash
# Static checks of trailwatch's terraform: formatting, tflint, tfsec, and,
# where a local copy of the AWS provider is at hand, validate and the plan-
# only tests. Run from the repository root:
#
#   bash terraform/check.sh
#
# Installs tflint and tfsec with `go install` when they are missing (the
# first run may take minutes). Reaches no AWS account. Exits non-zero on the
# first failure.
#
# Environment:
#   TF_PLUGIN_DIR   local provider mirror for init (default /opt/tf-plugins);
#                   validate and test are skipped when it does not exist.
set -euo pipefail

TFLINT_VERSION=v0.55.1
TFSEC_VERSION=v1.26.0
TF_PLUGIN_DIR=${TF_PLUGIN_DIR:-/opt/tf-plugins}

# Root module, modules and examples: each is checked on its own.
MODULE_DIRS=(. modules/forwarder modules/member-role examples/single-account examples/organization)
# Those with a tests/ directory of *.tftest.hcl.
TESTED_DIRS=(. modules/forwarder modules/member-role)

if [[ ! -f terraform/check.sh || ! -d statemachine ]]; then
  echo "check.sh: run from the repository root: bash terraform/check.sh" >&2
  exit 2
fi
repo_root=$PWD

# Prints a command, then runs it.
run() {
  echo "+ $*"
  "$@"
}

section() {
  echo
  echo "== $*"
}

# Finds a Go-installed tool on PATH or in $(go env GOPATH)/bin, installing it
# at the pinned version when it is in neither. Prints its path.
go_tool() {
  local name=$1 package=$2 version=$3 gobin
  if command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "check.sh: $name is not installed and go is not there to install it" >&2
    return 1
  fi
  gobin=$(go env GOPATH)/bin
  if [[ ! -x $gobin/$name ]]; then
    echo "+ go install $package@$version" >&2
    go install "$package@$version" >&2
  fi
  echo "$gobin/$name"
}

# Prints the module version a Go-built tool was built from (tfsec built
# with go install reports none itself), or "unknown".
built_version() {
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }' | grep . || echo unknown
}

# Says so when a tool found on PATH is not the pinned version.
note_version() {
  local name=$1 path=$2 pinned=$3 built
  built=$(built_version "$path")
  echo "$name: $path, built from $built"
  if [[ $built != "$pinned" ]]; then
    echo "note: $name is not $pinned, the version these checks were written against"
  fi
}

section "terraform fmt"
run terraform version
run terraform fmt -check -recursive -diff terraform

section "tflint (bundled terraform ruleset, terraform/.tflint.hcl)"
tflint=$(go_tool tflint github.com/terraform-linters/tflint "$TFLINT_VERSION")
note_version tflint "$tflint" "$TFLINT_VERSION"
run "$tflint" --version
# --recursive walks the root, modules/* and examples/*; the config path must
# be absolute for it. Notices fail too: zero findings.
(cd terraform && run "$tflint" --recursive --config "$repo_root/terraform/.tflint.hcl" --format compact --minimum-failure-severity=notice)

section "tfsec (HIGH and CRITICAL fail; ignores are annotated in place)"
tfsec=$(go_tool tfsec github.com/aquasecurity/tfsec/cmd/tfsec "$TFSEC_VERSION")
note_version tfsec "$tfsec" "$TFSEC_VERSION"
# One run per directory: tfsec follows local module calls, but an example
# run also checks the root and modules with the example's inputs.
for dir in "${MODULE_DIRS[@]}"; do
  run "$tfsec" "terraform/$dir" --minimum-severity HIGH --no-color --concise-output
done

section "terraform validate and test"
if [[ ! -d $TF_PLUGIN_DIR ]]; then
  echo "SKIPPED: validate and test: $TF_PLUGIN_DIR, the local copy of the AWS provider they need for an offline init, does not exist."
  echo
  echo "check.sh: fmt, tflint and tfsec passed; validate and test were skipped."
  exit 0
fi

# A copy, so that init's .terraform directories and lock files stay out of
# the repository. statemachine/ comes along: the modules read it by
# relative path. The plugin cache links the provider instead of copying
# its ~700 MB per directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R terraform statemachine "$work/"
rm -rf "$work"/terraform/.terraform "$work"/terraform/{modules,examples}/*/.terraform
export TF_PLUGIN_CACHE_DIR=$work/plugin-cache
mkdir -p "$TF_PLUGIN_CACHE_DIR"
export TF_IN_AUTOMATION=1

for dir in "${MODULE_DIRS[@]}"; do
  echo
  echo "-- terraform/$dir"
  run terraform -chdir="$work/terraform/$dir" init -backend=false -input=false -no-color -plugin-dir="$TF_PLUGIN_DIR" >/dev/null
  run terraform -chdir="$work/terraform/$dir" validate -no-color
done

for dir in "${TESTED_DIRS[@]}"; do
  echo
  echo "-- terraform/$dir"
  run terraform -chdir="$work/terraform/$dir" test -no-color
done

echo
echo "check.sh: all checks passed."
