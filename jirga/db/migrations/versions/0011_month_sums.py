"""Monthly counts kept ready per audience, month, kind and status (`month_sums`), with each incident's part in
them (`month_sum_parts`), backfilled from the views by the sums the direct query runs (`jirga.store.stats`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

FIGURES = ('incidents', 'killed_low', 'killed_best', 'killed_high', 'killed_open', 'killed_unknown', 'injured_low',
           'injured_best', 'injured_high', 'injured_open', 'injured_unknown', 'conflicting', 'single_source')


def _figures(view: str) -> list[str]:
    """One view's figures, as `sums.figure_sums` and `sums.view_sums` add them up."""
    out = ['1']
    for name in ('killed', 'injured'):
        low, best, high = (f'{view}.{name}_{part}' for part in ('low', 'best', 'high'))
        best_or_low = f'COALESCE({best}, {low})'
        out += [f'COALESCE({low}, {best}, 0)', f'COALESCE({best_or_low}, 0)', f'COALESCE({high}, {best_or_low}, 0)',
                f'CASE WHEN {best_or_low} IS NOT NULL AND {high} IS NULL THEN 1 ELSE 0 END',
                f'CASE WHEN {best_or_low} IS NULL THEN 1 ELSE 0 END']
    return [*out, f'CASE WHEN {view}.has_conflict THEN 1 ELSE 0 END',
            f'CASE WHEN {view}.report_count <= 1 THEN 1 ELSE 0 END']


def _table(name: str, *keys: sa.Column) -> None:
    op.create_table(name, *keys, *(sa.Column(figure, sa.Integer(), nullable=False) for figure in FIGURES))


def _key() -> list[sa.Column]:
    return [sa.Column('org_id', sa.Integer(), primary_key=True, autoincrement=False),
            sa.Column('month', sa.String(7), primary_key=True), sa.Column('kind', sa.String(24), primary_key=True),
            sa.Column('status', sa.String(16), primary_key=True)]


def upgrade() -> None:
    _table('month_sums', *_key())
    _table('month_sum_parts', sa.Column('incident_id', sa.Integer(), primary_key=True, autoincrement=False), *_key())
    month = "COALESCE(SUBSTR(CAST(e.date_start AS VARCHAR), 1, 7), '')"
    # Each view adds itself under its audience; an organisation's own view takes away, under it, the EVERYONE view
    # of the same incident that it stands in for (see jirga.store.month_sums).
    seen = (f"SELECT e.incident_id, e.org_id, {month} AS month, e.kind, i.status, "
            + ', '.join(f'{value} AS {name}' for value, name in zip(_figures('e'), FIGURES, strict=True))
            + " FROM incident_views e JOIN incidents i ON i.id = e.incident_id")
    replaced = (f"SELECT e.incident_id, o.org_id, {month} AS month, e.kind, i.status, "
                + ', '.join(f'-({value}) AS {name}' for value, name in zip(_figures('e'), FIGURES, strict=True))
                + " FROM incident_views e JOIN incidents i ON i.id = e.incident_id "
                  "JOIN incident_views o ON o.incident_id = e.incident_id AND o.org_id <> 0 WHERE e.org_id = 0")
    sums = ', '.join(f'SUM({name})' for name in FIGURES)
    columns = ', '.join(FIGURES)
    op.execute(f"INSERT INTO month_sum_parts (incident_id, org_id, month, kind, status, {columns}) "
               f"SELECT incident_id, org_id, month, kind, status, {sums} FROM ({seen} UNION ALL {replaced}) p "
               "GROUP BY incident_id, org_id, month, kind, status")
    op.execute(f"INSERT INTO month_sums (org_id, month, kind, status, {columns}) "
               f"SELECT org_id, month, kind, status, {sums} FROM month_sum_parts GROUP BY org_id, month, kind, status")


def downgrade() -> None:
    op.drop_table('month_sum_parts')
    op.drop_table('month_sums')
