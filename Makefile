# Every target does its own set-up, so `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup corpus clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/jixiao ingest corpus --out outputs

# Our text reports rendered as PDF and Word (with their gold) into corpus/generated/.
corpus: $(STAMP)
	$(BIN)/python corpus/render.py

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) corpus/generated outputs/*.csv outputs/*.parquet outputs/text outputs/datapackage.json
