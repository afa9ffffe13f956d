# HealthPro: `make run` to try it, `make test` to prove it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres lint format fuzz audit outdated bench install env migrate demo chromium totp help

help:
	@echo "make run            install, configure, migrate, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make test           the whole suite (browser tests included) on SQLite"
	@echo "make test-postgres  the suite on the local PostgreSQL and Redis"
	@echo "make lint           ruff, import contracts, house rules, missing migrations"
	@echo "make fuzz           schemathesis against the running API's OpenAPI schema (CI runs it)"
	@echo "make audit          known vulnerabilities in the installed packages (pip-audit; CI runs it)"
	@echo "make outdated       pinned requirements that have a newer release"
	@echo "make bench          benchmark commands (figures printed, not asserted)"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# A local .env with fresh secrets, written once and never overwritten (it is gitignored).
env: .env
.env: | install
	$(BIN)/python -m healthpro.bootstrap_env .env

migrate: install .env
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo
	$(MANAGE) seed_demo_records

run: demo
	@echo
	@echo "HealthPro is starting on http://$(HOST):$(PORT)/ — sign in with a demo account above."
	@echo "Admin site: http://$(HOST):$(PORT)/admin/ (needs the TOTP code: make totp EMAIL=admin@demo.healthpro.test)"
	@echo
	$(MANAGE) runserver $(HOST):$(PORT)

totp: install .env
	@$(MANAGE) demo_totp $(EMAIL)

# Browser tests drive Debian's chromium; install it when missing (root, as on our machines).
chromium:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)."; exit 1; \
		fi; }

test: install chromium
	$(BIN)/pytest

test-postgres: install chromium
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/healthpro} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} REQUIRE_POSTGRES=1 $(BIN)/pytest

# Style, the import contracts (.importlinter), the house rules (tools/house_rules.py) and no
# model change without its migration.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python tools/house_rules.py
	DJANGO_SETTINGS_MODULE=healthpro.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Schemathesis against a throwaway deployment on loopback (tools/api_fuzz.py): no 5xx, no answer
# outside the schema, with a doctor's and a patient's token.
fuzz: install
	$(BIN)/python -m tools.api_fuzz --examples $${FUZZ_EXAMPLES:-10}

# Known vulnerabilities in every installed package, with tools/vulnerability_allowlist.toml
# (tools/dependency_audit.py): exit 1 on a finding, 3 when the audit could not be made.
audit: install
	$(BIN)/python -m tools.dependency_audit

# The pins that have a newer release (README "Updating dependencies").
outdated: install
	$(BIN)/python -m tools.outdated

bench: install .env
	$(MANAGE) bench_audit --events 2000
	$(MANAGE) bench_password_hash --rounds 21
	$(MANAGE) bench_login
	$(MANAGE) bench_signup
	$(MANAGE) bench_records
	$(MANAGE) bench_export
