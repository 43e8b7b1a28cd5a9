# Every target does its own set-up, so `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup corpus corpus-large bench bench-hostile bench-realdocs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The review page's test opens it in headless Chromium (a Debian package, installed as root when
# missing; without root the browser test is skipped with a warning). No CJK font is installed, so
# that the benchmarks stay comparable with docs/benchmarks.md (the tests pass either way).
SYSTEM := $(VENV)/.system-packages
$(SYSTEM): $(STAMP)
	@if ! command -v chromium >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "warning: could not install chromium (root needed); the browser test will be skipped"; \
	fi
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/jixiao ingest corpus --out outputs
	$(BIN)/jixiao compare outputs --metric execution_rate --csv outputs/compare_execution_rate.csv \
	  --chart outputs/compare_execution_rate.html

# Our text reports rendered as PDF and Word (with their gold) into corpus/generated/.
corpus: $(STAMP)
	$(BIN)/python corpus/render.py

# The generated corpus: 60 departments × 5 years (seed 1), as text, PDF and Word, with gold.
LARGE := corpus/large
corpus-large: $(STAMP)
	$(BIN)/python corpus/generate.py --out $(LARGE) --seed 1 --departments 60 --years 5

# Speed and memory on the generated corpus and on the real PDFs in ../shared/realdocs (left out with a
# note where it is absent): benchmarks/results.json and docs/benchmarks.md.
bench: $(STAMP)
	test -f $(LARGE)/g1_059_2025.pdf || $(MAKE) corpus-large
	$(BIN)/python benchmarks/bench.py $(LARGE)
	$(MAKE) bench-hostile

# Hostile inputs (issue 20) at ×1 and ×10 their size: time linear in the input (tables printed; the
# measured ones are kept in docs/benchmarks.md). Part of `make bench`.
bench-hostile: $(STAMP)
	$(BIN)/python benchmarks/pathological.py
	$(BIN)/python benchmarks/pathological_pdf.py

# The real PDFs alone; the generated corpus's figures are kept from the last `make bench`.
bench-realdocs: $(STAMP)
	$(BIN)/python benchmarks/bench.py --realdocs-only

test: $(STAMP) $(SYSTEM)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) corpus/generated $(LARGE) outputs/*.csv outputs/*.parquet outputs/text outputs/datapackage.json
