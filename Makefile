# The two commands of the README: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test test-fast trials check lint bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "sabtyar needs Python 3.12 or 3.13 (see .python-version; with pyenv: pyenv install 3.12)")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/sabtyar run

# Both test targets spread the tests over every core (pytest-xdist); a worker that finishes its
# share takes tests from the other's (worksteal). `PYTEST_WORKERS=0 make test` runs in one process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

# The slow tests (real processes killed and restarted, counted by the second) run after the rest,
# one at a time: a burst measured beside other tests' load answers citizens twice that an
# unloaded machine does not.
test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -rs $(PYTEST_PARALLEL) -m "not slow"
	$(VENV)/bin/python -m pytest -q -rs -m slow

# The edit loop: everything but the tests marked slow (real processes, kills, load).
test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest -q -rs $(PYTEST_PARALLEL) -m "not slow"

# The slow tests at the full sizes their requirements name (10,000 hostile updates, a broadcast to
# 1,000 subscribers, every test question through hazm's own parts): on demand, not in CI.
trials: $(STAMP)
	SABTYAR_FULL_TRIALS=1 $(VENV)/bin/python -m pytest -q -rs -m slow

# Linter, formatter, types (strict on the store) and the layer rules.
check: $(STAMP)
	$(VENV)/bin/ruff check bot handlers tests benchmarks
	$(VENV)/bin/ruff format --check bot handlers tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q tests/test_layers.py

lint: $(STAMP)
	$(VENV)/bin/ruff check bot handlers tests benchmarks

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/engine_benchmark.py
