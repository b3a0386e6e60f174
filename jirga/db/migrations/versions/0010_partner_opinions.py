"""Assessments say where they were made: here (`local`), or received from a partner as its opinion (`partner`),
which is shown but not counted in the consensus.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every assessment stored so far was made by an analyst of this instance.
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=16), nullable=False, server_default='local'))


def downgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('origin')
