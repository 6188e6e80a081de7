# The only way checks run, locally and in CI (.ci/run calls `make test`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= sqlite:///var/andromede.db
export ANDROMEDE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: venv demo test lint types arch unit bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

venv: $(BIN)/.installed

demo: venv
	mkdir -p var
	ANDROMEDE_DATABASE_URL=$${ANDROMEDE_DATABASE_URL:-$(DEMO_DB)} $(BIN)/andromede demo

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: venv
	$(BIN)/mypy src

arch: venv
	$(BIN)/lint-imports --no-cache

unit: venv
	$(BIN)/pytest -q tests/unit

test: venv lint types arch
	$(BIN)/pytest -q -n 2 tests

bench: venv
	$(BIN)/python benchmarks/placement.py
	$(BIN)/python benchmarks/api.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
