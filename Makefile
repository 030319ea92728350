# Safeguard Board. `make run` serves a local copy with demonstration data; `make test` runs the
# whole suite. Both make the virtual environment and install from the lock file first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test bench load assets lint format

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

install: $(BIN)/uv
	$(BIN)/uv sync --frozen --python $(BIN)/python

# `make run PORT=8001` serves on another port when 8000 is taken; links in emails follow it.
PORT ?= 8000

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_board
	$(BIN)/python manage.py load_demo
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite runs in parallel (pytest-xdist), one worker a core; TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: install
	$(BIN)/python manage.py bench $(BENCH_ARGS)

# Many signed-in people at once against gunicorn, on PostgreSQL (DATABASE_URL) at national scale.
load: install
	$(BIN)/python manage.py bench_load $(LOAD_ARGS)

# Rebuild static/css/main.css from static/scss/ and copy GOV.UK Frontend's script (needs npm).
assets:
	npm ci --no-audit --no-fund
	npm run build

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
