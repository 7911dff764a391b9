# EngageML: `make demo` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENGAGE := .build/debug/engage

.PHONY: help bootstrap build lint format test fuzz-serve demo db-start db-stop bench bench-store bench-ml bench-serve bench-insights bench-events bench-scale clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

bootstrap: ## Install missing system packages (libmongoc, libbson, pkg-config, python3-venv)
	@scripts/bootstrap.sh

build: bootstrap ## Build the engage command
	swift build --product engage

lint: ## swift format lint --strict over Sources, Tests and Package.swift (the style in .swift-format)
	swift format lint --strict --recursive --parallel Sources Tests Package.swift

format: ## Rewrite Sources, Tests and Package.swift in the style of .swift-format
	swift format --in-place --recursive --parallel Sources Tests Package.swift

test: bootstrap lint ## Lint, a 30 s fuzz of the served API, then the test suite (the dashboard in headless chromium too) against a fresh embedded database (or $ENGAGE_MONGODB_URI)
	@scripts/bootstrap.sh --browser
	FUZZ_SECONDS=30 scripts/fuzz-serve.sh
	rm -rf .engage/test-db
	DB_DIR=.engage/test-db scripts/db.sh run bash -c 'swift test --skip BrowserTests && swift test --skip-build --filter BrowserTests'

fuzz-serve: bootstrap ## schemathesis against openapi.yaml and operator objects in raw documents, on a served registry (FUZZ_SECONDS, default 120)
	scripts/fuzz-serve.sh

demo: build ## Start the database, load seeds, build features, train, report, predict
	scripts/demo.sh

db-start: ## Start the embedded database (data in .engage/db) and print its URI
	@scripts/db.sh start

db-stop: ## Stop the embedded database
	@scripts/db.sh stop

bench: bench-store bench-ml bench-serve bench-insights bench-events ## Run every benchmark against its peer

bench-store: bootstrap ## Client CPU of insert/find/aggregate, 50k TikTok documents, vs pymongo
	scripts/bench-store.sh

bench-events: bootstrap ## Client CPU of collect events vs pymongo insert_many (EVENTS=1000000), and the audience build time
	scripts/bench-events.sh

bench-scale: bootstrap ## Fit time per row and peak memory of the four estimators at 200k, 1M, 5M rows; hist vs exact trees vs LightGBM
	scripts/bench-scale.sh

bench-ml: bootstrap ## Fit time and quality of the four estimators vs scikit-learn on the shared datasets
	scripts/bench-ml.sh

bench-serve: bootstrap ## Requests/s and p99 of engage serve vs Flask, FastAPI and the Hummingbird ceiling (wrk)
	scripts/bench-serve.sh

bench-insights: bootstrap ## p95 of every dashboard page and JSON panel (wrk c16) vs the Hummingbird ceiling; insights vs features build time
	scripts/bench-insights.sh

clean: ## Remove build products and local data (stops the database first)
	-scripts/db.sh stop
	rm -rf .build .engage bench-results
