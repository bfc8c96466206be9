# Posluhy — every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
TRANSLATIONS := webapp/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help install lock run serve migrate demo demo-cases deploy check-services scenarios test lint typecheck imports unit pytest \
        translations extract-messages clean bench

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# requirements.lock pins every runtime and development package, with hashes, for Linux, macOS and Windows;
# `make lock` regenerates it from pyproject.toml with uv (itself pinned there as a development tool).
LOCK := requirements.lock
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes --quiet \
	--custom-compile-command 'make lock' --output-file $(LOCK)

# Every requirement of pyproject.toml, the dev extra included, must be met by what the lock installed.
define CHECK_LOCK
import importlib.metadata as md, sys
from packaging.requirements import Requirement
unmet = []
for req in map(Requirement, md.requires("posluhy") or []):
    if req.marker is not None and not req.marker.evaluate({"extra": "dev"}):
        continue
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        unmet.append(f"{req} (not in the lock)")
        continue
    if not req.specifier.contains(version, prereleases=True):
        unmet.append(f"{req} (the lock has {version})")
if unmet:
    sys.exit("$(LOCK) does not satisfy pyproject.toml: " + "; ".join(unmet) + ". Run 'make lock', commit both files.")
endef
export CHECK_LOCK

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.installed: $(LOCK) pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@$(PY) -c "$$CHECK_LOCK"
	$(BIN)/pip check --quiet
	touch $@

install: $(VENV)/.installed translations ## Create .venv and install the locked packages, then the platform itself

lock: | $(VENV)/bin/python ## Regenerate requirements.lock from pyproject.toml, keeping pins (UPGRADE="pkg …" or UPGRADE=all moves them)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet "$$(grep -m1 '^uv==' $(LOCK) | cut -d' ' -f1)"
	$(UV_COMPILE) $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))
	$(MAKE) install

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -l $*

translations: $(MO_FILES) ## Compile the message catalogues

extract-messages: install ## Extract UI strings into webapp/translations/messages.pot and update the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --no-wrap

migrate: install ## Create or upgrade the database (DATABASE_URL, default SQLite under var/)
	$(BIN)/posluhy migrate

demo: migrate ## Load the demo organisations and demo users (password: demo)
	$(BIN)/posluhy demo

deploy: migrate ## Deploy every changed diagram in processes/ as a new service version
	$(BIN)/posluhy deploy

demo-cases: demo deploy ## Demo data for /statistics: completed, rated applications over the past 6 months (once)
	$(BIN)/posluhy demo-cases

check-services: install ## Run `posluhy check` over processes/ and forms/
	$(BIN)/posluhy check processes forms

# Unless POSLUHY_OIDC_PROVIDERS is set, `make run` starts a demo identity provider on IDP_PORT (the tests' real
# OpenID Connect provider, tests/fixtures/oidc/provider.py, with the demo people listed in the README).
IDP_PORT ?= 9400
DEMO_IDP_ENV := POSLUHY_OIDC_PROVIDERS=demo POSLUHY_OIDC_DEMO_ISSUER=http://127.0.0.1:$(IDP_PORT) \
	POSLUHY_OIDC_DEMO_CLIENT_ID=posluhy-demo POSLUHY_OIDC_DEMO_CLIENT_SECRET=demo \
	POSLUHY_OIDC_DEMO_DISPLAY_NAME="Демо-ID" POSLUHY_OIDC_DEMO_DISPLAY_NAME_EN="Demo ID" \
	POSLUHY_OIDC_DEMO_SCOPES="openid profile email phone" POSLUHY_OIDC_DEMO_CLAIMS='{"tax_number": "rnokpp"}'

run: demo deploy demo-cases ## Install, migrate, load demo data and services, serve on http://127.0.0.1:8000 (PORT=…) with the worker
	@echo "Serving on http://$(HOST):$(PORT) — demo logins: citizen, official, analyst, admin (password: demo)"
	@# The background worker runs as a second process next to gunicorn (never inside a request worker)
	@# and is stopped when gunicorn exits; so is the demo identity provider.
	$(BIN)/posluhy worker & worker=$$!; idp=; \
	if [ -z "$$POSLUHY_OIDC_PROVIDERS" ]; then \
	  $(PY) -m tests.fixtures.oidc.provider --demo --port $(IDP_PORT) & idp=$$!; \
	  export $(DEMO_IDP_ENV); \
	  echo "Demo identity provider on http://127.0.0.1:$(IDP_PORT): 'Sign in with Demo ID' (its people are in the README)"; \
	fi; \
	export POSLUHY_BASE_URL=$${POSLUHY_BASE_URL:-http://$(HOST):$(PORT)}; \
	trap 'kill $$worker $$idp 2>/dev/null; wait $$worker $$idp 2>/dev/null' EXIT; \
	$(BIN)/gunicorn --preload --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'webapp.wsgi:app'

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install ## mypy in strict mode
	$(BIN)/mypy

imports: install ## import-linter: the layering contracts
	$(BIN)/lint-imports

pytest: install ## Only the pytest suite (integration tests on PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest -q -n 2

scenarios: install ## Run every service's scenario files in memory (`posluhy test processes`)
	$(BIN)/posluhy test processes

test: lint typecheck imports check-services scenarios pytest ## Everything CI runs: lint, types, layering, service checks, scenarios, tests

bench: install ## Benchmarks: API vs bare engine, HTML vs API, SQL per step, loop, catalog (not in `make test`; SECTION=loop QUICK=1 BENCH_ARGS=--json)
	$(PY) -m tests.bench $(if $(SECTION),--section $(SECTION)) $(if $(QUICK),--quick) $(BENCH_ARGS)

clean: ## Remove the virtualenv, caches and the local database
	rm -rf $(VENV) .mypy_cache .ruff_cache var/posluhy.db* var/uploads
