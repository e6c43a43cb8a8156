# Newsroom: `make run` serves the demo newsroom, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test venv deps dev-deps browser migrate demo lint bench check-deploy check-deploy-ci clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: browser tests will be skipped"; }

migrate: deps
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --no-logins
	$(PY) manage.py seed_demo_comments

# rundemo is runserver printing the demo logins last, after its own banner, so they stay on screen.
run: demo
	$(PY) manage.py rundemo $(HOST)

test: dev-deps browser check-deploy-ci
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks (docs/performance.md): needs wrk, PostgreSQL and Redis on loopback; BENCH_ARGS="--db sqlite" etc.
bench: dev-deps
	$(PY) bench/run_all.py $(BENCH_ARGS)

# The production deploy check against the current environment (docs/production.md).
check-deploy: deps
	DEBUG=False $(PY) manage.py check --deploy --fail-level WARNING

# CI: the deploy check under production settings, with a fresh random key each time. CI has no Akismet key (and
# no internet to verify one), so that one warning is silenced here; everything else must pass at WARNING level.
check-deploy-ci: deps
	DEBUG=0 SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=news.example.org SITE_URL=https://news.example.org CSRF_TRUSTED_ORIGINS=https://news.example.org \
	  REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" TASK_BACKEND=database SECURE_HSTS_PRELOAD=1 \
	  SILENCED_SYSTEM_CHECKS=comments.W001 \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
