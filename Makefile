# trailwatch. The two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

FUNCTIONS := parse enrich dedupe notify
MODULES   := functions/shared $(addprefix functions/,$(FUNCTIONS)) test/moto test
BUILD     := build

# Host builds of the functions (<fn>/bootstrap) and of the local commands,
# built once by `make bin` and run by the demo, the playground and the e2e
# tests, which find them through TRAILWATCH_BIN. The flags are
# test/pipeline's BuildFlags (checked by a test there).
LOCAL_BIN        := $(CURDIR)/.local/bin
HOST_BUILD_FLAGS := -tags lambda.norpc
COMMANDS         := demo up send redrive
export TRAILWATCH_BIN := $(LOCAL_BIN)

# Pure Go everywhere: the host binaries, the tests and vet share one build
# cache, so each package compiles once per make test.
export CGO_ENABLED := 0

# moto, the local AWS emulator: the machine's python3 when it has it, else a
# virtual environment in .venv with the pinned version.
MOTO_VERSION := 5.2.1
VENV         := $(CURDIR)/.venv
PYTHON       ?= $(shell python3 -c 'import moto.server, moto.stepfunctions' >/dev/null 2>&1 && echo python3 || echo $(VENV)/bin/python)
export TRAILWATCH_PYTHON := $(PYTHON)

FUZZTIME ?= 20s

# go test -timeout per target: what the tests themselves take on a busy
# 2-core machine, with room (compilation is not counted: go test starts the
# clock when the test binary runs). The e2e tests run one package at a time
# (-p 1): each starts moto and the functions, and their dedupe leases and
# windows are seconds long.
UNIT_TIMEOUT  := 10m
FUZZ_TIMEOUT  := 5m
E2E_TIMEOUT   := 50m
BENCH_TIMEOUT := 20m

# make up: the playground's port on 127.0.0.1.
PORT ?= 4566

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: demo
demo: moto bin ## run the pipeline locally on sample CloudTrail events (no AWS account needed)
	$(LOCAL_BIN)/demo

.PHONY: up
up: moto bin ## the local playground: trailwatch on the local stack until Ctrl-C (PORT, default 4566)
	$(LOCAL_BIN)/up -port $(PORT)

.PHONY: send
send: ## send one CloudTrail event to the playground: make send EVENT=path/to/event.json
	@if [ -z "$(EVENT)" ]; then echo "usage: make send EVENT=path/to/event.json (make up first)"; exit 2; fi
	go build -o $(LOCAL_BIN)/send ./test/cmd/send
	$(LOCAL_BIN)/send $(EVENT)

.PHONY: redrive
redrive: ## send the playground's parked events back to its intake queue (make up first)
	go build -o $(LOCAL_BIN)/redrive ./test/cmd/redrive
	$(LOCAL_BIN)/redrive

.PHONY: bin
bin: $(addprefix $(LOCAL_BIN)/,$(addsuffix /bootstrap,$(FUNCTIONS))) ## host builds of the functions and the local commands, in .local/bin
	go build -o $(LOCAL_BIN)/ $(addprefix ./test/cmd/,$(COMMANDS))

$(LOCAL_BIN)/%/bootstrap: FORCE
	go build $(HOST_BUILD_FLAGS) -o $@ ./functions/$*

.PHONY: test
test: moto generate-check fmt-check vet unit fuzz terraform-check e2e ## everything CI runs

.PHONY: unit
unit: moto ## unit tests of every module, moto's included
	go test -timeout $(UNIT_TIMEOUT) $(addprefix ./,$(addsuffix /...,$(filter-out test,$(MODULES))))

.PHONY: e2e
e2e: moto bin ## end-to-end tests on the local stack, the playground's and the local stack's own tests
	go test -count=1 -p 1 -timeout $(E2E_TIMEOUT) ./test/...

.PHONY: fuzz
fuzz: ## run the parser's fuzz target briefly (FUZZTIME)
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -timeout $(FUZZ_TIMEOUT) ./functions/shared/finding

# make bench: the benchmarks of every step (BenchmarkHandle of each
# function with its fakes, the domain path of a whole event, ParseLog, and
# replay against Python's json.load), as one benchstat table against the
# committed baseline. BENCH selects others (make bench BENCH=Parse: one line
# per fixture); make bench-baseline makes the last run the baseline.
BENCH          ?= ^Benchmark(Handle|DomainPath|ParseLog|ReplayVsPython)$$
BENCH_COUNT    ?= 1
BENCH_BASELINE := bench/baseline.txt
BENCHSTAT      := go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: bench
bench: ## the benchmarks of every step, one table against the committed baseline (benchstat)
	@mkdir -p .local
	go test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) -timeout $(BENCH_TIMEOUT) $(addprefix ./,$(addsuffix /...,$(filter-out test,$(MODULES)))) | tee .local/bench.txt | grep -E '^(Benchmark|ok|FAIL|---)'
	$(BENCHSTAT) -table "" -row pkg,.fullname $(BENCH_BASELINE) .local/bench.txt

.PHONY: bench-baseline
bench-baseline: ## make the last make bench's figures the committed baseline (bench/baseline.txt)
	cp .local/bench.txt $(BENCH_BASELINE)

.PHONY: backtest
backtest: moto bin ## the backtest on the local stack: 200 generated log files through the Distributed Map, checked against ParseLog
	go test -count=1 -timeout $(E2E_TIMEOUT) -run '^TestBacktest$$' ./test/backtest

.PHONY: cost
cost: moto bin ## the cost per million events at each log level, measured on the local stack: writes bench/cost.json and the README's cost table
	go run ./test/cmd/cost

.PHONY: coldstart
coldstart: bin ## each function's cold start: from process start to its first Runtime API poll (median, p90, max)
	go run ./test/cmd/coldstart

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
	go run ./functions/shared/cmd/lambdazip -o $@ $(BUILD)/$*/bootstrap

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
