# Skriptoteket — one-word commands. `make help` lists them.
# The two that matter: `make run` starts everything on its defaults, `make test` runs every test.

SHELL := /bin/bash
CARGO ?= cargo
PYTHON ?= python3
VENV := .venv
NPM ?= npm
FRONTEND := frontend
RUNNER_IMAGE ?= skriptoteket-runner:latest
export SKRIPTOTEKET_TEST_POSTGRES_URL ?= postgres://skt:skt@127.0.0.1:5432/skt
export RUNNER_IMAGE

.DEFAULT_GOAL := help
.PHONY: help run test test-rust test-python openapi build-runner-image check-leftovers lint bench

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[1m%-20s\033[0m %s\n", $$1, $$2}'

run: build-runner-image fe-build ## Start Skriptoteket on its defaults (SQLite in ./data, local Docker engine, the built SPA)
	$(CARGO) run --release -p skriptoteket-server -- serve

test: build-runner-image test-python test-rust test-frontend check-leftovers ## Run every test (needs Docker, PostgreSQL and Chromium: see .ci/run)

test-rust: ## Rust tests on SQLite and PostgreSQL, with the real Docker runner
	SKRIPTOTEKET_TEST_DOCKER=1 $(CARGO) nextest run --workspace --no-fail-fast

test-python: $(VENV)/.ready ## The in-container wrapper's tests (pytest)
	$(VENV)/bin/python -m pytest runner/tests -q

$(VENV)/.ready: runner/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r runner/requirements-dev.txt
	touch $@

build-runner-image: ## Build the runner image if it is missing or stale (VERSION=tag to also tag it)
	bash scripts/build-runner-image.sh
	@if [ -n "$(VERSION)" ]; then docker tag $(RUNNER_IMAGE) skriptoteket-runner:$(VERSION); fi

openapi: ## Regenerate openapi/openapi.json from the code
	$(CARGO) run -q -p skriptoteket-server -- openapi > openapi/openapi.json

bench: build-runner-image ## Runner lifecycle benchmark beside a bare `docker run` (RUNS=20); numbers go into docs/performance.md
	$(CARGO) run --release -q -p skriptoteket-bench -- $(or $(RUNS),20)

lint: ## rustfmt and clippy
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

check-leftovers: ## Fail when a test left a container or volume of ours behind
	@left=$$(docker ps -aq --filter label=org.skriptoteket.managed=true); \
	vols=$$(docker volume ls -q --filter label=org.skriptoteket.managed=true); \
	if [ -n "$$left$$vols" ]; then echo "left behind: containers [$$left] volumes [$$vols]"; exit 1; fi; \
	echo "no skriptoteket containers or volumes left behind"

# --- Frontend (Vue SPA in frontend/; each target is also an `npm run` script there) ----------
.PHONY: fe-install fe-dev dev fe-gen-api fe-build test-frontend

fe-install: $(FRONTEND)/node_modules/.package-lock.json ## Install the frontend's packages (npm ci) when missing or older than the lock file

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && $(NPM) ci
	@touch $@

fe-dev: fe-install ## Vite dev server with hot reload on :5173, proxying /api to the backend on :8080
	cd $(FRONTEND) && $(NPM) run dev

dev: fe-install ## Backend (cargo run ... serve) and the Vite dev server together; Ctrl-C stops both
	@$(CARGO) run -p skriptoteket-server -- serve & backend=$$!; \
	trap 'kill $$backend 2>/dev/null; wait $$backend 2>/dev/null' EXIT INT TERM; \
	cd $(FRONTEND) && $(NPM) run dev

fe-gen-api: fe-install ## Regenerate frontend/src/api/schema.d.ts from openapi/openapi.json
	cd $(FRONTEND) && $(NPM) run gen:api

fe-build: fe-install ## Build the SPA into frontend/dist (what `skriptoteket serve` serves)
	cd $(FRONTEND) && $(NPM) run build

test-frontend: fe-install ## Frontend gates: typecheck, lint, schema drift, vitest, build, e2e in Chromium against the real binary
	cd $(FRONTEND) && $(NPM) run typecheck && $(NPM) run lint && $(NPM) run check:api && $(NPM) test && $(NPM) run build
	$(CARGO) build -q -p skriptoteket-server
	cd $(FRONTEND) && $(NPM) run e2e
