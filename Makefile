# The only way checks run, locally and in CI (.ci/run calls `make test`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
TEST_WORKERS ?= 3
DEMO_DB ?= sqlite:///var/andromede.db
export ANDROMEDE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: venv compiled demo test lint types arch unit bench smoke lock clean

# Installs exactly what requirements.lock pins, checked against its hashes, resolving
# nothing: the lock is the whole closure (pip would otherwise read a dependency's extra,
# such as weasyprint's fonttools[woff], as a new unpinned requirement and pick the index's
# newest release). `pip check` then proves the closure is whole and consistent.
# `make lock` refreshes the lock.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

venv: $(BIN)/.installed

# The pure core's hottest loops (a month close adds up every server's runs in them),
# compiled by mypyc, which comes with mypy, into C extensions beside their sources: Python
# imports those first. The same code and the same answers (the tests run on the compiled
# modules, and refuse to start if one is older than its source); a 100,000-server close
# adds up its month in 5.3-6.3 s instead of 7.4-8.6 s. `make clean` removes them.
COMPILED := src/andromede/metering/segments.py src/andromede/billing/summed_usage.py \
	src/andromede/billing/rating.py src/andromede/billing/invoicing.py \
	src/andromede/billing/statements.py
COMPILED_STAMP := src/build/compiled.stamp

$(COMPILED_STAMP): $(BIN)/.installed $(COMPILED)
	mkdir -p src/build
	cd src && ../$(BIN)/mypyc $(COMPILED:src/%=%) > build/mypyc.log 2>&1 \
	    || { cat build/mypyc.log; exit 1; }
	rm src/build/setup.py  # mypyc's own, written on each build: not ours to type-check
	touch $(COMPILED:.py=.*.so) $@  # an unchanged module's build is copied with its old time

compiled: $(COMPILED_STAMP)

demo: venv compiled
	mkdir -p var
	ANDROMEDE_DATABASE_URL=$${ANDROMEDE_DATABASE_URL:-$(DEMO_DB)} \
	ANDROMEDE_CLUSTER_RUNTIME=$${ANDROMEDE_CLUSTER_RUNTIME:-local-spark} $(BIN)/andromede demo

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: venv
	$(BIN)/mypy src tests benchmarks

arch: venv
	$(BIN)/lint-imports --no-cache

unit: venv compiled
	$(BIN)/pytest -q tests/unit

test: venv compiled lint types arch
	mkdir -p var && $(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal --durations=15 --junitxml=var/test-results.xml tests

bench: venv compiled
	$(BIN)/python benchmarks/placement.py
	$(BIN)/python benchmarks/api.py

smoke: venv compiled
	for b in placement api audit billing einvoices openstack_face console vs_placement schedules; do $(BIN)/python benchmarks/$$b.py --smoke || exit 1; done

lock: venv
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe \
	    --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache src/build
	find src -name '*.so' -delete
