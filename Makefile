# Every target does its own set-up, so `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup corpus corpus-large bench clean

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

# The generated corpus: 60 departments × 5 years (seed 1), as text, PDF and Word, with gold.
LARGE := corpus/large
corpus-large: $(STAMP)
	$(BIN)/python corpus/generate.py --out $(LARGE) --seed 1 --departments 60 --years 5

# Speed and memory on the generated corpus: benchmarks/results.json and docs/benchmarks.md.
bench: $(STAMP)
	test -f $(LARGE)/g1_059_2025.pdf || $(MAKE) corpus-large
	$(BIN)/python benchmarks/bench.py $(LARGE)

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) corpus/generated $(LARGE) outputs/*.csv outputs/*.parquet outputs/text outputs/datapackage.json
