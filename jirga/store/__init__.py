"""The store: schema, migrations and queries over SQLite (default) or PostgreSQL."""

from jirga.store.database import Store, StoreError, database_url, open_store

__all__ = ["Store", "StoreError", "database_url", "open_store"]
