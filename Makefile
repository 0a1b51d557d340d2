# trailwatch. The two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

FUNCTIONS := parse enrich dedupe notify
MODULES   := functions/shared $(addprefix functions/,$(FUNCTIONS)) test
BUILD     := build

# moto, the local AWS emulator: the machine's python3 when it has it, else a
# virtual environment in .venv with the pinned version.
MOTO_VERSION := 5.2.1
VENV         := $(CURDIR)/.venv
PYTHON       ?= $(shell python3 -c 'import moto.server, moto.stepfunctions' >/dev/null 2>&1 && echo python3 || echo $(VENV)/bin/python)
export TRAILWATCH_PYTHON := $(PYTHON)

FUZZTIME ?= 20s

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: demo
demo: moto ## run the pipeline locally on sample CloudTrail events (no AWS account needed)
	go run ./test/cmd/demo

.PHONY: test
test: moto generate-check fmt-check vet unit fuzz terraform-check e2e ## everything CI runs

.PHONY: unit
unit: ## unit tests of every module
	go test $(addprefix ./,$(addsuffix /...,$(filter-out test,$(MODULES))))

.PHONY: e2e
e2e: moto ## end-to-end tests on the local stack, and the local stack's own tests
	go test -count=1 ./test/...

.PHONY: fuzz
fuzz: ## run the parser's fuzz target briefly (FUZZTIME)
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./functions/shared/finding

.PHONY: bench
bench: ## benchmarks, with allocations
	go test -run '^$$' -bench . -benchmem $(addprefix ./,$(addsuffix /...,$(filter-out test,$(MODULES))))

.PHONY: vet
vet:
	go vet $(addprefix ./,$(addsuffix /...,$(MODULES)))

.PHONY: fmt-check
fmt-check: ## gofmt and terraform fmt, checked
	@out=$$(gofmt -l functions test); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	terraform fmt -check -recursive terraform

.PHONY: terraform-check
terraform-check: ## terraform fmt, tflint and tfsec (go-installed into .bin), validate (local mirror, registry or tfschema stand-in), tfcheck, terraform test
	bash terraform/check.sh

.PHONY: generate
generate: ## regenerate the EventBridge patterns (statemachine/event-patterns) and the README catalog from the event catalog
	cd functions/shared && go generate ./...

.PHONY: generate-check
generate-check: generate
	@git diff --exit-code -- statemachine/event-patterns README.md && \
		test -z "$$(git status --porcelain --untracked-files=all -- statemachine/event-patterns)" || \
		{ echo "the generated patterns (statemachine/event-patterns) or README catalog were stale: commit the regenerated files"; exit 1; }

.PHONY: build
build: $(addprefix $(BUILD)/,$(addsuffix .zip,$(FUNCTIONS))) ## Lambda zips for provided.al2023 on arm64

$(BUILD)/%.zip: FORCE
	@mkdir -p $(BUILD)/$*
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o $(BUILD)/$*/bootstrap ./functions/$*
	go run ./test/cmd/lambdazip -o $@ $(BUILD)/$*/bootstrap

.PHONY: deploy
deploy: build ## build the zips and terraform apply
	terraform -chdir=terraform init
	terraform -chdir=terraform apply

.PHONY: moto
moto: ## make sure a python with moto is there (installs it into .venv when missing)
	@if [ "$(PYTHON)" = "$(VENV)/bin/python" ] && ! $(PYTHON) -c 'import moto.server' >/dev/null 2>&1; then \
		echo "installing moto[server]==$(MOTO_VERSION) into $(VENV)"; \
		python3 -m venv $(VENV) && $(VENV)/bin/pip install --quiet 'moto[server]==$(MOTO_VERSION)'; \
	fi

.PHONY: clean
clean:
	rm -rf $(BUILD) .local

.PHONY: FORCE
FORCE:
