# The two set-up commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3 || command -v python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= out/demo

.PHONY: demo test lint format fixtures clean check-corpus

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_OUT)
	$(BIN)/tender init --example htlah-2016 $(DEMO_OUT)/tender
	$(BIN)/tender validate $(DEMO_OUT)/tender
	$(BIN)/tender score $(DEMO_OUT)/tender --out $(DEMO_OUT)/scores
	$(BIN)/tender award $(DEMO_OUT)/tender --out $(DEMO_OUT)/award
	$(BIN)/tender explain $(DEMO_OUT)/tender
	$(BIN)/tender report $(DEMO_OUT)/tender --out $(DEMO_OUT)/report
	@echo "demo outputs in $(DEMO_OUT)/; the panel's report: $(DEMO_OUT)/report/report.pdf"

test: lint
	$(BIN)/python -m pytest -q

# Every bad input through every command; ends with "N bad inputs tried, N rejected cleanly, ...".
check-corpus: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_reliability_corpus.py

# The performance benchmark (bench/run.py): one table and the issue-10 goals; about 70 minutes.
# BENCH_ARGS="--quick" for the examples and 200x100 only; results in bench/results/.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

fixtures: $(STAMP)
	$(BIN)/python tools/make_fixtures.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .ruff_cache
