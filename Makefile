# Two commands set everything up on a fresh machine:
#   make demo   - install, then ingest the bundled examples into the default SQLite store and query it
#   make test   - install with test tools, then lint and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: demo test lint install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/jirga ingest examples --metadata examples/reports/metadata.csv --source "Jirga sample reports"
	$(BIN)/jirga incidents --actor "Islamic State" --limit 12
	$(BIN)/jirga search "hospital Quetta" --limit 3

lint: install-dev
	$(BIN)/ruff check jirga tests benchmarks

test: install-dev lint
	$(BIN)/python -m pytest

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/extract_speed.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
