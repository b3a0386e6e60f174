"""Source grades per organisation; a report's text unique per owner and source, not per source.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# SQLite reflects the first schema's unique constraint without a name; this names it so that it can be dropped.
NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD_UNIQUE = {"sqlite": "uq_reports_source_id_content_hash", "postgresql": "reports_source_id_content_hash_key"}

FTS_TRIGGERS = (
    "CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN "
    "INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN "
    "INSERT INTO reports_fts(reports_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER reports_fts_update AFTER UPDATE OF title, text ON reports BEGIN "
    "INSERT INTO reports_fts(reports_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _recreating() -> None:
    """SQLite rebuilds a table to drop a constraint or column: the rows that refer to it are checked at commit (when
    the rebuilt table has its name back), not when the old one is dropped."""
    if _sqlite():
        op.execute("PRAGMA defer_foreign_keys = ON")


def _restore_fts_triggers() -> None:
    # Dropping the old reports table dropped its triggers; the FTS index itself is keyed by id and stays valid.
    if _sqlite():
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS reports_fts_{name}")
        for trigger in FTS_TRIGGERS:
            op.execute(trigger)


def upgrade() -> None:
    _recreating()
    op.create_table('source_grades',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('reliability', sa.String(length=1), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('org_id', 'source_id')
    )
    # The one grade there was becomes the opinion of the organisation that first named the source.
    op.execute("INSERT INTO source_grades (org_id, source_id, reliability) "
               "SELECT owner_org_id, id, reliability FROM sources WHERE reliability <> 'F'")
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('reliability')
    with op.batch_alter_table('reports', schema=None, naming_convention=NAMES) as batch_op:
        batch_op.drop_constraint(OLD_UNIQUE[op.get_bind().dialect.name], type_='unique')
        batch_op.create_unique_constraint('uq_reports_owner_source_hash', ['owner_org_id', 'source_id', 'content_hash'])
    _restore_fts_triggers()


def downgrade() -> None:
    _recreating()
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reports_owner_source_hash', type_='unique')
        batch_op.create_unique_constraint(OLD_UNIQUE[op.get_bind().dialect.name], ['source_id', 'content_hash'])
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reliability', sa.String(length=1), nullable=False, server_default='F'))
    op.execute("UPDATE sources SET reliability = COALESCE((SELECT g.reliability FROM source_grades g "
               "WHERE g.source_id = sources.id AND g.org_id = sources.owner_org_id), 'F')")
    op.drop_table('source_grades')
    _restore_fts_triggers()
