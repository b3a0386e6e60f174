"""The store: schema, migrations and queries over SQLite (default) or PostgreSQL."""

import jirga.access.models  # noqa: F401  (registers the access tables on the same Base)
from jirga.store.database import Store, StoreError, database_url, open_store

__all__ = ["Store", "StoreError", "database_url", "open_store"]
