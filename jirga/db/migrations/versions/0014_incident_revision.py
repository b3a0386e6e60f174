"""Each incident counts its summaries (`incidents.revision`): the batched writer keeps a big incident's consensus in
memory between the batches of an ingest run (`jirga.store.tallies`) and knows by this number whether anything else
summarised the incident meanwhile (an analyst's verdict, a merge, a partner's report).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    # Not a batch operation: SQLite (3.35 on) drops a column in place, where a batch would copy the whole table.
    op.execute('ALTER TABLE incidents DROP COLUMN revision')
