# Quick start: `make run` (set up and serve on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= $(or $(ACHATS_PORT),5000)
PYTEST_ARGS ?=

.PHONY: install assets run worker test test-browser test-postgres lint lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies come from the lock files, so a fresh install gets exactly what CI tested.
$(VENV)/.installed: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

achats/static/vendor/.built: node_modules/.installed scripts/build_assets.py | $(BIN)/python
	$(BIN)/python scripts/build_assets.py
	touch $@

install: $(VENV)/.installed achats/static/vendor/.built

assets: achats/static/vendor/.built

run: install
	$(BIN)/achats init
	$(BIN)/achats seed-demo --if-empty
	ACHATS_PORT=$(PORT) $(BIN)/achats serve --port $(PORT)

# The task consumer alone (make run starts one beside the server).
worker: install
	$(BIN)/achats worker

test: install
	$(BIN)/achats --help >/dev/null
	$(BIN)/pytest -m "not browser" -n 2 $(PYTEST_ARGS)

test-browser: install
	$(BIN)/pytest -m browser -p no:xdist $(PYTEST_ARGS)

# Style, the architecture's import contracts (pyproject.toml [tool.importlinter]) and the types.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Regenerate the lock files after changing dependencies in pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --output-file requirements/main.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --extra dev --output-file requirements/dev.lock pyproject.toml

bench: install
	$(BIN)/python bench/sockets.py

clean:
	rm -rf $(VENV) node_modules achats/static/vendor .pytest_cache
