"""What every reader yields: one incoming report, before it is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, replace

from jirga.model.checks import safe_url


@dataclass(frozen=True)
class IncomingReport:
    text: str
    origin: str  # the file, URL or bundle object it came from, for messages
    title: str = ""
    source: str | None = None  # outlet or partner name
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None  # ISO 639-1, if the reader knows it
    tlp: str | None = None  # clear | green | amber | amber+strict | red, if the input carries a marking
    notes: tuple[str, ...] = ()  # warnings for the user: what the reader left out, and why

    @property
    def content_hash(self) -> str:
        """Same text, same hash: line endings, Unicode form and surrounding blank space do not count."""
        normal = unicodedata.normalize("NFC", self.text.replace("\r\n", "\n")).strip()
        return hashlib.sha256(normal.encode("utf-8")).hexdigest()

    def with_defaults(self, **defaults) -> IncomingReport:
        """Fill the fields this reader left empty; what the input itself says wins."""
        return replace(self, **{key: value for key, value in defaults.items()
                                if value is not None and getattr(self, key) in (None, "")})


def found_url(value: object, origin: str) -> tuple[str | None, tuple[str, ...]]:
    """A link found inside a document, if it is a safe http(s) URL; else None and a note saying it was left out.

    The report is still worth storing without its link; a javascript: or data: link never is (see checks.py)."""
    if value is None or not str(value).strip():
        return None, ()
    try:
        return safe_url(str(value), "link"), ()
    except ValueError as error:
        return None, (f"{origin}: {error}; stored without it ({str(value)[:80]!r})",)
