# Two commands do everything on a fresh machine:  make run   and   make test
# Both create .venv on first use and reuse it afterwards.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export PYTHONDONTWRITEBYTECODE := 1

DBT_DIR  := dbt_project
MANIFEST := $(DBT_DIR)/target/manifest.json
DBT_INPUTS := $(shell find $(DBT_DIR)/dbt_project.yml $(DBT_DIR)/profiles.yml $(DBT_DIR)/models $(DBT_DIR)/macros $(DBT_DIR)/tests seeds analyses -type f 2>/dev/null)

.PHONY: run test lint ui docs bench manifest clean help

help:
	@echo "make run    - demo company -> warehouse -> marts, prints a summary"
	@echo "make test   - the whole test suite (pytest, dbt tests, lint)"
	@echo "make lint   - sqlfluff (dbt templater) and ruff"
	@echo "make ui     - dagster dev on 127.0.0.1:3000 showing the asset graph"
	@echo "make docs   - dbt docs (static, lineage) + GX Data Docs in warehouse/docs/"
	@echo "make bench  - scale benchmark, 2M leads (LEADS=N to change), results in benchmarks/results/"

# Runtime install: re-done only when the pins change.
$(BIN)/.runtime: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

# Test install adds the dev extras on top.
$(BIN)/.dev: $(BIN)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# The manifest is prepared here, never at import time of the Dagster code location.
$(MANIFEST): $(BIN)/.runtime $(DBT_INPUTS)
	$(BIN)/revops prepare

manifest: $(MANIFEST)

run: $(MANIFEST)
	$(BIN)/revops run

test: $(BIN)/.dev $(MANIFEST)
	$(MAKE) lint
	$(BIN)/pytest

lint: $(BIN)/.dev $(MANIFEST)
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	REVOPS_WAREHOUSE=:memory: $(BIN)/sqlfluff lint $(DBT_DIR)/models $(wildcard analyses/*.sql) --processes 2

ui: $(MANIFEST)
	$(BIN)/revops ui

# dbt docs (static, with lineage) and the latest GX Data Docs, under warehouse/docs/.
docs: $(MANIFEST)
	$(BIN)/revops docs

# The scale benchmark (minutes to an hour: it generates and builds a company of LEADS leads).
LEADS ?= 2000000
bench: $(MANIFEST)
	$(BIN)/revops bench --leads $(LEADS) --json benchmarks/results/bench-$(LEADS).json

clean:
	rm -rf warehouse $(DBT_DIR)/target $(DBT_DIR)/logs .dagster
