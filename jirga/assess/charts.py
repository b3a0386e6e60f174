"""Charts as SVG drawn on the server, the same in the web app, the HTML report and the PDF: a time series over the
whole period asked for (every bucket drawn, empty ones as gaps on a real axis) and horizontal bars for breakdowns.

The SVG carries its colours and sizes as presentation attributes (no style sheet, no script), so it looks the same
wherever it is embedded and passes the web app's Content-Security-Policy. Every text is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from markupsafe import Markup, escape

INK, MUTED, GRID, BAR, LINE = "#1b1f24", "#5b6470", "#e3e6ea", "#3d7cc9", "#c62828"
FONT = 'font-family="DejaVu Sans, Verdana, sans-serif"'

# At most this many buckets on a time axis: months while they fit, then quarters, then years.
MAX_BUCKETS = 72


def nice_step(top: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 times a power of ten) that covers `top` in about `ticks` steps."""
    if top <= ticks:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def bucket_size(start: dt.date, end: dt.date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months <= MAX_BUCKETS:
        return "month"
    return "quarter" if months <= MAX_BUCKETS * 3 else "year"


def bucket_of(month: str, size: str) -> str:
    """'2016-08' as a month, quarter (2016-Q3) or year bucket."""
    if size == "month":
        return month
    if size == "quarter":
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
    return month[:4]


def buckets(per_month: dict[str, int], start: dt.date, end: dt.date) -> tuple[str, list[tuple[str, int]]]:
    """Every bucket from `start` to `end` (none skipped), with the sum of the months in it."""
    size = bucket_size(start, end)
    out: dict[str, int] = {}
    month = start.year * 12 + start.month - 1
    while month <= end.year * 12 + end.month - 1:
        out.setdefault(bucket_of(f"{month // 12:04d}-{month % 12 + 1:02d}", size), 0)
        month += 1
    for key, value in per_month.items():
        if key and bucket_of(key, size) in out:
            out[bucket_of(key, size)] += value
    return size, list(out.items())


def time_series(points: Sequence[tuple[str, int]], *, title: str, unit: str, width: int = 640, height: int = 190,
                colour: str = BAR) -> Markup:
    """Bars over time with a y axis (round ticks from 0) and the x axis labelled at year starts (or evenly)."""
    left, right, top, bottom = 44, 8, 22, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((value for _, value in points), default=0)
    step = nice_step(biggest)
    ceiling = max(step * math.ceil(biggest / step), step)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="{left}" y="13" font-size="12" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 4}" y="{y + 3.5:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
                     f'{tick:,}</text>')
    n = max(len(points), 1)
    slot = plot_w / n
    for i, (label, value) in enumerate(points):
        x = left + i * slot
        bar_h = plot_h * value / ceiling
        parts.append(f'<rect x="{x + slot * 0.1:.1f}" y="{top + plot_h - bar_h:.1f}" '
                     f'width="{max(slot * 0.8, 0.8):.1f}" height="{bar_h:.1f}" fill="{colour}">'
                     f'<title>{escape(label)}: {value:,} {escape(unit)}'
                     '</title></rect>')
        if _labelled(label, i, n):
            anchor, at = ("middle", x + slot / 2) if n <= 24 else ("start", x)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
                         f'stroke="{MUTED}"/><text x="{at:.1f}" y="{top + plot_h + 15}" font-size="10" '
                         f'text-anchor="{anchor}" fill="{MUTED}">{escape(label if n <= 24 else label[:4])}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{INK}"/>'
                 f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{INK}"/>')
    if not biggest:
        parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" font-size="11" '
                     f'text-anchor="middle" fill="{MUTED}">none in this period</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _labelled(label: str, i: int, n: int) -> bool:
    """Which buckets of a time axis carry a label: all of a dozen, every other of two dozen, else year starts."""
    if n <= 24:
        return i % (1 if n <= 12 else 2) == 0
    if len(label) == 4:  # years
        return i % math.ceil(n / 12) == 0
    return label.endswith(("-01", "-Q1")) and (n <= 120 or int(label[:4]) % 2 == 0)


def trend(per_month: dict[str, int], start: dt.date, end: dt.date, *, what: str, unit: str,
          colour: str = BAR) -> Markup:
    """`what` per month (or quarter, or year: as many as fit) from `start` to `end`, every bucket drawn."""
    size, points = buckets(per_month, start, end)
    return time_series(points, title=f"{what} per {size}, {start.isoformat()} to {end.isoformat()}", unit=unit,
                       colour=colour)


def bars(rows: Sequence[tuple[str, int]], *, title: str, unit: str, width: int = 640, colour: str = BAR) -> Markup:
    """Horizontal bars, one per (label, value), largest scale from 0, the value written after each bar."""
    label_w, row_h, top = 190, 18, 22
    height = top + row_h * max(len(rows), 1) + 18
    plot_w = width - label_w - 60
    biggest = max((value for _, value in rows), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="0" y="13" font-size="12" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        length = plot_w * value / biggest
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" font-size="10.5" text-anchor="end" fill="{INK}">'
                     f'{escape(short)}</text><rect x="{label_w}" y="{y + 3}" width="{max(length, 0.5):.1f}" '
                     f'height="{row_h - 6}" fill="{colour}"><title>{escape(label)}: {value:,} {escape(unit)}</title>'
                     f'</rect><text x="{label_w + length + 4:.1f}" y="{y + 12}" font-size="10" fill="{MUTED}">'
                     f'{value:,}</text>')
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{height - 18}" stroke="{INK}"/>'
                 f'<text x="{label_w}" y="{height - 4}" font-size="10" fill="{MUTED}">0</text>'
                 f'<text x="{label_w + plot_w:.0f}" y="{height - 4}" font-size="10" text-anchor="end" fill="{MUTED}">'
                 f'{biggest:,} {escape(unit)}</text></svg>')
    return Markup("".join(parts))
