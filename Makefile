# coinlake developer commands. `make help` lists them.
# Every target that needs Python first builds .venv from pyproject.toml (once, and again when
# pyproject.toml changes), so a fresh clone needs only python3 (>= 3.11) and make.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
LAKE ?= ./lake

.DEFAULT_GOAL := help
.PHONY: help demo test check lint fmt types unit bench reliability java browser clean

help: ## List the targets
	@grep -E '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coinlake needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

java: ## Install Java 17 for local Spark when it is missing (Debian openjdk-17-jre-headless)
	@bash scripts/ensure-debian-package.sh java openjdk-17-jre-headless "local Spark, the engine AWS Glue runs"

browser: ## Install headless Chromium for the report test when it is missing (Debian chromium)
	@bash scripts/ensure-debian-package.sh chromium chromium "the report test renders the HTML report"

demo: $(INSTALLED) ## Run the whole pipeline offline against the bundled API sandbox into ./lake
	$(VENV)/bin/coinlake --lake $(LAKE) demo

test: $(INSTALLED) java browser ## Lint, type-check and run the whole test suite (sandbox, moto, DuckDB, Spark)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

check: lint types unit ## Lint + types + fast unit tests

lint: $(INSTALLED) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(INSTALLED) ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

types: $(INSTALLED) ## mypy --strict on src/
	$(VENV)/bin/mypy

unit: $(INSTALLED) ## Unit tests only (no servers, no Spark)
	$(PY) -m pytest -m "not integration and not spark"

bench: $(INSTALLED) java ## Benchmarks, one table into bench/results/ (QUICK=1: 1M trades, < 5 min)
	$(PY) -m bench.run $(if $(QUICK),--quick,)

reliability: $(INSTALLED) ## Fault suite, ~10 min: kill -9, storms, concurrency, storage, secrets, hostile input, Bronze damage (SEED=N PART=kill replays)
	$(PY) -m reliability --time-limit $(or $(TIME_LIMIT),45) $(if $(SEED),--seed $(SEED),) $(foreach p,$(PART),--part $(p)) $(if $(QUICK),--quick,)

clean: ## Remove the virtual environment, caches and the demo lake
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache $(LAKE)
