# Every target installs into .venv first when it is missing or stale, so on a
# fresh machine with only Python 3.11+ `make demo` and `make test` are the whole set-up.
VENV    ?= .venv
BIN     := $(VENV)/bin
PYTHON  ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
             command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
             && { command -v $$p; break; }; done)
STAMP   := $(VENV)/.installed
DEMO_DIR ?= .demo
PYTEST_ARGS ?=

.PHONY: install demo test lint typecheck bench screenshots clean

$(STAMP): pyproject.toml constraints.txt $(wildcard plugins/*/pyproject.toml)
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is needed (python3.11 not found)"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]' -e plugins/llmops-openai -e plugins/llmops-judge-example
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/llmops demo --dir $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff format --check llmops_tui tests bench
	$(BIN)/ruff check llmops_tui tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/small_load.py
	$(BIN)/python bench/versions.py
	$(BIN)/python bench/canary_simulation.py
	$(BIN)/python bench/evals.py
	$(BIN)/python bench/gate_simulation.py

# README screenshots are the reviewed snapshot-test SVGs, under plain names.
screenshots: $(STAMP)
	$(BIN)/python -m pytest tests/snapshots -q
	@for f in tests/snapshots/__snapshots__/test_screens/*.svg; do \
	  n=$$(basename "$$f" .svg | sed 's/test_[a-z_]*screen\[\(.*\)\]/\1/; s/test_welcome_without_a_database/welcome/'); \
	  cp "$$f" "docs/screenshots/$$n.svg"; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DEMO_DIR)
