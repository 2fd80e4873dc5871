# mentormeet: `make run` serves the demo, `make test` runs the whole suite (SQLite, then PostgreSQL).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

.PHONY: run test install install-test chromium lint bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

webclient/node_modules/.installed: webclient/package.json webclient/package-lock.json
	cd webclient && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed webclient/node_modules/.installed

install-test: install $(VENV)/.installed-test chromium

# Browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null; then \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	  else echo "NOTE: /usr/bin/chromium not found and no apt-get: browser tests will be skipped"; fi; \
	fi

run: install
	$(BIN)/mentormeet db upgrade
	$(BIN)/mentormeet demo --if-empty
	$(BIN)/mentormeet serve --with-worker

test: install-test
	@echo "== test suite on SQLite =="
	$(BIN)/pytest $(PYTEST_ARGS)
	@echo "== test suite on PostgreSQL ($(TEST_POSTGRES_URL)) =="
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy server sessions bench
	MYPYPATH=tests $(BIN)/mypy tests/*.py tests/server tests/webclient
	MYPYPATH=tests:tests/sessions $(BIN)/mypy tests/sessions

bench-quick: install-test
	$(BIN)/python -m bench.media --quick

clean:
	rm -rf $(VENV) webclient/node_modules var .pytest_cache .mypy_cache .ruff_cache
