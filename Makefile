# One command for each chore; `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Every installable package; a new service is one more entry here.
PACKAGES := libs/crmkit services/customer services/sales services/service-desk services/projects gateway
# Extras installed with a package (make needs them in a variable: a literal `[` is a glob in bash).
EXTRAS_libs/crmkit := [test]
EXTRAS_services/customer := [test]
EXTRAS_services/sales := [test]
EXTRAS_services/service-desk := [test]
EXTRAS_services/projects := [test]
EXTRAS_gateway := [test]
DEV_TOOLS := ruff mypy pytest

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PRESENT := $(foreach pkg,$(PACKAGES),$(if $(wildcard $(pkg)/pyproject.toml),$(pkg)))
INSTALLED := $(VENV)/.installed
TYPED_SOURCES := $(wildcard libs/crmkit/src services/*/src gateway/src)

.PHONY: help install up test test-unit lint typecheck infra-up infra-down bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(INSTALLED) ## create .venv (python3.11) and install every package editable, plus dev tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls when any pyproject.toml changes or a package appears (its pyproject is newer than the stamp).
$(INSTALLED): $(BIN)/python pyproject.toml $(addsuffix /pyproject.toml,$(PRESENT))
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(DEV_TOOLS) $(foreach pkg,$(PRESENT),-e '$(pkg)$(EXTRAS_$(pkg))')
	@touch $@
	@echo "installed: $(PRESENT)"

up: install ## start the whole platform locally (SQLite + filesystem broker); Ctrl-C stops it
	$(BIN)/python deploy/scripts/run_local.py

test: install ## run every test against real RabbitMQ and PostgreSQL (started and stopped around the run)
	deploy/scripts/run-tests.sh

test-unit: install ## run the tests that need no servers
	$(BIN)/pytest -m "not rabbitmq and not postgres and not e2e"

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install ## mypy: --strict over the kit, check_untyped_defs over the services and the gateway
	$(BIN)/mypy --strict libs/crmkit/src
	$(BIN)/mypy $(filter-out libs/crmkit/src,$(TYPED_SOURCES))

infra-up: ## start the throwaway test RabbitMQ and PostgreSQL (writes var/testinfra/env)
	deploy/scripts/testinfra.sh start

infra-down: ## stop them
	deploy/scripts/testinfra.sh stop

bench: install ## run every benchmark in bench/ and print its figures (installs wrk where missing)
	@command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk </dev/null
	@shopt -s nullglob; scripts=(bench/bench_*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "no benchmarks in bench/ (bench_*.py)"; exit 0; fi; \
	for script in "$${scripts[@]}"; do echo "== $$script"; $(BIN)/python "$$script"; done

clean: ## stop the test servers, delete var/ (local data, logs, dev secrets) and caches; keeps .venv
	deploy/scripts/testinfra.sh stop
	rm -rf var .pytest_cache .ruff_cache .mypy_cache $(INSTALLED)
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 \
		| xargs -0 rm -rf
