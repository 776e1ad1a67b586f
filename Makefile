# cruce — run `make help` for the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "cruce needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install cruce with its development tools

DEMO_PORT ?= 8000

demo: $(STAMP) ## pack the bundled examples, then serve them with a demo sign-in (DEMO_PORT=8000)
	$(BIN)/cruce demo
	$(BIN)/cruce serve --demo --port $(DEMO_PORT)

lint: $(STAMP) ## ruff, formatting, mypy, import contracts, translation catalogs
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m cruce.i18n.catalog check

CHROMIUM_MISSING := the browser tests need Debian's Chromium; as root: apt-get install chromium

chromium: ## Debian's Chromium for the browser tests (apt-get install when it is missing)
	@command -v chromium >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null) || { echo "$(CHROMIUM_MISSING)" >&2; exit 2; }

test: lint chromium ## every check and every test (alembic check: the models and the migrations agree)
	rm -f $(VENV)/alembic-check.db $(VENV)/alembic-check.db-wal $(VENV)/alembic-check.db-shm
	CRUCE_DATABASE_URL=sqlite:///$(VENV)/alembic-check.db $(BIN)/alembic upgrade head
	CRUCE_DATABASE_URL=sqlite:///$(VENV)/alembic-check.db $(BIN)/alembic check
	$(BIN)/python -m pytest -n auto -p xdist

screenshots: $(STAMP) chromium ## every page in English and Spanish, desktop and phone (docs/screenshots), page weights (docs/web.md)
	CRUCE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -p no:randomly tests/browser/test_screenshots.py tests/browser/test_page_weight.py

bench: $(STAMP) ## load + check, landed cost, HTS lookups, origin, credential verification, the log: ratios to baselines
	$(BIN)/python benchmarks/bench_load_check.py
	$(BIN)/python benchmarks/bench_landed_cost.py
	$(BIN)/python benchmarks/bench_hts_lookup.py
	$(BIN)/python benchmarks/bench_origin.py
	$(BIN)/python benchmarks/bench_verify.py
	$(BIN)/python benchmarks/bench_log.py
	$(BIN)/python benchmarks/bench_pack.py
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null || { echo "bench_api needs wrk (apt-get install wrk)" >&2; exit 2; }
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_api_pack.py

schema: $(STAMP) ## regenerate the published schemas (shipment record, USMCA certification)
	$(BIN)/cruce schema > schema/shipment.schema.json
	$(BIN)/python -m cruce.artifacts.usmca_certification_json > schema/usmca-certification.schema.json

translations: $(STAMP) ## extract messages and update the catalogs
	$(BIN)/python -m cruce.i18n.catalog update

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

.PHONY: help install demo lint chromium test screenshots bench schema translations clean
