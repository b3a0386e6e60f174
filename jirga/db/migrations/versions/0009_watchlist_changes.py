"""Watchlists remember the last claim their user saw, so that changes to watched incidents can be told.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing watchlists start from the newest claim: nothing stored before the upgrade counts as a change.
    with op.batch_alter_table('watchlists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claims_seen_up_to', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE watchlists SET claims_seen_up_to = (SELECT COALESCE(MAX(id), 0) FROM claims)")


def downgrade() -> None:
    with op.batch_alter_table('watchlists', schema=None) as batch_op:
        batch_op.drop_column('claims_seen_up_to')
