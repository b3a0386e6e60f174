"""The version of this Jirga, read by every layer (the extractor stamps it on what it extracts)."""

__version__ = "0.1.0"
