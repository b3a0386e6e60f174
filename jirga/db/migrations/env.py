"""Alembic environment: migrate the engine that Jirga passes in, or JIRGA_DATABASE_URL from the alembic CLI."""

from alembic import context
from sqlalchemy import create_engine

import jirga.db  # noqa: F401  (registers every table on Base)
from jirga.db.database import HAND_MADE, database_url
from jirga.db.schema import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(database_url(config.get_main_option("sqlalchemy.url")))


def include_object(obj, name, type_, reflected, compare_to):
    return not (name or "").startswith(HAND_MADE)


with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, include_object=include_object,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
