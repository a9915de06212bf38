# Pioneer. The README's quickstart is `make run` and `make test`.
PORT ?= 8000
# Links in e-mails point at the port `make run` serves on, unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)
BIN := .venv/bin
PY := $(BIN)/python
# `make run` is the embedded shape: DEBUG, SQLite, inline tasks, no second factor.
RUN_ENV := DJANGO_DEBUG=1 SITE_URL=$(SITE_URL)

.PHONY: help setup run test lint format messages worker beat check-deploy lock clean bench

help:
	@echo "make run      set up, migrate, load the demo world, serve http://127.0.0.1:$(PORT)"
	@echo "make test     set up, then migrations check, ruff and the whole test suite"
	@echo "make worker   a Celery worker (needs REDIS_URL)"
	@echo "make beat     Celery beat with the one static schedule (needs REDIS_URL)"
	@echo "make messages refresh the .po files after changing strings"
	@echo "make bench    measure pages and jobs at N=1 and N=50 (PostgreSQL, Redis; see bench/)"

setup:
	@scripts/setup.sh

run: setup
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test:
	@scripts/setup.sh test
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages:
	$(PY) scripts/messages.py

worker: setup
	$(RUN_ENV) $(BIN)/celery -A pioneer worker --loglevel=INFO --concurrency=2

beat: setup
	$(RUN_ENV) $(BIN)/celery -A pioneer beat --loglevel=INFO --schedule=.celerybeat-schedule

# The deployment check with this shell's production values (SECRET_KEY, ALLOWED_HOSTS, ...).
check-deploy: setup
	DJANGO_DEBUG=0 PIONEER_REQUIRE_SECRET_KEY=1 $(PY) manage.py check --deploy --fail-level WARNING

# Rewrite requirements.txt and requirements-dev.txt (hashed) from pyproject.toml's ranges.
lock:
	@scripts/lock.sh

# The app as in production (gunicorn, PostgreSQL pioneer_bench, Redis db 5) over the N = 1 and
# N = 50 worlds; writes bench/results.json, bench/results.md, bench/p95.png. BENCH_ARGS=--quick
# for a short try, BENCH_SCALES=1,10 for other sizes.
bench:
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf .venv node_modules staticfiles db.sqlite3
