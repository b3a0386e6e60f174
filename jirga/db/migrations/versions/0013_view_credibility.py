"""Each incident view carries what the low-credibility filter reads (`jirga.store.credibility`): whether the claims
its audience sees are corroborated (two sources or more, an analyst's claim, an analyst's agreement), else the one
source and grading organisation they rest on. And indexes: for reading possible duplicates by date precision,
and for the triage list's sorts by killed, injured and number of reports.

The backfill computes, for every view, exactly what the writer (`jirga.store.summary`) computes: the claims and
verdicts the view's audience sees are those its organisation owns, those marked TLP:CLEAR or GREEN, and TLP:AMBER
ones of a sharing group it belongs to (the everyone view, organisation 0, owns none and is in no group).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

SORTED = ('killed_best', 'injured_best', 'report_count')
views = sa.table('incident_views', sa.column('incident_id', sa.Integer()), sa.column('org_id', sa.Integer()),
                 sa.column('corroborated', sa.Boolean()), sa.column('sole_source_id', sa.Integer()),
                 sa.column('sole_source_org_id', sa.Integer()))
claims = sa.table('claims', sa.column('id', sa.Integer()), sa.column('incident_id', sa.Integer()),
                  sa.column('report_id', sa.Integer()), sa.column('origin', sa.String()),
                  sa.column('retired', sa.Boolean()), sa.column('owner_org_id', sa.Integer()),
                  sa.column('tlp', sa.String()), sa.column('sharing_group_id', sa.Integer()))
reports = sa.table('reports', sa.column('id', sa.Integer()), sa.column('source_id', sa.Integer()),
                   sa.column('owner_org_id', sa.Integer()), sa.column('is_current', sa.Boolean()))
assessments = sa.table('assessments', sa.column('claim_id', sa.Integer()), sa.column('verdict', sa.String()),
                       sa.column('owner_org_id', sa.Integer()), sa.column('tlp', sa.String()),
                       sa.column('sharing_group_id', sa.Integer()), sa.column('origin', sa.String()))
members = sa.table('sharing_group_members', sa.column('group_id', sa.Integer()), sa.column('org_id', sa.Integer()))


def seen(record) -> sa.ColumnElement:
    """The records the view's organisation sees (as jirga.access.rules; never NULL)."""
    groups = sa.select(members.c.group_id).where(members.c.org_id == views.c.org_id).correlate(views)
    return sa.or_(record.c.owner_org_id == views.c.org_id, record.c.tlp.in_(('clear', 'green')),
                  sa.and_(record.c.tlp == 'amber', record.c.sharing_group_id.is_not(None),
                          record.c.sharing_group_id.in_(groups)))


def upgrade() -> None:
    with op.batch_alter_table('incident_views', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corroborated', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('sole_source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sole_source_org_id', sa.Integer(), nullable=True))
    # The current reports of the (not retired) claims the view's audience sees.
    told = sa.and_(claims.c.incident_id == views.c.incident_id, sa.not_(claims.c.retired), seen(claims),
                   reports.c.id == claims.c.report_id, reports.c.is_current)

    def of_told(value) -> sa.ScalarSelect:
        return sa.select(value).select_from(claims, reports).where(told).correlate(views).scalar_subquery()

    sources = of_told(sa.func.count(sa.distinct(reports.c.source_id)))
    graders = of_told(sa.func.count(sa.distinct(reports.c.owner_org_id)))
    analysts = sa.exists().where(claims.c.incident_id == views.c.incident_id, claims.c.origin == 'analyst',
                                 sa.not_(claims.c.retired), seen(claims)).correlate(views)
    agreed = sa.exists().where(assessments.c.claim_id == claims.c.id, claims.c.incident_id == views.c.incident_id,
                               assessments.c.verdict == 'agree', assessments.c.origin == 'local',
                               seen(assessments)).correlate(views)
    # Possible duplicates are read by precision in short date ranges (jirga.store.duplicates).
    op.create_index('ix_incident_views_org_precision_date', 'incident_views',
                    ['org_id', 'date_precision', 'date_start'])
    for name in SORTED:  # the triage list's sorts by a figure, read in index order
        op.create_index(f'ix_incident_views_org_{name}', 'incident_views', ['org_id', name, 'incident_id'])
    op.execute(views.update().values(
        corroborated=sa.or_(sources >= 2, analysts, agreed),
        sole_source_id=sa.case((sources == 1, of_told(sa.func.min(reports.c.source_id)))),
        sole_source_org_id=sa.case((sa.and_(sources == 1, graders == 1),
                                    of_told(sa.func.min(reports.c.owner_org_id))))))


def downgrade() -> None:
    for name in SORTED:
        op.drop_index(f'ix_incident_views_org_{name}', 'incident_views')
    op.drop_index('ix_incident_views_org_precision_date', 'incident_views')
    with op.batch_alter_table('incident_views', schema=None) as batch_op:
        batch_op.drop_column('sole_source_org_id')
        batch_op.drop_column('sole_source_id')
        batch_op.drop_column('corroborated')
