# The two README commands: `make run` (the app on http://127.0.0.1:8050) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050
WORKERS ?= 2
TIPS_PORT ?= 8060
TIPS_WORKERS ?= 2

.PHONY: run test lint venv dev-deps browser-deps ops-deps ops-check geodata train validate bench load-bench clean db admin worker audit send-tips beat

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Production path: the dashboard (gunicorn, app.wsgi:server) and the tips service (gunicorn + uvicorn workers,
# tips.main:app) together, from the Procfile, with honcho (no --preload: each worker builds its own app).
run: $(VENV)/.installed db
	HOST=$(HOST) DASH_PORT=$(PORT) WORKERS=$(WORKERS) TIPS_PORT=$(TIPS_PORT) TIPS_WORKERS=$(TIPS_WORKERS) \
		$(BIN)/honcho start

# Debian chromium + chromium-driver for the browser tests, poppler-utils to render report PDFs, mosquitto (+ clients)
# for the tip delivery tests, which start their own broker (skipped if present).
SYSTEM_PACKAGES := chromium chromium-driver poppler-utils mosquitto mosquitto-clients
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v pdftoppm >/dev/null \
		&& command -v mosquitto_passwd >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; fi

# Debian prometheus (prometheus + promtool) and prometheus-alertmanager (amtool) for tests/ops: alert-rule unit
# tests, config checks and a real scrape (skipped if present).
OPS_PACKAGES := prometheus prometheus-alertmanager
ops-deps:
	@if command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v amtool >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OPS_PACKAGES) >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OPS_PACKAGES) >/dev/null; fi

# The deployment files checked by their own tools (also part of `make test`, in tests/ops/test_deploy.py).
ops-check: $(VENV)/.installed-dev ops-deps
	promtool check rules deploy/prometheus/alerts.yml
	cd deploy/prometheus && promtool test rules alerts_test.yml
	amtool check-config deploy/alertmanager/alertmanager.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml
	$(BIN)/kubernetes-validate --strict -k 1.33.0 $$(ls deploy/k8s/*.yaml | grep -v kustomization)
	$(BIN)/hadolint Dockerfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check app geodata training tips bench tests
	$(BIN)/ruff format --check app geodata training tips bench tests

test: $(VENV)/.installed-dev browser-deps ops-deps lint
	$(BIN)/python -m pytest --cov --cov-report=term

# Known vulnerabilities in the pinned runtime dependencies (pip-audit, PyPI's advisory data).
# --strict: a package that cannot be audited fails the target instead of passing silently.
# Not part of `make test`/CI: this machine cannot reach an advisory database (README "Dependency audit").
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --requirement requirements.txt --no-deps --disable-pip --strict --progress-spinner off

# The admin database (SQLite in instance/, or DATABASE_URL): create or upgrade its schema.
db: $(VENV)/.installed
	$(BIN)/python -m app.cli db upgrade

# An admin account: make admin ADMIN_USER=ana (asks for the password twice).
admin: db
	$(BIN)/python -m app.cli create-admin $(ADMIN_USER)

# Retraining worker for scale-out (needs REDIS_URL; without it the app starts jobs itself).
worker: $(VENV)/.installed
	$(BIN)/celery -A app.worker worker --concurrency 1 --loglevel INFO

# Celery beat: the weekly tips every Monday 09:00 (Lima) on the Redis/Celery set-up (needs REDIS_URL and `make worker`).
beat: $(VENV)/.installed
	$(BIN)/celery -A app.worker beat --loglevel INFO

# The week's tips for every subscriber, published over MQTT_URL (a cron host: once a week; safe to rerun).
send-tips: $(VENV)/.installed db
	$(BIN)/python -m tips.cli send-week

geodata: $(VENV)/.installed
	$(BIN)/python -m geodata.build

# A new model version under models/ (not activated unless ARGS=--activate).
train: $(VENV)/.installed
	$(BIN)/python -m training.train $(ARGS)

# Validation of the department estimators (split-sample and forecast, 3 seeds): JSON on stdout and in bench/validation.json.
validate: $(VENV)/.installed
	$(BIN)/python -m training.validate --seeds 1 2 3 --out bench/validation.json

bench: $(VENV)/.installed-dev browser-deps
	$(BIN)/python -m bench.model_bench
	$(BIN)/python -m bench.dashboard_bench
	$(BIN)/python -m bench.export_bench
	$(BIN)/python -m bench.tips_bench
	$(BIN)/python -m bench.load_bench
	$(BIN)/python -m bench.tips_service_bench
	$(BIN)/python -m bench.tips_delivery_bench

# Locust against gunicorn on loopback (JSON report); LOAD_DURATION=2m for the issue's full run.
load-bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.load_bench

clean:
	rm -rf $(VENV) .pytest_cache .coverage instance
