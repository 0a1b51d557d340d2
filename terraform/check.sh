#!/usr/bin/env bash
# Static checks of trailwatch's terraform, runnable on any machine: fmt,
# tflint, tfsec, `terraform validate` of the root module, the modules and
# the examples, tfcheck (plan-time reference errors validate misses) of the
# same and of the *.tftest.hcl files, and the plan-only `terraform test`
# suites. Run from the repository root:
#
#   bash terraform/check.sh                  # everything
#   bash terraform/check.sh --validate DIR   # validate and tfcheck DIR only
#
# DIR is a copy of the repository (its terraform/, statemachine/ and
# functions/shared/deployment/); --validate checks its terraform/ root
# module, which is how test/terraform shows that a planted error fails.
#
# The AWS provider validate and test need comes from, in this order:
#   1. the local mirror TF_PLUGIN_DIR (default /opt/tf-plugins), when it
#      holds hashicorp/aws;
#   2. the Terraform registry (`terraform init` as usual), unless
#      TF_REGISTRY=off, within TF_REGISTRY_TIMEOUT seconds (default 120);
#   3. the schema-only stand-in of ../shared/tfschema (TFSCHEMA_DIR), which
#      lets the real `terraform validate` run offline; `terraform test` is
#      then skipped, since the stand-in computes nothing.
# tfcheck also comes from the tfschema directory, the repository's sibling
# ../shared/tfschema (the main checkout's sibling, for a git worktree) or
# TFSCHEMA_DIR; without it tfcheck is skipped with a message.
#
# tflint and tfsec are installed at the pinned versions with `go install`
# into .bin/ at the repository root (gitignored) the first time, which takes
# minutes; later runs reuse them. Nothing is written to the repository but
# .bin/: init runs in a copy. Reaches no AWS account. fmt, tflint and tfsec
# stop at their first failure; validate, test and tfcheck all run, and the
# script then lists what failed and exits non-zero.
set -euo pipefail

TFLINT_VERSION=v0.55.1
TFSEC_VERSION=v1.26.0
TF_PLUGIN_DIR=${TF_PLUGIN_DIR:-/opt/tf-plugins}
TF_REGISTRY=${TF_REGISTRY:-on}
TF_REGISTRY_TIMEOUT=${TF_REGISTRY_TIMEOUT:-120}

# Root module, modules and examples: each is checked on its own.
MODULE_DIRS=(. modules/forwarder modules/member-role modules/backtest modules/heartbeat examples/single-account examples/organization examples/backtest)
# Those with a tests/ directory of *.tftest.hcl.
TESTED_DIRS=(. modules/forwarder modules/member-role modules/backtest modules/heartbeat)

if [[ ! -f terraform/check.sh || ! -d statemachine ]]; then
  echo "check.sh: run from the repository root: bash terraform/check.sh" >&2
  exit 2
fi
repo_root=$PWD

mode=all
source_root=$repo_root
if [[ ${1:-} == --validate ]]; then
  mode=validate
  source_root=$(cd "${2:?usage: check.sh --validate DIR}" && pwd)
  MODULE_DIRS=(.)
  TESTED_DIRS=()
fi

# Prints a command, then runs it.
run() {
  echo "+ $*"
  "$@"
}

section() {
  echo
  echo "== $*"
}

skipped=()
skip() {
  echo "SKIPPED: $*"
  skipped+=("$*")
}

# validate, test and tfcheck all run, each failure reported at the end.
failed=()
fail() {
  echo "FAILED: $*"
  failed+=("$*")
}

export TF_IN_AUTOMATION=1
# A CLI configuration named but missing only makes terraform warn on every
# command; an empty one changes nothing else.
if [[ -n ${TF_CLI_CONFIG_FILE:-} && ! -e $TF_CLI_CONFIG_FILE ]]; then
  export TF_CLI_CONFIG_FILE=/dev/null
fi

# The tfschema directory (stand-in provider and tfcheck), or nothing.
find_tfschema() {
  local candidates=()
  [[ -n ${TFSCHEMA_DIR:-} ]] && candidates+=("$TFSCHEMA_DIR")
  candidates+=("$repo_root/../shared/tfschema")
  local common
  if common=$(git -C "$repo_root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
    candidates+=("$(dirname "$common")/../shared/tfschema")
  fi
  local dir
  for dir in "${candidates[@]}"; do
    if [[ -x $dir/plugin-dir.sh && -x $dir/tfcheck.sh ]]; then
      (cd "$dir" && pwd)
      return
    fi
  done
}
tfschema=$(find_tfschema)

# ---------------------------------------------------------------------------
# fmt, tflint, tfsec
# ---------------------------------------------------------------------------

# Prints the module version a Go-built tool was built from (tfsec built
# with go install reports none itself), or "unknown".
built_version() {
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }' | grep . || echo unknown
}

# Prints the path of a Go-installed tool at its pinned version: the one in
# .bin/, installed there first when it is missing or another version; else,
# without go, one on PATH (with a note when it is not the pinned version).
go_tool() {
  local name=$1 package=$2 version=$3 bin=$repo_root/.bin
  if command -v go >/dev/null 2>&1; then
    if [[ ! -x $bin/$name || $(built_version "$bin/$name") != "$version" ]]; then
      echo "+ GOBIN=$bin go install $package@$version" >&2
      mkdir -p "$bin"
      GOBIN=$bin GOWORK=off go install "$package@$version" >&2
    fi
    echo "$bin/$name"
    return
  fi
  if command -v "$name" >/dev/null 2>&1; then
    local path built
    path=$(command -v "$name")
    built=$(built_version "$path")
    [[ $built == "$version" ]] || echo "note: $name at $path is $built, not $version, the version these checks were written against" >&2
    echo "$path"
    return
  fi
  echo "check.sh: $name is not installed and go is not there to install it" >&2
  return 1
}

if [[ $mode == all ]]; then
  section "terraform fmt"
  run terraform version
  run terraform fmt -check -recursive -diff terraform

  section "tflint (bundled terraform ruleset, terraform/.tflint.hcl)"
  tflint=$(go_tool tflint github.com/terraform-linters/tflint "$TFLINT_VERSION")
  run "$tflint" --version
  # --recursive walks the root, modules/* and examples/*; the config path
  # must be absolute for it. Notices fail too: zero findings.
  (cd terraform && run "$tflint" --recursive --config "$repo_root/terraform/.tflint.hcl" --format compact --minimum-failure-severity=notice)

  section "tfsec (HIGH and CRITICAL fail; ignores are annotated in place)"
  tfsec=$(go_tool tfsec github.com/aquasecurity/tfsec/cmd/tfsec "$TFSEC_VERSION")
  echo "tfsec: $tfsec, built from $(built_version "$tfsec")"
  # One run per directory: tfsec follows local module calls, but an example
  # run also checks the root and modules with the example's inputs.
  for dir in "${MODULE_DIRS[@]}"; do
    run "$tfsec" "terraform/$dir" --minimum-severity HIGH --no-color --concise-output
  done
fi

# A copy, so that init's .terraform directories and lock files stay out of
# the repository; statemachine/ and the deployment facts come along, since
# the modules read them by relative path. The plugin cache links the
# provider instead of copying its ~700 MB into every directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/functions/shared"
cp -R "$source_root/terraform" "$source_root/statemachine" "$work/"
cp -R "$source_root/functions/shared/deployment" "$work/functions/shared/"
find "$work/terraform" \( -name .terraform -o -name .terraform.lock.hcl \) -prune -exec rm -rf {} +
export TF_PLUGIN_CACHE_DIR=$work/plugin-cache
mkdir -p "$TF_PLUGIN_CACHE_DIR"

# ---------------------------------------------------------------------------
# terraform validate and test
# ---------------------------------------------------------------------------

section "terraform validate and test"

# init DIR: terraform init in the copy of terraform/DIR with the provider
# chosen below.
init_args=()
init() {
  echo "+ terraform -chdir=$work/terraform/$1 init -backend=false -input=false -no-color ${init_args[*]}"
  terraform -chdir="$work/terraform/$1" init -backend=false -input=false -no-color "${init_args[@]}" >"$work/init.log" 2>&1 || {
    cat "$work/init.log"
    return 1
  }
}

provider=
if [[ -d $TF_PLUGIN_DIR/registry.terraform.io/hashicorp/aws ]]; then
  provider="the local mirror $TF_PLUGIN_DIR"
  init_args=(-plugin-dir="$TF_PLUGIN_DIR")
elif [[ $TF_REGISTRY != off ]] &&
  echo "no hashicorp/aws in $TF_PLUGIN_DIR: trying the registry (at most ${TF_REGISTRY_TIMEOUT}s)" &&
  timeout "$TF_REGISTRY_TIMEOUT" terraform -chdir="$work/terraform/${MODULE_DIRS[0]}" init -backend=false -input=false -no-color >"$work/init.log" 2>&1; then
  provider="the Terraform registry"
elif [[ -n $tfschema ]]; then
  echo "no hashicorp/aws in $TF_PLUGIN_DIR and the registry is out of reach: using the schema stand-in of $tfschema"
  run "$tfschema/plugin-dir.sh" "$work/stand-in" >/dev/null
  provider="the schema stand-in ($tfschema)"
  init_args=(-plugin-dir="$work/stand-in")
fi

if [[ -z $provider ]]; then
  skip "terraform validate and test: no AWS provider (no $TF_PLUGIN_DIR mirror, no registry, no tfschema stand-in)"
else
  echo "provider: $provider"
  for dir in "${MODULE_DIRS[@]}"; do
    echo
    echo "-- terraform/$dir"
    if init "$dir"; then
      run terraform -chdir="$work/terraform/$dir" validate -no-color || fail "validate terraform/$dir"
    else
      fail "init terraform/$dir"
    fi
  done

  if [[ $provider == "the schema stand-in"* ]]; then
    [[ ${#TESTED_DIRS[@]} -eq 0 ]] || skip "terraform test: the stand-in provider serves only the schema and computes nothing the tests assert on; they run with the mirror or the registry"
  else
    for dir in "${TESTED_DIRS[@]}"; do
      echo
      echo "-- terraform/$dir"
      run terraform -chdir="$work/terraform/$dir" test -no-color || fail "test terraform/$dir"
    done
  fi
fi

# ---------------------------------------------------------------------------
# tfcheck
# ---------------------------------------------------------------------------

section "tfcheck (references validate misses, and the *.tftest.hcl files)"
if [[ -n $tfschema ]]; then
  # -r walks the root module, modules/, examples/ and every tests/.
  run "$tfschema/tfcheck.sh" -tests -stats -r "$work/terraform" || fail "tfcheck"
else
  skip "tfcheck: no tfschema directory (../shared/tfschema next to the repository, or TFSCHEMA_DIR)"
fi

echo
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "check.sh: failed:"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
if [[ ${#skipped[@]} -eq 0 ]]; then
  echo "check.sh: all checks passed."
else
  echo "check.sh: the checks that ran passed; skipped:"
  printf '  - %s\n' "${skipped[@]}"
fi
