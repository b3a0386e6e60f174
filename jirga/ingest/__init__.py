"""Readers that turn files, pages, feeds and bundles into report text."""
