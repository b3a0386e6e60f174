"""Every table (the access tables included), one Alembic history, and `Store` / `open_store` over SQLite or
PostgreSQL. Nothing here knows who is asking: reads go through `jirga.access`, writes through `jirga.store`."""

from jirga.db import access_schema, share_schema, train_schema  # noqa: F401  (register their tables on one Base)
from jirga.db.database import Store, StoreError, database_url, open_store

__all__ = ["Store", "StoreError", "database_url", "open_store"]
