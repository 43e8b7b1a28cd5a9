# Every target does its own set-up, so `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup corpus corpus-large corpus-scanned bench bench-hostile bench-ocr bench-formats bench-cluster bench-realdocs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages, installed as root when missing (without root the tests that need them are skipped
# with a warning): Chromium and its chromium-driver, for the browser tests of the review site and
# the charts (and kaleido's PNG export of a chart); a Chinese font (WenQuanYi Zen Hei),
# to render our PDFs as scans (corpus/scan.py, the OCR tests); and the GL and GLib libraries that
# OpenCV (RapidOCR's image library) loads, where a minimal machine lacks them; LibreOffice without
# its desktop parts, which reads .doc, .wps, .rtf and .odt files (loaders/office.py; Calc lets the
# tests write .xls files). The text extraction never renders with the system's fonts (loaders/pdf.py),
# so its speed does not depend on them.
SYSTEM := $(VENV)/.system-packages
$(SYSTEM): $(STAMP)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-zenhei"; \
	$(BIN)/python -c "import cv2" 2>/dev/null || missing="$$missing libgl1 libglib2.0-0"; \
	command -v soffice >/dev/null && [ -e /usr/lib/libreoffice/program/libsclo.so ] \
	  || missing="$$missing libreoffice-writer-nogui libreoffice-calc-nogui"; \
	if [ -n "$$missing" ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) \
	  || echo "warning: could not install$$missing (root needed); the tests that need them will be skipped"; \
	fi
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/jixiao ingest corpus --out outputs
	$(BIN)/jixiao compare outputs --metric execution_rate --csv outputs/compare_execution_rate.csv \
	  --chart outputs/compare_execution_rate.html
	$(BIN)/jixiao review outputs

# Our text reports rendered as PDF and Word (with their gold) into corpus/generated/.
corpus: $(STAMP)
	$(BIN)/python corpus/render.py

# Our PDFs made into scans (image-only PDFs: 300 dpi clean, 200 dpi noisy with a seal and a
# signature), with their gold, into build/scanned/ (corpus/scan.py).
corpus-scanned: $(SYSTEM)
	test -f corpus/generated/101_jinjiang_education_2022.pdf || $(MAKE) corpus
	$(BIN)/python corpus/scan.py

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
	$(MAKE) bench-ocr
	$(MAKE) bench-formats
	$(MAKE) bench-cluster

# Scanned reports (issue 21): accuracy against the gold of their text, and OCR pages/s per core.
bench-ocr: corpus-scanned
	$(BIN)/python benchmarks/ocr.py

# Spreadsheets, .doc/.odt through LibreOffice and OFD (issue 22): files and pages per second of one worker.
bench-formats: $(SYSTEM)
	$(BIN)/python benchmarks/formats.py

# A Dask LocalCluster against the local process pool on corpus/large (issue 24): docs/scale.md.
bench-cluster: $(STAMP)
	test -f $(LARGE)/g1_059_2025.pdf || $(MAKE) corpus-large
	$(BIN)/python benchmarks/cluster.py $(LARGE) 2

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
	rm -rf $(VENV) corpus/generated build/scanned $(LARGE) outputs/*.csv outputs/*.parquet outputs/*.html outputs/text outputs/review outputs/datapackage.json
