"""Incidents as each audience sees them: one view per audience, with its actor links.

Until this revision claims fused only within one audience, so every stored incident is seen whole by whoever sees
it: its views are copies of its own summary. An incident marked TLP:CLEAR or GREEN gets the view for every
organisation (org_id 0); any other gets one for its owner and, for TLP:AMBER with a sharing group, one for each
other member of that group.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SUMMARY = ('kind', 'date_start', 'date_end', 'date_precision', 'place_id', 'country', 'province_code', 'attack_type',
           'target_type', 'killed_low', 'killed_best', 'killed_high', 'injured_low', 'injured_best', 'injured_high',
           'report_count', 'has_conflict')

# (incident, audience) pairs of the incidents stored so far.
AUDIENCES = """
    SELECT id AS incident_id, 0 AS org_id FROM incidents WHERE tlp IN ('clear', 'green')
    UNION
    SELECT id, owner_org_id FROM incidents WHERE tlp NOT IN ('clear', 'green')
    UNION
    SELECT i.id, m.org_id FROM incidents i JOIN sharing_group_members m ON m.group_id = i.sharing_group_id
    WHERE i.tlp = 'amber'
"""


def upgrade() -> None:
    op.create_table(
        'incident_views',
        sa.Column('incident_id', sa.Integer(), sa.ForeignKey('incidents.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('org_id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('kind', sa.String(24), nullable=False),
        sa.Column('date_start', sa.Date(), nullable=True),
        sa.Column('date_end', sa.Date(), nullable=True),
        sa.Column('date_precision', sa.String(8), nullable=True),
        sa.Column('place_id', sa.String(200), nullable=True),
        sa.Column('country', sa.String(2), nullable=True),
        sa.Column('province_code', sa.String(12), nullable=True),
        sa.Column('attack_type', sa.String(40), nullable=True),
        sa.Column('target_type', sa.String(40), nullable=True),
        *[sa.Column(f'{name}_{part}', sa.Integer(), nullable=True)
          for name in ('killed', 'injured') for part in ('low', 'best', 'high')],
        sa.Column('report_count', sa.Integer(), nullable=False),
        sa.Column('has_conflict', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_incident_views_date', 'incident_views', ['date_start'])
    op.create_index('ix_incident_views_org_date', 'incident_views', ['org_id', 'date_start'])
    op.create_index('ix_incident_views_org_country_date', 'incident_views', ['org_id', 'country', 'date_start'])
    op.create_index('ix_incident_views_org_province_date', 'incident_views',
                    ['org_id', 'province_code', 'date_start'])
    op.create_table(
        'incident_view_actors',
        sa.Column('incident_id', sa.Integer(), sa.ForeignKey('incidents.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('org_id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('actor_id', sa.String(120), primary_key=True),
        sa.Column('role', sa.String(16), primary_key=True),
    )
    op.create_index('ix_incident_view_actors_actor', 'incident_view_actors', ['actor_id', 'org_id', 'incident_id'])
    columns = ', '.join(SUMMARY)
    op.execute(f"INSERT INTO incident_views (incident_id, org_id, {columns}) "
               f"SELECT a.incident_id, a.org_id, {', '.join('i.' + name for name in SUMMARY)} "
               f"FROM ({AUDIENCES}) a JOIN incidents i ON i.id = a.incident_id")
    op.execute("INSERT INTO incident_view_actors (incident_id, org_id, actor_id, role) "
               "SELECT v.incident_id, v.org_id, l.actor_id, l.role FROM incident_views v "
               "JOIN incident_actors l ON l.incident_id = v.incident_id")


def downgrade() -> None:
    op.drop_table('incident_view_actors')
    op.drop_table('incident_views')
