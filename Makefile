# Every target that runs something first builds a local virtual environment from
# pyproject.toml, so a fresh machine with Python 3.11+ and make needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
OUT    ?= demo-output

.PHONY: install demo test typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/serostudy demo --out $(OUT)
	@echo "Open $(OUT)/report.html"

# Lint (ruff, pyproject.toml [tool.ruff]) and type check (mypy, [tool.mypy]) first: either fails `make test`.
test: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

typecheck: $(STAMP)
	$(BIN)/python -m mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) build src/*.egg-info .pytest_cache

# The whole real-data sweep against R (tests/sweep/): every table through the API and
# every default-policy Table 1 through the command line, with a summary of the largest
# differences per statistic.  `make test` runs the API sweep and a CLI subset.
.PHONY: sweep
sweep: $(STAMP)
	$(BIN)/python tests/sweep/run_sweep.py
