# Two commands do everything: `make demo` and `make test` (each creates .venv as needed).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev,dist,oanda,ib]"
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	MPLBACKEND=Agg $(BIN)/python examples/sma_cross.py --plot out/sma_cross.png

test: $(STAMP_DEV)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks examples

bench: $(STAMP_DEV)
	$(BIN)/python benchmarks/sma_cross.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
