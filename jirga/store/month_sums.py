"""The monthly counts kept ready (`MonthSum`): for each audience, month, kind and status, how many incidents and
the sums of their figures, so that `jirga stats --by month` over every year reads a few hundred rows instead of
every incident the viewer sees (145,000 for an owner at a million claims).

Exact by construction: an incident's part (`MonthSumPart`) is computed from its views by the very SQL sums the
direct query runs (`sums.view_sums`), and `refresh` takes an incident's old part out of the sums and puts its new one
in. Whatever changes an incident's views, its status, or removes it, calls `refresh` afterwards (`summarize` does
for every recomputation). A viewer reads their organisation's rows plus EVERYONE's: `seen_view` reads an
organisation's own view of an incident instead of the EVERYONE view, so an own view's part adds itself and takes
away that EVERYONE view, under the organisation. Nothing hidden is counted: only views are read, and a view is the
summary of what its audience may see.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable

from sqlalchemy import (
    Delete,
    Select,
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from jirga.access import Viewer
from jirga.db.schema import EVERYONE, Incident, IncidentView, MonthFigures, MonthSum, MonthSumPart
from jirga.store.sums import view_sums  # the direct query's sums: the same SQL, so the same figures

FIGURES = tuple(name for name in MonthFigures.__annotations__)  # in the order of `sums.view_sums`
KEY = ("org_id", "month", "kind", "status")
CHUNK = 5000  # ids per IN list
# The fields of `IncidentFilter` the kept sums answer for: `kind` and `include_superseded` are in their key; the
# page (limit, offset) and order do not change a count. Any other field away from its default (a filter added
# later too) sends the count to the direct query (see `serves`).
ANSWERED = ("kind", "include_superseded", "limit", "offset", "sort", "ascending")


def serves(where, by: str | None, sectarian: bool) -> bool:
    """Whether the kept sums answer this count: by month or in total, filtered by kind and status only."""
    return by in ("month", None) and not sectarian and all(
        getattr(where, f.name) == f.default for f in dataclasses.fields(where) if f.name not in ANSWERED)


def read(session: Session, viewer: Viewer, *, kind: str | None, include_superseded: bool, by: str | None
         ) -> list[tuple]:
    """Rows as `stats.sums_by` gives them: (month or None, None, incidents, killed ..., injured ..., conflicting,
    single-source), for the incidents `viewer` sees (their organisation's rows and EVERYONE's)."""
    audiences = [EVERYONE] if viewer.org_id is None else [EVERYONE, viewer.org_id]
    sums = [func.sum(getattr(MonthSum, name)) for name in FIGURES]
    query = select(*sums).where(MonthSum.org_id.in_(audiences),
                                MonthSum.status != "merged" if include_superseded else MonthSum.status == "active")
    if kind is not None:
        query = query.where(MonthSum.kind == kind)
    if by == "month":
        rows = session.execute(query.add_columns(MonthSum.month).group_by(MonthSum.month))
        found = [(row[-1] or None, None, *(int(value) for value in row[:-1])) for row in rows]
    else:
        found = [(None, None, *(int(value or 0) for value in session.execute(query).one()))]
    return [row for row in found if row[2]]  # a month every incident of which left it, and an empty total


def refresh(session: Session, incident_ids: Iterable[int]) -> None:
    """Take these incidents' last counted parts out of the sums and put in what their views and status give now
    (nothing for an incident that is gone)."""
    ids = sorted({int(i) for i in incident_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        _refresh(session, ids[start:start + CHUNK])


def _refresh(session: Session, ids: list[int]) -> None:
    change: dict[tuple, list[int]] = {}
    for row in session.execute(_statements().old, {"ids": ids}):
        _add(change, tuple(row[:4]), row[4:], -1)
    new = parts(session, ids)
    for (_, *key), figures in new.items():
        _add(change, tuple(key), figures, 1)
    session.execute(_statements().forget, {"ids": ids})
    if new:
        session.execute(insert(MonthSumPart), [{**dict(zip(("incident_id", *KEY), key, strict=True)),
                                                **dict(zip(FIGURES, figures, strict=True))}
                                               for key, figures in new.items()])
    _apply(session, {key: figures for key, figures in change.items() if any(figures)})


@dataclasses.dataclass(frozen=True)
class _Statements:
    old: Select  # the parts last counted
    forget: Delete  # and away with them
    now: Select  # the parts the views give now: (sign, org id, incident id, month, kind, status, figures...)


@functools.cache
def _statements() -> _Statements:
    """Built once, with the ids bound at each run: the writer refreshes at every summary, and building the sums'
    expressions anew each time cost more than running them."""
    ids = bindparam("ids", expanding=True)
    month = func.coalesce(func.substr(cast(IncidentView.date_start, String), 1, 7), "")
    key = [IncidentView.incident_id, month, IncidentView.kind, Incident.status]
    seen = (select(literal(1), IncidentView.org_id, *key, *view_sums())
            .join(Incident, Incident.id == IncidentView.incident_id)
            .where(IncidentView.incident_id.in_(ids)).group_by(IncidentView.org_id, *key))
    own = aliased(IncidentView)
    replaced = (select(literal(-1), own.org_id, *key, *view_sums())
                .join(Incident, Incident.id == IncidentView.incident_id)
                .join(own, and_(own.incident_id == IncidentView.incident_id, own.org_id != EVERYONE))
                .where(IncidentView.incident_id.in_(ids), IncidentView.org_id == EVERYONE)
                .group_by(own.org_id, *key))
    return _Statements(
        old=select(*(getattr(MonthSumPart, n) for n in (*KEY, *FIGURES))).where(MonthSumPart.incident_id.in_(ids)),
        forget=delete(MonthSumPart).where(MonthSumPart.incident_id.in_(ids)),
        now=union_all(seen, replaced))


def _add(into: dict[tuple, list[int]], key: tuple, figures, sign: int) -> None:
    total = into.setdefault(key, [0] * len(FIGURES))
    for index, value in enumerate(figures):
        total[index] += sign * int(value or 0)


def parts(session: Session, ids: list[int]) -> dict[tuple, list[int]]:
    """(incident id, org id, month, kind, status) -> figures: what these incidents add to the sums now. Each view
    adds itself under its audience; an organisation's own view also takes away, under that organisation, the
    EVERYONE view of the same incident that it stands in for."""
    found: dict[tuple, list[int]] = {}
    for sign, org_id, incident_id, month_key, kind, status, *figures in session.execute(_statements().now,
                                                                                         {"ids": ids}):
        _add(found, (incident_id, org_id, month_key, kind, status), figures, sign)
    return {key: figures for key, figures in found.items() if any(figures)}


def _apply(session: Session, change: dict[tuple, list[int]]) -> None:
    """Add each change to its row of the sums, made if missing (one statement: concurrent writers may race)."""
    if not change:
        return
    rows = [{**dict(zip(KEY, key, strict=True)), **dict(zip(FIGURES, figures, strict=True))}
            for key, figures in sorted(change.items())]
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        session.execute(_upsert(dialect), rows)
        return
    for row in rows:  # another backend: update, else insert
        match = [getattr(MonthSum, name) == row[name] for name in KEY]
        done = session.execute(update(MonthSum).where(*match).values(
            {name: getattr(MonthSum, name) + row[name] for name in FIGURES}))
        if not done.rowcount:
            session.execute(insert(MonthSum), [row])


@functools.cache
def _upsert(dialect: str):
    upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(MonthSum)
    return upsert.on_conflict_do_update(index_elements=list(KEY), set_={
        name: getattr(MonthSum, name) + getattr(upsert.excluded, name) for name in FIGURES})


def rebuild(session: Session) -> int:
    """Every part and sum computed afresh from the views (after a bulk load that wrote views directly, or to check
    the kept sums): returns how many incidents were counted."""
    session.execute(delete(MonthSumPart))
    session.execute(delete(MonthSum))
    ids = list(session.scalars(select(IncidentView.incident_id).distinct().order_by(IncidentView.incident_id)))
    refresh(session, ids)
    return len(ids)
