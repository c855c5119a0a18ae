# Two commands matter on a fresh machine: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

CASSANDRA := $(BIN)/python scripts/cassandra_node.py
# The read-store suites run against a real Cassandra node; CI must not pass by skipping them.
# Likewise the browser tests: Chromium, ffmpeg and the built client are installed by make test itself.
TEST_ENV := STROM_TEST_CASSANDRA=127.0.0.1:9042 STROM_REQUIRE_CASSANDRA=1 STROM_REQUIRE_BROWSER=1
# Three Cassandra nodes on 127.0.0.11-13 for the node-failure test (tests/cluster): `make test` starts
# them fresh once the rest has passed and the single node is stopped (about 4 minutes on 2 cores).
CLUSTER := $(BIN)/python scripts/cassandra_cluster.py
CLUSTER_ENV := STROM_TEST_CASSANDRA_CLUSTER=127.0.0.11,127.0.0.12,127.0.0.13 STROM_REQUIRE_CASSANDRA_CLUSTER=1

.PHONY: run test lint format bench capacity install clean system-deps cassandra cassandra-stop web run-deps api-types
.PHONY: cassandra-cluster cassandra-cluster-stop test-cluster

# The web client: npm installs exactly what package-lock.json names; the build is redone when a source changes.
WEB_DEPS := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_BUILD)

# The client's API types, generated from the OpenAPI document the server states; both are committed, and
# tests/unit/test_web_client.py fails when they are stale. Run after changing what a route takes or answers.
api-types: install $(WEB_DEPS)
	$(BIN)/python scripts/openapi_json.py
	cd web && npm run gen

run: install run-deps web
	$(BIN)/strom run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

system-deps:
	@scripts/system_deps.sh

run-deps:
	@scripts/system_deps.sh run

cassandra: install system-deps
	$(CASSANDRA) start

cassandra-stop:
	$(CASSANDRA) stop

cassandra-cluster: install system-deps
	$(CLUSTER) start

cassandra-cluster-stop:
	$(CLUSTER) stop

test: system-deps web lint
	$(CASSANDRA) start --if-needed
	@trap '$(CASSANDRA) stop --if-started' EXIT INT TERM; $(TEST_ENV) $(BIN)/pytest --ignore=tests/cluster
	@$(MAKE) --no-print-directory test-cluster

test-cluster: install system-deps
	$(CLUSTER) start --fresh --if-needed
	@trap '$(CLUSTER) stop --if-started' EXIT INT TERM; $(CLUSTER_ENV) $(BIN)/pytest tests/cluster

bench: install system-deps web
	$(BIN)/python -m benchmarks.append
	$(BIN)/python -m benchmarks.api_commands
	$(BIN)/python -m benchmarks.http_stack
	$(BIN)/python -m benchmarks.session_check
	$(BIN)/python -m benchmarks.notification_stream
	$(BIN)/python -m benchmarks.command_cost
	$(BIN)/python -m benchmarks.upload
	$(BIN)/python -m benchmarks.transcode
	$(BIN)/python -m benchmarks.screening
	$(BIN)/python -m benchmarks.web_client
	$(BIN)/python -m benchmarks.recommend_offline
	$(BIN)/python -m benchmarks.recommend_adaptation
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.recommend_adaptation --scale 10 --people 6 --out benchmarks/results/recommend_adaptation_10x.json
	@# The node the benchmarks start compiles with C2, as a production node does: the tests' node stops at C1
	@# to start and warm up faster; a feed page cost that node about a third more CPU. A node already running
	@# is used as it is.
	CASSANDRA_JVM_EXTRA_OPTS="-XX:TieredStopAtLevel=4 $$CASSANDRA_JVM_EXTRA_OPTS" $(CASSANDRA) start --if-needed
	@trap '$(CASSANDRA) stop --if-started' EXIT INT TERM; export STROM_TEST_CASSANDRA=127.0.0.1:9042; \
	$(BIN)/python -m benchmarks.read_store && \
	$(BIN)/python -m benchmarks.feed_query && \
	$(BIN)/python -m benchmarks.projections

# The capacity plan for 100 M people (docs/capacity.md), recomputed from benchmarks/results/: run after bench.
capacity: install
	$(BIN)/python scripts/capacity.py --write

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache web/dist web/test-results
