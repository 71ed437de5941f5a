# The two commands a newcomer needs:  `make run`  and  `make test`.
# Both create (or reuse) the virtual environment .venv/ at the project root.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## run: start Japri on its embedded defaults (no tokens needed)
run: $(STAMP)
	$(BIN)/japri serve --config config.yaml

## test: install everything and run every check (ruff, format, mypy, pytest)
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

## bench: matching quality and speed figures (see bench/README.md)
bench: $(STAMP)
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
