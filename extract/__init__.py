"""jixiao: performance self-evaluation reports → a normalized, traceable dataset.

`extract.load(out_dir)` and `extract.ingest(paths)` are the Python API (extract/api.py); pandas is
imported when they are first called, not by the command line."""
__version__ = "0.1.0"


def load(out_dir):
    """An output folder of `jixiao ingest` as typed pandas DataFrames (extract.api.Dataset)."""
    from .api import load as load_output
    return load_output(out_dir)


def ingest(paths, ocr: str = "auto"):
    """Run the pipeline in this process over files and folders; the tables as DataFrames. `ocr`:
    auto (scanned pages read by OCR), off or force, as `jixiao ingest --ocr`."""
    from .api import ingest as ingest_paths
    return ingest_paths(paths, ocr)
