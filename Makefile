# archiver — developer entry points. `make run` and `make test` are all you need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint typecheck unit bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/archiver run

lint: install
	$(BIN)/ruff check archiver tests bench
	$(BIN)/ruff format --check archiver tests bench
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint unit

bench: install
	$(BIN)/python bench/extraction.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
