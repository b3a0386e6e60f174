"""Victims by category per view (`incident_view_victims`), so that counting them reads a small table, not the JSON
of every claim; and the groups each view names as one column (`incident_views.group_ids`), so that counting by
group is one scan of the views.

Both are backfilled for every view already stored, by the rules the writer (`jirga.store.summary`, revision 0012)
applies, written here again so that this revision does not change with the application: a view's groups are the
distinct actors its links name as claimed, perpetrator or attributed, as a compact JSON list; its victims are the
consensus (`jirga.fuse.victims`) of the victim counts among the claims its organisation may see (for org_id 0, the
TLP:CLEAR and GREEN ones), with the analysts' verdicts it may see. `tests/test_assess.py` checks the backfill
against the writer.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

GROUP_ROLES = ('claimed', 'perpetrator', 'attributed')
OPEN_LEVELS = ('clear', 'green')


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


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(column) for column in columns))


def _backfill_groups() -> None:
    bind = op.get_bind()
    links = _table('incident_view_actors', 'incident_id', 'org_id', 'actor_id', 'role')
    views = _table('incident_views', 'incident_id', 'org_id', 'group_ids')
    found: dict[tuple[int, int], set[str]] = {}
    for incident_id, org_id, actor_id in bind.execute(
            sa.select(links.c.incident_id, links.c.org_id, links.c.actor_id).where(links.c.role.in_(GROUP_ROLES))):
        found.setdefault((incident_id, org_id), set()).add(actor_id)
    rows = [{'i': incident_id, 'o': org_id, 'g': json.dumps(sorted(actors), ensure_ascii=False, separators=(',', ':'))}
            for (incident_id, org_id), actors in found.items()]
    update = (sa.update(views).where(views.c.incident_id == sa.bindparam('i'), views.c.org_id == sa.bindparam('o'))
              .values(group_ids=sa.bindparam('g')))
    for start in range(0, len(rows), 5000):
        bind.execute(update, rows[start:start + 5000])


def _backfill_victims() -> None:
    from jirga.fuse.consensus import Fact
    from jirga.fuse.victims import category_figures, is_victim_count, view_rows

    bind = op.get_bind()
    claims = sa.table('claims', *(sa.column(name) for name in (
        'id', 'incident_id', 'field', 'report_id', 'origin', 'created_by', 'owner_org_id', 'tlp', 'sharing_group_id')),
        sa.column('value', sa.JSON), sa.column('retired', sa.Boolean))
    members = _table('sharing_group_members', 'group_id', 'org_id')
    groups_of: dict[int, set[int]] = {}
    for group_id, org_id in bind.execute(sa.select(members.c.group_id, members.c.org_id)):
        groups_of.setdefault(org_id, set()).add(group_id)

    def sees(org_id: int, record) -> bool:  # access.rules' marking rule, for a record in memory
        return (record.owner_org_id == org_id or record.tlp in OPEN_LEVELS
                or (record.tlp == 'amber' and record.sharing_group_id in groups_of.get(org_id, ())))

    told: dict[int, list] = {}
    for claim in bind.execute(sa.select(claims).where(claims.c.field.in_(('killed', 'injured')),
                                                           claims.c.retired == sa.false())
                              .order_by(claims.c.incident_id, claims.c.id)):
        if is_victim_count(claim):
            told.setdefault(claim.incident_id, []).append(claim)
    incident_ids = sorted(told)
    victims = _table('incident_view_victims', 'incident_id', 'org_id', 'category', 'killed_low', 'killed_best',
                     'killed_high', 'injured_low', 'injured_best', 'injured_high')
    for start in range(0, len(incident_ids), 1000):
        part = incident_ids[start:start + 1000]
        counts = [claim for incident_id in part for claim in told[incident_id]]
        reports, verdicts = _reports(bind, counts), _verdicts(bind, counts)
        views = _table('incident_views', 'incident_id', 'org_id')
        rows = []
        for incident_id, org_id in bind.execute(sa.select(views.c.incident_id, views.c.org_id)
                                                .where(views.c.incident_id.in_(part))
                                                .order_by(views.c.incident_id, views.c.org_id)):
            seen = [claim for claim in told[incident_id] if sees(org_id, claim)]
            latest = {row.claim_id: (row.verdict, row.created_by) for row in verdicts if sees(org_id, row)}
            facts = []
            for claim in seen:  # summary.facts_from
                report = reports.get(claim.report_id)
                if report is not None and claim.origin in ('machine', 'partner'):
                    source, reliability, published, current = (report.name, report.reliability, report.published,
                                                               report.is_current)
                else:
                    source, reliability, published, current = f'analyst:{claim.created_by}', 'A', None, True
                verdict, user = latest.get(claim.id, (None, None))
                facts.append(Fact(claim.field, claim.value, source, reliability, published, verdict,
                                  counted=current and not claim.retired, report_id=claim.report_id,
                                  claim_id=claim.id, agreed_by=user if verdict == 'agree' else None))
            rows += view_rows(incident_id, org_id, category_figures(seen, facts)) if seen else []
        if rows:
            bind.execute(sa.insert(victims), rows)


def _reports(bind, claims: list) -> dict:
    """summary.report_rows: each report with its source and its owner's grade of that source (F without one)."""
    report_ids = sorted({claim.report_id for claim in claims if claim.report_id is not None})
    if not report_ids:
        return {}
    reports = sa.table('reports', sa.column('id'), sa.column('source_id'), sa.column('owner_org_id'),
                       sa.column('published', sa.Date), sa.column('is_current', sa.Boolean))
    sources = _table('sources', 'id', 'name')
    grades = _table('source_grades', 'source_id', 'org_id', 'reliability')
    return {row.id: row for row in bind.execute(
        sa.select(reports.c.id, reports.c.published, reports.c.is_current, sources.c.name,
                  sa.func.coalesce(grades.c.reliability, 'F').label('reliability'))
        .join(sources, sources.c.id == reports.c.source_id)
        .outerjoin(grades, sa.and_(grades.c.source_id == reports.c.source_id,
                                   grades.c.org_id == reports.c.owner_org_id))
        .where(reports.c.id.in_(report_ids)))}


def _verdicts(bind, claims: list) -> list:
    """summary.verdict_rows: the agree and dispute verdicts on these claims, oldest first, with their markings."""
    assessments = _table('assessments', 'id', 'claim_id', 'verdict', 'created_by', 'created_at', 'owner_org_id', 'tlp',
                         'sharing_group_id', 'origin')
    return list(bind.execute(
        sa.select(assessments.c.claim_id, assessments.c.verdict, assessments.c.created_by,
                  assessments.c.owner_org_id, assessments.c.tlp, assessments.c.sharing_group_id)
        .where(assessments.c.claim_id.in_([claim.id for claim in claims]),
               assessments.c.verdict.in_(('agree', 'dispute')), assessments.c.origin == 'local')
        .order_by(assessments.c.created_at, assessments.c.id)))


def downgrade() -> None:
    with op.batch_alter_table('incident_views', schema=None) as batch_op:
        batch_op.drop_column('group_ids')
    op.drop_table('incident_view_victims')
