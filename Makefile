# MyGov Platform. `make run` and `make test` work from a fresh clone: each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev migrate seed vendor-assets browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) mygov seed-demo

## run: set up, migrate, seed the demo city and serve http://127.0.0.1:5000 with the worker inside
## (another port: make run PORT=5001; the dev tenant's port is DEVTENANT_PORT, 5443 by default).
PORT ?= 5000
run: seed
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) run --host 127.0.0.1 --port $(PORT)

## test: set up the dev extra and run the whole suite (browser tests use Debian's Chromium;
## sign-in tests also start npm oidc-provider, installed from package-lock.json).
test: install-dev browser node_modules/.package-lock.json
	$(BIN)/python -m pytest

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

browser:
	@scripts/ensure-chromium.sh

## vendor-assets: re-fetch the pinned htmx and USWDS from the npm registry into static/vendor.
vendor-assets:
	scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
