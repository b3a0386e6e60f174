"""Pure extraction: (text, publication date) -> Extraction. No database, no I/O, no global state
beyond the read-only reference data, which is loaded once per process."""

from jirga.extract.pipeline import EXTRACTOR_VERSION, extract

__all__ = ["EXTRACTOR_VERSION", "extract"]
