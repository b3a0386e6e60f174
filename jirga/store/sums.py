"""The SQL sums of incidents' figures, one rule for every count: `jirga.store.stats` runs them over the views a
viewer reads, `jirga.store.month_sums` keeps them per month and audience."""

from __future__ import annotations

from sqlalchemy import and_, case, func

from jirga.db.schema import IncidentView


def figure_sums(name: str, model=IncidentView) -> list:
    """SQL sums of one figure (killed or injured) over incidents, in the order of `assess.aggregate.Figure`:
    low, best, high, how many have no upper bound, how many give no figure. An incident with no figure adds 0 to
    low and best; one with no upper bound ("at least 170") adds its best to high, which is then a floor.
    `assess.aggregate.Figure.of` is the same rule for one incident in Python: keep them alike. `model`: the table
    whose columns `{name}_low`, `_best` and `_high` are summed."""
    low, best, high = (getattr(model, f"{name}_{part}") for part in ("low", "best", "high"))
    best_or_low = func.coalesce(best, low)
    return [func.sum(func.coalesce(low, best, 0)), func.sum(func.coalesce(best_or_low, 0)),
            func.sum(func.coalesce(high, best_or_low, 0)),
            func.sum(case((and_(best_or_low.isnot(None), high.is_(None)), 1), else_=0)),
            func.sum(case((best_or_low.is_(None), 1), else_=0))]


def view_sums() -> list:
    """The sums `jirga stats` shows for a set of views: how many, killed and injured (`figure_sums`), how many with
    conflicting sources, how many single-source."""
    return [func.count(), *figure_sums("killed"), *figure_sums("injured"),
            func.sum(case((IncidentView.has_conflict, 1), else_=0)),
            func.sum(case((IncidentView.report_count <= 1, 1), else_=0))]
