# Kirana — the two commands in the README are `make up` and `make test`; everything else is here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
WEB_OUT := src/kirana/static/app/index.html
WEB_SRC := $(shell find web -path web/node_modules -prune -o -type f -print 2>/dev/null)
WEB_SRC += src/kirana/seed/catalog_data/product_art.json  # the product pictures the build ships
PYTEST_WORKERS ?= 2
BENCHMARKS := benchmarks/catalog_listing.py benchmarks/order_placement.py benchmarks/relay.py benchmarks/web_budget.py benchmarks/search.py benchmarks/recommendations.py benchmarks/tracking.py benchmarks/serviceability.py benchmarks/simulate.py benchmarks/dispatch.py

.PHONY: up test install web lint typecheck test-py test-web bench openapi clean

up: install web ## run the platform: migrate, seed the demo city, serve at http://127.0.0.1:8000
	$(BIN)/kirana up

test: install web lint typecheck test-web test-py ## the whole suite: lint, types, import contracts, web unit tests, pytest on SQLite and PostgreSQL, browser e2e

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@echo "==> Python environment ($(PYTHON))"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

web: $(WEB_OUT)

$(WEB_OUT): $(WEB_SRC)
	@if [ -f web/package.json ]; then \
		echo "==> Web app (npm ci && vite build)"; \
		npm --prefix web ci --no-audit --no-fund --loglevel=error && npm --prefix web run build; \
	else echo "(no web app yet)"; fi

lint:
	$(BIN)/ruff check src tests benchmarks migrations
	$(BIN)/ruff format --check src tests benchmarks migrations
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

test-web:
	npm --prefix web run gen:client -- --check  # schema.d.ts is what web/openapi.json gives
	npm --prefix web run lint
	npm --prefix web run format:check
	npm --prefix web test

# pytest exits 5 when it collected no test: a suite that lost its tests fails, saying so.
NO_TESTS = { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests (exit 5): the suite is missing" >&2; exit $$rc; }

test-py:
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not e2e" || $(NO_TESTS)
	$(BIN)/pytest -p no:cacheprovider -m e2e || $(NO_TESTS)

bench: install web ## every benchmark; results land in benchmarks/results/
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@for b in $(BENCHMARKS); do echo "==> $$b"; $(BIN)/python $$b || exit 1; done

openapi: install
	npm --prefix web run openapi

clean:
	rm -rf $(VENV) web/node_modules src/kirana/static/app var test-artifacts
