"""Checks every writer applies to values that arrive from outside: links and dates.

One place decides what a safe link and a plausible date are, so the readers, the API, the forms and the templates
cannot disagree. Each check raises `ValueError` with a message that names the problem and is safe to show.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from jirga.errors import BadInput

# Reporting Jirga codes is about events since 1900; nothing is published or happens after tomorrow (a day of slack
# covers time zones ahead of the server's).
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_URL_LENGTH = 2048


def latest_date(today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()) + dt.timedelta(days=1)


def check_date(value: dt.date, what: str = "date", *, today: dt.date | None = None) -> dt.date:
    """`value` if it lies between 1900-01-01 and tomorrow, else ValueError naming `what`."""
    if isinstance(value, dt.datetime):
        value = value.date()
    latest = latest_date(today)
    if not EARLIEST_DATE <= value <= latest:
        raise BadInput(f"{what} {value.isoformat()} is outside {EARLIEST_DATE.isoformat()} to {latest.isoformat()}")
    return value


def date_is_plausible(value: dt.date, *, today: dt.date | None = None) -> bool:
    try:
        check_date(value, today=today)
    except ValueError:
        return False
    return True


def safe_url(value: str, what: str = "url") -> str:
    """`value` stripped if it is an absolute http(s) URL with a host, else ValueError naming `what`.

    Anything else (javascript:, data:, file:, protocol-relative, control characters) could run script or reach
    local files when an analyst follows the link, so it is never stored."""
    url = value.strip()
    if len(url) > MAX_URL_LENGTH:
        raise BadInput(f"{what} is longer than {MAX_URL_LENGTH} characters")
    if any(ord(ch) < 0x20 or ch == "\x7f" or ch.isspace() for ch in url):
        raise BadInput(f"{what} contains spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise BadInput(f"{what} is not a valid URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise BadInput(f"{what} must be an http:// or https:// address")
    return url


def is_safe_url(value: str | None) -> bool:
    if not value:
        return False
    try:
        safe_url(value)
    except ValueError:
        return False
    return True
