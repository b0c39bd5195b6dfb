# Homeward: set up and run on a fresh Debian machine with Python 3.11 and Node.
#   make demo   set up, load synthetic data, serve on http://127.0.0.1:8000
#   make test   set up, run the whole suite on SQLite and on PostgreSQL

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/homeward
SHELL := /bin/bash

# WeasyPrint (PDFs) lays text out with Pango; Debian's base images usually have it.
pdflibs:
	@ldconfig -p | grep -q libpangoft2-1.0 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }

.PHONY: demo test pdflibs test-sqlite test-postgres setup assets chromium postgres bench clean

setup: $(VENV)/.installed assets pdflibs

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Homeward needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

assets: homeward/web/static/build/.built

homeward/web/static/build/.built: package.json package-lock.json $(wildcard homeward/web/assets/*) scripts/build-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

demo: setup
	$(BIN)/homeward demo

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start"; exit 1

test: setup chromium postgres
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider

test-postgres:
	@echo "== test suite on PostgreSQL"
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules homeward/web/static/build static_build
