"""Find date expressions and resolve them against the publication date, keeping their precision.

"August 3" becomes a day, "in April" a month, "this week" a week-long range, "last year" a year:
a date with no day in the text never gets an invented day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

from jirga.extract.text import finditer
from jirga.model import DateRange, Span
from jirga.reference.names import leftmost_longest, lower

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH = r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19[5-9]|20[0-4])\d)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NOT_NUMBER = r"(?![\d,.]*\d)(?!\s*(?:%|percent|per cent))"

Resolver = Callable[[re.Match, dt.date | None], tuple[dt.date, dt.date, str] | None]
_RULES: list[tuple[re.Pattern, Resolver, tuple[str, ...]]] = []
_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _rule(pattern: str, flags: int = 0, needs: tuple[str, ...] = ()):
    """Register a date rule; needs: words of which the lower-cased text must hold one for the rule to run
    (a substring test is far cheaper than a regex scan)."""

    def register(resolver: Resolver) -> Resolver:
        _RULES.append((re.compile(pattern, flags), resolver, needs))
        return resolver

    return register


def _month_number(match: re.Match) -> int:
    return _MONTHS[match.group("month").rstrip(".").lower()]


def _day_range(day: dt.date) -> tuple[dt.date, dt.date, str]:
    return day, day, "day"


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date, str]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month"


def _year_range(year: int) -> tuple[dt.date, dt.date, str]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@_rule(rf"\b{_YEAR}-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
def _iso(m, published):
    day = _safe_date(int(m.group("year")), int(m.group("m")), int(m.group("d")))
    return _day_range(day) if day else None


@_rule(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", needs=_MONTH_WORDS)
@_rule(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", needs=_MONTH_WORDS)
def _full_date(m, published):
    day = _safe_date(int(m.group("year")), _month_number(m), int(m.group("day")))
    return _day_range(day) if day else None


@_rule(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?!,?\s+\d)", needs=_MONTH_WORDS)
@_rule(rf"\b{_MONTH}\s+{_DAY}\b{_NOT_NUMBER}(?!,?\s+\d)", needs=_MONTH_WORDS)
def _day_month(m, published):
    if published is None:
        return None
    month, day = _month_number(m), int(m.group("day"))
    # The year that puts the date nearest the report, allowing a week for reports of what is planned.
    options = [d for y in (published.year - 1, published.year, published.year + 1)
               if (d := _safe_date(y, month, day)) and d <= published + dt.timedelta(days=7)]
    return _day_range(max(options)) if options else None


@_rule(rf"\b{_MONTH},?\s+{_YEAR}\b", needs=_MONTH_WORDS)
def _month_year(m, published):
    return _month_range(int(m.group("year")), _month_number(m))


@_rule(rf"\b(?P<which>(?i:last|this|the|in|since|during|early|late|mid-?|until|by|from|of|on|before|after|between"
       rf"|and))\s+(?i:early\s+|late\s+|mid-?)?{_MONTH}(?P<rel>(?i:\s+(?:last|this)\s+year))?(?![\w.]|\s+\d)",
       needs=_MONTH_WORDS)
def _month_only(m, published):
    if published is None:
        return None
    month = _month_number(m)
    rel = (m.group("rel") or "").strip().lower()
    if rel.startswith("last"):
        year = published.year - 1
    elif rel.startswith("this"):
        year = published.year
    elif m.group("which").lower() == "last":
        year = published.year if month < published.month else published.year - 1
    else:
        year = published.year if month <= published.month else published.year - 1
    return _month_range(year, month)


@_rule(rf"\b{_YEAR}\b(?![\d,]*\d)(?!\s*(?:%|percent|people|persons|civilians|killed|dead|injured))")
def _year_only(m, published):
    return _year_range(int(m.group("year")))


@_rule(r"\b(?:earlier\s+)?(?P<word>today|tonight|this morning|this afternoon|this evening)\b", re.IGNORECASE,
       needs=("today", "tonight", "this "))
def _today(m, published):
    return _day_range(published) if published else None


@_rule(r"\b(?:(?:the\s+)?day\s+before\s+yesterday|yesterday|last\s+night|the\s+(?:day\s+before|previous\s+day)"
       r"(?!\s+yesterday))\b", re.IGNORECASE, needs=("yesterday", "night", "day before", "previous day"))
def _yesterday(m, published):
    if published is None:
        return None
    back = 2 if "yesterday" in m.group().lower() and "before" in m.group().lower() else 1
    return _day_range(published - dt.timedelta(days=back))


@_rule(rf"\b(?i:overnight)\b(?!\s+(?i:(?:on|into|to|between|from)\s+)?(?:{_WEEKDAY}|\d))"
       r"(?!\s+(?i:curfew|stay|flight|train|bus))", needs=("overnight",))
def _overnight(m, published):
    """'Militants attacked a border post overnight' in news of the day: the night before publication, which spans
    two days."""
    return (published - dt.timedelta(days=1), published, "days") if published else None


@_rule(rf"\b(?P<last>last\s+|this\s+past\s+|on\s+)?{_WEEKDAY}\b", needs=("day",))
def _weekday(m, published):
    if published is None:
        return None
    back = (published.weekday() - _WEEKDAYS[m.group("weekday").lower()]) % 7
    if back == 0 and (m.group("last") or "").strip().lower() in ("last", "this past"):
        back = 7
    return _day_range(published - dt.timedelta(days=back))


@_rule(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|ten)\s+(?P<unit>days?|weeks?)\s+ago\b", re.IGNORECASE,
       needs=(" ago",))
def _ago(m, published):
    if published is None:
        return None
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
    n = int(m.group("n")) if m.group("n").isdigit() else words[m.group("n").lower()]
    if m.group("unit").lower().startswith("day"):
        return _day_range(published - dt.timedelta(days=n))
    centre = published - dt.timedelta(weeks=n)
    return centre - dt.timedelta(days=3), centre + dt.timedelta(days=3), "week"


@_rule(r"\b(?P<which>this|last|past|earlier\s+this|previous)\s+(?P<unit>week|weekend|month|year)\b",
       re.IGNORECASE, needs=("week", "month", "year"))
def _relative_period(m, published):
    if published is None:
        return None
    which, unit = m.group("which").lower(), m.group("unit").lower()
    current = which in ("this", "earlier this")
    if unit == "week":
        if current:  # "this week's attack": the seven days up to publication
            return published - dt.timedelta(days=6), published, "week"
        monday = published - dt.timedelta(days=published.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), "week"
    if unit == "weekend":
        saturday = published - dt.timedelta(days=(published.weekday() - 5) % 7 or 7)
        return saturday, saturday + dt.timedelta(days=1), "week"
    if unit == "month":
        if current:
            return dt.date(published.year, published.month, 1), published, "month"
        last = dt.date(published.year, published.month, 1) - dt.timedelta(days=1)
        return _month_range(last.year, last.month)
    year = published.year if current else published.year - 1
    return _year_range(year)


@_rule(rf"\b(?:first\s+(?:six\s+months|half)|(?P<h2>second\s+half|last\s+six\s+months))\s+of\s+"
       rf"(?:(?P<rel>this|last)\s+year|{_YEAR})", re.IGNORECASE, needs=("half", "six months"))
def _half_year(m, published):
    if m.group("year"):
        year = int(m.group("year"))
    elif published is not None:
        year = published.year - (1 if m.group("rel").lower() == "last" else 0)
    else:
        return None
    if m.group("h2"):
        return dt.date(year, 7, 1), dt.date(year, 12, 31), "half"
    return dt.date(year, 1, 1), dt.date(year, 6, 30), "half"


def find_dates(text: str, published: dt.date | None, lowered: str | None = None) -> list[DateRange]:
    """Every resolvable date expression, leftmost-longest, with its span."""
    lowered = lowered if lowered is not None else lower(text)
    found = []
    for pattern, resolver, needs in _RULES:
        if needs and not any(word in lowered for word in needs):
            continue
        for match in finditer(pattern, text, lowered):
            try:
                resolved = resolver(match, published)
            except (OverflowError, ValueError):  # arithmetic past year 1 or 9999: no date, not a crash
                resolved = None
            if resolved:
                found.append((match.start(), match.end(), resolved))
    return [
        DateRange(start, end, precision, text[s:e], Span(s, e))
        for s, e, (start, end, precision) in leftmost_longest(found)
    ]
