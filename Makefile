# The two commands: `make run` serves the whole product, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://intake:intake@127.0.0.1:5432/intake

.PHONY: run serve loadtest test lint typecheck test-sqlite test-postgres bench install

$(VENV)/.installed: pyproject.toml
	@# Debian's own python3 ships venv without ensurepip; its python3-venv package adds it.
	$(PYTHON) -c "import ensurepip" 2>/dev/null || (apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The development server: DEBUG on (the built-in key, plain-HTTP cookies); production is `make serve`.
# Another address: `make run RUN_ADDR=127.0.0.1:8123` (the printed links follow it).
RUN_ADDR ?= 127.0.0.1:8000
run: export DJANGO_DEBUG ?= true
run: $(VENV)/.installed
	bash .ci/ensure-redis
	bash .ci/ensure-weasyprint
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --base-url http://$(RUN_ADDR)
	$(PY) manage.py demo_public_action --base-url http://$(RUN_ADDR)
	$(PY) manage.py demo_cases
	$(PY) manage.py run_embedded $(RUN_ADDR)

# Production on this machine, from the environment (README "Deploy"): gunicorn and the event worker.
serve: $(VENV)/.installed
	bash .ci/ensure-weasyprint
	PY=$(PY) bash deploy/serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

# The whole suite on SQLite, then again on PostgreSQL (installed and started by .ci/ensure-postgres),
# where the tests marked `postgres` (concurrency, scale) run too.
test-sqlite: $(VENV)/.installed
	bash .ci/ensure-redis
	bash .ci/ensure-chromium
	bash .ci/ensure-clamav
	bash .ci/ensure-weasyprint
	$(PY) -m pytest -m "not postgres" -n 2 --dist loadfile

test-postgres: $(VENV)/.installed
	bash .ci/ensure-postgres
	bash .ci/ensure-redis
	bash .ci/ensure-chromium
	bash .ci/ensure-clamav
	bash .ci/ensure-weasyprint
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -n 2 --dist loadfile

# The public action flow under load against gunicorn on PostgreSQL, with a bad-token flood (README "Reliability").
LOADTEST_PG_URL ?= postgres://intake:intake@127.0.0.1:5432/intake_loadtest
loadtest: $(VENV)/.installed
	bash .ci/ensure-postgres
	$(PY) -m loadtest --database-url $(LOADTEST_PG_URL)

test: lint typecheck test-sqlite test-postgres loadtest

# Benchmarks on SQLite (embedded defaults) and on a local PostgreSQL; tables in bench-results-*.json.
BENCH_SQLITE_URL := sqlite:///$(CURDIR)/data/bench.sqlite3
BENCH_PG_URL ?= postgres://intake:intake@127.0.0.1:5432/intake_bench
# Production settings (DEBUG off) on plain HTTP over loopback, with a throwaway key.
bench: export DJANGO_SECRET_KEY ?= bench-only-$(shell $(PYTHON) -c 'import secrets; print(secrets.token_hex(24))')
bench: export DJANGO_SECURE_SSL_REDIRECT ?= false
# Every simulated client is 127.0.0.1: the limits stay in the path (one upsert per request) but never refuse.
bench: export RATE_LIMIT_PUBLIC_PER_ADDRESS ?= 100000000/hour
bench: export RATE_LIMIT_PUBLIC_PER_TOKEN ?= 100000000/hour
# Acceptance queues scans on the broker as in production; a Redis db of its own, dropped after the run.
bench: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
bench: $(VENV)/.installed
	bash .ci/ensure-redis
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	mkdir -p data
	DATABASE_URL=$(BENCH_SQLITE_URL) $(PY) manage.py migrate --noinput -v0
	DJANGO_DEBUG=false DATABASE_URL=$(BENCH_SQLITE_URL) $(PY) manage.py bench --output bench-results-sqlite.json
	bash .ci/ensure-postgres
	DATABASE_URL=$(BENCH_PG_URL) $(PY) manage.py migrate --noinput -v0
	DJANGO_DEBUG=false DATABASE_URL=$(BENCH_PG_URL) $(PY) manage.py bench --output bench-results-postgres.json
