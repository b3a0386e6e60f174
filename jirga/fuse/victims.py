"""Victims by category: the sources' counts of one category of victims ("13 soldiers", "including 5 children"),
each category summed up on its own by the consensus rules of the totals. `jirga.store.summary` writes them per view
(`IncidentViewVictim`) from the claims each audience may see, so that `jirga stats --by victim-category` and the
situation report read a small indexed table rather than every claim's JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from jirga.fuse import consensus
from jirga.fuse.consensus import Fact, figures

VICTIM_CATEGORIES = ("civilians", "security_forces", "militants")
COUNTS = ("killed", "injured")
PARTS = ("low", "best", "high")
# The figure columns of `IncidentViewVictim`, in this order.
COLUMNS = tuple(f"{name}_{part}" for name in COUNTS for part in PARTS)

Figures = dict[str, dict[str, tuple]]  # category -> killed/injured -> (low, best, high)


def is_victim_count(claim) -> bool:
    """A counted claim of killed or injured of one victim category (its value's `subset`)."""
    return (claim.field in COUNTS and not claim.retired and isinstance(claim.value, dict)
            and claim.value.get("subset") in VICTIM_CATEGORIES)


def category_figures(claims: Sequence, facts: Sequence[Fact]) -> Figures:
    """The consensus of each category's counts (killed and injured apart), from victim-count claims and their
    facts (as `summary.facts_from` makes them, with the verdicts their audience sees). A category whose sources give
    no figure has no entry."""
    by_part: dict[tuple[str, str], list[Fact]] = {}
    for claim, fact in zip(claims, facts, strict=True):
        by_part.setdefault((claim.value["subset"], claim.field), []).append(as_total(fact))
    return collected({part: figures(told, part[1]) for part, told in by_part.items()})


def as_total(fact: Fact) -> Fact:
    """A victim count's fact as its category's own total: what the consensus of that category weighs."""
    return dataclasses.replace(fact, value={k: v for k, v in fact.value.items() if k != "subset"})


def collected(agreed: dict[tuple[str, str], consensus.Figures]) -> Figures:
    """category -> killed/injured -> (low, best, high), from each (category, count)'s consensus, where it gives a
    figure."""
    out: Figures = {}
    for (category, name), told in sorted(agreed.items()):
        if told.best is not None or told.low is not None:
            out.setdefault(category, {})[name] = told.triple
    return out


def view_rows(incident_id: int, org_id: int, found: Figures) -> list[dict]:
    """`IncidentViewVictim` rows of one view: one per category with a figure, None where a count is not told."""
    return [{"incident_id": incident_id, "org_id": org_id, "category": category,
             **{f"{name}_{part}": counts[name][i] if name in counts else None
                for name in COUNTS for i, part in enumerate(PARTS)}}
            for category, counts in sorted(found.items())]


def from_row(row) -> dict[str, tuple]:
    """killed/injured -> (low, best, high) of one `IncidentViewVictim` row: the counts it tells."""
    return {name: tuple(getattr(row, f"{name}_{part}") for part in PARTS) for name in COUNTS
            if getattr(row, f"{name}_low") is not None or getattr(row, f"{name}_best") is not None}
