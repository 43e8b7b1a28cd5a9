"""jixiao: performance self-evaluation reports → a normalized, traceable dataset."""
__version__ = "0.1.0"
