# Two commands do everything: `make demo` and `make test`. Every target installs what it needs first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: install demo test unit integration chaos bench soak lint format stack-up stack-down stack-status clean \
	dashboards dashboards-preview

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstalled only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,airflow]'
	touch $@

install: $(STAMP)
	$(BIN)/upi stack install

demo: install
	$(BIN)/upi demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

stack-up: install
	$(BIN)/upi stack up

stack-down: $(STAMP)
	$(BIN)/upi stack down

stack-status: $(STAMP)
	$(BIN)/upi stack status

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: stack-up
	$(BIN)/pytest tests/integration

# SIGKILL the stream KILLS times at random points, then audit every layer (not part of `make test`).
KILLS ?= 50
chaos: stack-up
	$(BIN)/python -m tests.chaos --kills $(KILLS)

# Benchmarks (not part of `make test`): JSON + PNG under benchmarks/results/, the report in docs/benchmarks.md.
SOAK_MINUTES ?= 30
SOAK_RATE ?= 1000
bench: stack-up
	$(BIN)/python -m benchmarks sustained
	$(BIN)/python -m benchmarks sink
	$(BIN)/python -m benchmarks freshness
	$(BIN)/python -m benchmarks soak --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE)
	$(BIN)/python -m benchmarks gold
	$(BIN)/python -m benchmarks panels
	$(BIN)/python -m benchmarks generator

soak: stack-up
	$(BIN)/python -m benchmarks soak --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE)

# Grafana dashboards: JSON from warehouse/dashboards.py + warehouse/panels/*.sql into docker/grafana/dashboards/.
dashboards: $(STAMP)
	$(BIN)/upi dashboards build

# Fill the local warehouse (the demo, then gold of today's IST day) and draw every panel's data to PNG.
PREVIEW_DIR ?= docs/dashboards
dashboards-preview: install
	UPI_MAX_OFFSETS_PER_TRIGGER=2000 $(BIN)/upi demo  # small micro-batches: the pipeline panels get a series
	-$(BIN)/upi gold --date "$$(TZ=Asia/Kolkata date +%F)"  # a refused day keeps the earlier gold: go on
	$(BIN)/upi dashboards preview --out $(PREVIEW_DIR)

# The whole suite; pytest's exit 5 (nothing collected) fails the target like any other failure.
test: lint stack-up
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .upi .mypy_cache .ruff_cache .pytest_cache
