"""Jirga: a shared terrorism-incident picture for partner organisations that only partly trust each other.

The public surface, for scripts and notebooks (each name is imported on first use, so `import jirga` stays cheap):

    from jirga import extract, open_store, Viewer, Ingest, IngestOptions, read_inputs

    extraction = extract(text, published)            # pure: text -> incidents, meetings, relations, with spans
    store = open_store("jirga.db")                    # SQLite path or PostgreSQL URL, migrated on open
    Ingest(store, IngestOptions(), print).run(read_inputs(["reports/"]))

The packages, bottom to top (imports point down only; tests/test_layers.py checks it): errors and model, reference,
extract, ingest, fuse, db, access, store, pipeline, then the front ends cli and web.
"""

from __future__ import annotations

import importlib

from jirga.version import __version__

_PUBLIC = {
    "extract": "jirga.extract",
    "EXTRACTOR_VERSION": "jirga.extract",
    "Extraction": "jirga.model",
    "Incident": "jirga.model",
    "IncomingReport": "jirga.model.report",
    "read_inputs": "jirga.ingest.readers",
    "Store": "jirga.db",
    "open_store": "jirga.db",
    "Viewer": "jirga.access",
    "visible": "jirga.access",
    "audited": "jirga.access.acts",
    "Ingest": "jirga.pipeline.ingest",
    "IngestOptions": "jirga.pipeline.ingest",
    "create_app": "jirga.web.app",
    "JirgaError": "jirga.errors",
    "BadInput": "jirga.errors",
    "AccessError": "jirga.errors",
    "Conflict": "jirga.errors",
    "StoreError": "jirga.errors",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'jirga' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
