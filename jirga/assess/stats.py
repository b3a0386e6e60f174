"""`jirga stats` and /api/v1/stats: incidents, killed and injured by one key over the incidents the viewer may
see, with the change against the previous period when a period is given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from jirga.access import Viewer
from jirga.assess.aggregate import (
    Row,
    Totals,
    change,
    count,
    previous_period,
    rows,
    victim_rows,
    victim_totals_from_sums,
)
from jirga.errors import QueryError
from jirga.store import stats as store
from jirga.store.queries import IncidentFilter, parse_period

BREAKDOWNS = (*store.KEYS, "victim-category")


@dataclass
class Stats:
    by: str | None
    where: IncidentFilter
    rows: list[Row]
    total: Totals
    period: tuple[dt.date, dt.date] | None = None
    previous: tuple[dt.date, dt.date] | None = None
    previous_total: Totals | None = None
    sectarian: bool = False

    def as_dict(self) -> dict:
        return {"by": self.by, "sectarian": self.sectarian, "period": _dates(self.period),
                "previous_period": _dates(self.previous),
                "total": self.total.as_dict(),
                "previous_total": self.previous_total.as_dict() if self.previous_total else None,
                "rows": [row.as_dict() for row in self.rows]}


def _dates(period: tuple[dt.date, dt.date] | None) -> dict | None:
    return {"from": period[0].isoformat(), "to": period[1].isoformat()} if period else None


def period_of(where: IncidentFilter) -> tuple[dt.date, dt.date] | None:
    if not (where.since and where.until):
        return None
    start, end = parse_period(where.since).start, parse_period(where.until).end
    if end < start:
        raise QueryError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return start, end


def compute(session: Session, where: IncidentFilter, by: str | None, *, viewer: Viewer, roll_up: bool = False,
            sectarian: bool = False) -> Stats:
    """`sectarian`: only sectarian violence (`store.stats.sectarian_clause`), in both periods."""
    if by is not None and by not in BREAKDOWNS:
        raise QueryError(f"cannot break down by {by!r} (one of {', '.join(BREAKDOWNS)})")
    period = period_of(where)
    counted, total = _count(session, where, by, viewer, roll_up, sectarian)
    out = Stats(by, where, [], total, period, sectarian=sectarian)
    before = None
    if period:
        out.previous = previous_period(*period)
        earlier = replace(where, since=out.previous[0].isoformat(), until=out.previous[1].isoformat())
        before, out.previous_total = _count(session, earlier, by, viewer, roll_up, sectarian)
    if by == "victim-category":
        out.rows = counted  # already rows
        if before is not None:
            earlier_rows = {row.key: row.totals for row in before}
            for row in out.rows:
                row.change = change(row.totals, earlier_rows.get(row.key, Totals()))
        return out
    names = _names(session, by, [key for key, _ in counted])
    out.rows = rows(counted, by, names, before)
    return out


def total(session: Session, where: IncidentFilter, *, viewer: Viewer) -> Totals:
    """How many incidents match (whatever page is listed) and their summed figures: the incident list's footer."""
    return _count(session, replace(where, after=None, offset=0), None, viewer, False)[1]


def _count(session: Session, where: IncidentFilter, by: str | None, viewer: Viewer, roll_up: bool,
           sectarian: bool = False):
    """(totals per key, or victim rows; the overall total)."""
    if by == "victim-category":
        sums = store.sums_by(session, where, None, viewer=viewer, sectarian=sectarian)
        total = count([], None, {}, sums=sums).get((None, None), Totals())
        per = victim_totals_from_sums(store.victim_sums(session, where, viewer=viewer, sectarian=sectarian))
        return victim_rows(per, total), total
    if by == "group":  # an incident of two groups counts under each; the lists of groups add up to the total
        lists = store.group_list_sums(session, where, viewer=viewer, sectarian=sectarian)
        total = count([], None, {}, sums=[(None, None, *sums) for _, *sums in lists])
        return count([], by, {}, roll_up, store.by_group(lists, roll_up)), total.get((None, None), Totals())
    counted = count([], by, {}, roll_up, store.sums_by(session, where, by, viewer=viewer, roll_up=roll_up,
                                                       sectarian=sectarian))
    return counted, sum(counted.values(), Totals())  # each incident is in one row: the rows add up to the total


def _names(session: Session, by: str | None, keys: list[str | None]) -> dict[str, str]:
    return store.group_names(session, keys) if by == "group" else {}


def span(found: Stats, where: IncidentFilter, *, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The period a chart of `found` (by month) covers: the one asked for, else from the first month counted to
    the last (never before 1900 nor past tomorrow: a date that far, a typo or a hostile feed, draws nothing)."""
    from jirga.model.checks import EARLIEST_DATE, latest_date

    latest = latest_date(today)
    start = parse_period(where.since).start if where.since else None
    end = parse_period(where.until).end if where.until else None
    # A date outside 1900..tomorrow (stored before the writers checked, or by hand) never stretches the chart.
    months = sorted(row.key for row in found.rows
                    if row.key and EARLIEST_DATE.isoformat()[:7] <= row.key <= latest.isoformat()[:7])
    if start is None and months:
        start = dt.date(int(months[0][:4]), int(months[0][5:7]), 1)
    if end is None and months:
        following = int(months[-1][:4]) * 12 + int(months[-1][5:7])  # the month after the last, counted from 0
        end = dt.date(following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)
    if start is None or end is None or end < start:
        return None
    return start, min(end, latest)
