# Procure: `make run` serves the demo; `make test` runs the whole suite.
# Both keep their virtual environment in .venv/ and reuse it while it is up to date.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
ASSET_SOURCES := $(wildcard assets/*)

.PHONY: install run test test-fast lint fmt bench assets clean

install: $(VENV)/.installed procure/static/dist/STAMP

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Built assets are generated here and never committed.
procure/static/dist/STAMP: node_modules/.installed $(ASSET_SOURCES)
	node assets/build.mjs

assets: procure/static/dist/STAMP

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Serving Procure on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules procure/static/dist
