"""Small SVG charts drawn on the server: no chart library in the browser, nothing fetched."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from jirga.model.checks import latest_date


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    top: int  # the largest value


def bar_chart(values: list[tuple[str, int]], width: int = 640, height: int = 120) -> BarChart:
    """One bar per (label, value), scaled to the largest value, left to right."""
    top = max((value for _, value in values), default=0)
    step = width / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(values):
        tall = (height - 28) * value / top if top else 0  # room for the axis below and a value above
        bars.append(Bar(label, value, i * step + 1, height - 14 - tall, max(step - 2, 1), tall))
    return BarChart(bars, width, height, top)


# A chart's span is bounded: one far-future or ancient date (a typo, a hostile feed) must not make every viewer's
# chart thousands of bars long. Nothing is charted after this year, and at most this many bars before it. (The
# incident list's trend is `jirga.assess.charts`, bounded by `jirga.assess.stats.span`.)
MAX_YEARS = 60


def years_between(counts: dict[int, int], *, today: dt.date | None = None) -> list[tuple[str, int]]:
    """Every year from the first to the last counted: at most MAX_YEARS, ending at the last, none in the future."""
    counts = {year: n for year, n in counts.items() if year <= latest_date(today).year}
    if not counts:
        return []
    last = max(counts)
    return [(str(year), counts.get(year, 0)) for year in range(max(min(counts), last - MAX_YEARS + 1), last + 1)]


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    x: float
    y: float
    centre: bool = False


@dataclass(frozen=True)
class Edge:
    a: Node
    b: Node
    label: str
    weight: int


def star_graph(centre: tuple[str, str], links: list[tuple[str, str, str, int]], names: dict[str, str],
               size: int = 360) -> tuple[list[Node], list[Edge]]:
    """The actor in the middle and those it is related to on a circle around it; one edge per relation."""
    middle = Node(centre[0], centre[1], size / 2, size / 2, centre=True)
    others = sorted({a for s, _, o, _ in links for a in (s, o)} - {centre[0]})
    radius = size / 2 - 50
    nodes = {middle.id: middle}
    for i, other in enumerate(others):
        angle = 2 * math.pi * i / max(len(others), 1) - math.pi / 2
        nodes[other] = Node(other, names.get(other, other), size / 2 + radius * math.cos(angle),
                            size / 2 + radius * math.sin(angle))
    edges = [Edge(nodes[s], nodes[o], relation.replace("_", " "), weight) for s, relation, o, weight in links]
    return list(nodes.values()), edges
