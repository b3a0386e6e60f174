# Two commands set everything up on a fresh machine:
#   make demo   - install, then extract the bundled example reports (the main job)
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
	$(BIN)/jirga extract examples/reports --metadata examples/reports/metadata.csv --out $(OUT)/extracted
	$(BIN)/jirga extract examples/reports/107_quetta_police_college_wire.txt --published 2016-10-25 --format table
	@echo "One JSON file per report in $(OUT)/extracted/"

lint: install-dev
	$(BIN)/ruff check jirga tests benchmarks

test: install-dev lint
	$(BIN)/python -m pytest

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/extract_speed.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
