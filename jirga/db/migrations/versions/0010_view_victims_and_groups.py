"""Victims by category per view (`incident_view_victims`), so that counting them reads a small table, not the JSON
of every claim; and the groups each view names as one column (`incident_views.group_ids`), so that counting by
group is one scan of the views.

The groups are backfilled from the views' actor links (`incident_view_actors`), by `summary.group_key`.

The backfill sums up each stored view's victim counts by the rules the writer applies (`jirga.store.summary`):
for every incident with claims counting a category of victims, each audience's claims and verdicts as
`summary.audiences` tells them, and a row for each view already stored for that audience. It uses the application's
consensus code, which is the only statement of the rule; the tables it reads (claims, reports, sources, grades,
assessments, sharing groups) are those of revision 0009.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'incident_view_victims',
        sa.Column('incident_id', sa.Integer(), sa.ForeignKey('incidents.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('org_id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('category', sa.String(24), primary_key=True),
        *[sa.Column(f'{name}_{part}', sa.Integer(), nullable=True)
          for name in ('killed', 'injured') for part in ('low', 'best', 'high')],
    )
    op.add_column('incident_views', sa.Column('group_ids', sa.Text(), nullable=True))
    _backfill_groups()
    _backfill_victims()


def _backfill_groups() -> None:
    from jirga.store.summary import GROUP_ROLES, group_key

    bind = op.get_bind()
    links = sa.table('incident_view_actors', sa.column('incident_id'), sa.column('org_id'), sa.column('actor_id'),
                     sa.column('role'))
    views = sa.table('incident_views', sa.column('incident_id'), sa.column('org_id'), sa.column('group_ids'))
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for incident_id, org_id, actor_id, role in bind.execute(
            sa.select(links.c.incident_id, links.c.org_id, links.c.actor_id, links.c.role)
            .where(links.c.role.in_(GROUP_ROLES))):
        found.setdefault((incident_id, org_id), []).append((actor_id, role))
    rows = [{"i": incident_id, "o": org_id, "g": group_key(pairs)} for (incident_id, org_id), pairs in found.items()]
    update = (sa.update(views).where(views.c.incident_id == sa.bindparam('i'), views.c.org_id == sa.bindparam('o'))
              .values(group_ids=sa.bindparam('g')))
    for start in range(0, len(rows), 5000):
        bind.execute(update, rows[start:start + 5000])


def _backfill_victims() -> None:
    from sqlalchemy.orm import Session

    from jirga.db.schema import Claim, Incident, IncidentView, IncidentViewVictim
    from jirga.store import summary, victims

    session = Session(bind=op.get_bind())
    candidates = sorted(set(session.scalars(
        sa.select(Claim.incident_id).where(Claim.field.in_(victims.COUNTS), ~Claim.retired,
                                           Claim.value['subset'].as_string().isnot(None)))))
    for start in range(0, len(candidates), 500):
        part = candidates[start:start + 500]
        stored: dict[int, set[int]] = {}
        for incident_id, org_id in session.execute(sa.select(IncidentView.incident_id, IncidentView.org_id)
                                                   .where(IncidentView.incident_id.in_(part))):
            stored.setdefault(incident_id, set()).add(org_id)
        incidents = session.execute(sa.select(Incident.id, Incident.kind, Incident.owner_org_id, Incident.tlp,
                                              Incident.sharing_group_id).where(Incident.id.in_(part))).all()
        rows = []
        for incident in incidents:
            claims = sorted(summary.claim_rows(session, incident.id), key=lambda claim: claim.id)
            if not any(victims.is_victim_count(claim) for claim in claims):
                continue
            reports, verdicts = summary.report_rows(session, claims), summary.verdict_rows(session, claims)
            for org_id, (seen, told) in summary.audiences(session, incident, claims, verdicts).items():
                if org_id in stored.get(incident.id, ()):
                    found = summary.victim_figures([claims[i] for i in seen], reports,
                                                   summary.latest([verdicts[j] for j in told]))
                    rows += victims.view_rows(incident.id, org_id, found)
        if rows:
            session.execute(sa.insert(IncidentViewVictim), rows)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table('incident_views', schema=None) as batch_op:
        batch_op.drop_column('group_ids')
    op.drop_table('incident_view_victims')
