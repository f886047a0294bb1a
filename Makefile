# Procure: `make run` serves the demo; `make test` runs the whole suite.
# Both keep their virtual environment in .venv/ and reuse it while it is up to date.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
ASSET_SOURCES := $(wildcard assets/*)

.PHONY: install run test test-fast lint fmt bench assets clean system-packages system-packages-test

install: system-packages $(VENV)/.installed procure/static/dist/STAMP

# Debian packages Procure needs (PDF libraries and fonts; for tests also chromium and
# poppler-utils): one list, in scripts/system_packages.py. Silent when nothing is missing;
# installs with apt-get where it can, otherwise says exactly what to install and stops.
system-packages:
	@$(PYTHON) scripts/system_packages.py run

system-packages-test:
	@$(PYTHON) scripts/system_packages.py test

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

test: system-packages-test install
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
