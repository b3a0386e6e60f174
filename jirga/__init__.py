"""Jirga: a shared terrorism-incident picture for partner organisations that only partly trust each other."""

__version__ = "0.1.0"
