# analytics-elt — the two set-up commands: `make demo` and `make test`.
# Both create the virtual environment when it is missing; `make test` also starts a
# local Postgres (installing it with apt when absent) for the Postgres end-to-end tests.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# outside the checkout: the postgres system user must be able to reach it wherever CI clones
PGDATA ?= /tmp/analytics-elt-pgdata
PGPORT ?= 55432

.PHONY: demo test test-fast lint dbt venv postgres postgres-stop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/analytics-elt demo
	$(BIN)/analytics-elt sql apply --show daily_visitors
	$(BIN)/python scripts/show_tables.py analytics.duckdb

# the whole suite, Postgres included (CI runs exactly this)
test: $(STAMP) postgres
	ANALYTICS_ELT_PG_URL=postgresql://postgres:postgres@127.0.0.1:$(PGPORT)/analytics_test \
	$(BIN)/python -m pytest -q

# the fast subset for development: no slow end-to-end tests
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check sources simulators pipelines tests sql
	$(BIN)/mypy sources/common

# dbt build against the demo warehouse (make demo first)
dbt: $(STAMP)
	cd sql/dbt && DBT_DUCKDB_PATH=../../analytics.duckdb ../../$(BIN)/dbt build --profiles-dir .

postgres:
	PGDATA=$(PGDATA) PGPORT=$(PGPORT) bash scripts/start_postgres.sh

postgres-stop:
	PGDATA=$(PGDATA) PGPORT=$(PGPORT) bash scripts/start_postgres.sh stop

clean:
	rm -rf $(VENV) .pytest_cache analytics.duckdb
