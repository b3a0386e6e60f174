"""Lists are newest first, through the viewer's incident views (`ORDER BY date_start DESC NULLS LAST, id DESC`).
PostgreSQL can walk an index in that order, testing each view against the list's filters until the page is full,
only if the index is in that order: the views' (org_id, date_start) index read backwards gives NULLS FIRST, so it
sorted every match instead (the owner's list by group since 2020 at a million claims: p95 103 ms before, 31 after).
SQLite walks (org_id, date_start) backwards already and refuses NULLS LAST in an index.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:00:00
"""

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

NAME = 'ix_incident_views_recent_org'  # made here for PostgreSQL, not by the models (jirga.db.migrations.env)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE INDEX {NAME} ON incident_views (org_id, date_start DESC NULLS LAST, incident_id DESC)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP INDEX {NAME}')
