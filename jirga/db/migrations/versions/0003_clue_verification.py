"""Clue verification: incident history, analysts' cannot-link decisions, the conflict flag.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:05:30.544922
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

RECENT_INDEXES = ("status", "country", "province_code")


def upgrade() -> None:
    op.create_table('incident_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_history_incident_id'), ['incident_id'], unique=False)

    op.create_table('cannot_link',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ),
    sa.PrimaryKeyConstraint('report_id', 'event', 'incident_id')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_conflict', sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        # Listings are newest first; PostgreSQL can walk these in that order instead of sorting every match.
        # (SQLite walks its (column, date_start) indexes backwards and refuses NULLS LAST in an index.)
        for column in RECENT_INDEXES:
            op.execute(f"CREATE INDEX ix_incidents_recent_{column} ON incidents "
                       f"({column}, date_start DESC NULLS LAST, id DESC)")



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in RECENT_INDEXES:
            op.execute(f"DROP INDEX ix_incidents_recent_{column}")
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('has_conflict')

    op.drop_table('cannot_link')
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_history_incident_id'))

    op.drop_table('incident_history')
