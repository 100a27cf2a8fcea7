# The two commands: `make demo` (the Thanh Miện demo on http://127.0.0.1:8000/)
# and `make test` (everything CI runs). Each creates its own virtualenv in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
CHECK_HOME := $(shell mktemp -d -u /tmp/ktxh-check.XXXXXX)

.PHONY: install demo test lint typecheck migrations-check test-sqlite test-postgres test-browser system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ktxh demo

lint: $(STAMP)
	$(BIN)/ruff check ktxh tests scripts bench
	$(BIN)/ruff format --check ktxh tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy

migrations-check: $(STAMP)
	KTXH_HOME=$(CHECK_HOME) DJANGO_SETTINGS_MODULE=ktxh.web.settings $(BIN)/django-admin makemigrations --check --dry-run
	rm -rf $(CHECK_HOME)

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: $(STAMP)
	$(BIN)/python scripts/require_postgres.py "$(PG_URL)"
	DATABASE_URL="$(PG_URL)" $(BIN)/pytest

system-deps:
	bash scripts/install-system-deps.sh

test-browser: $(STAMP) system-deps
	env -u DATABASE_URL $(BIN)/pytest tests/browser

test: lint typecheck migrations-check test-sqlite test-postgres test-browser

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
