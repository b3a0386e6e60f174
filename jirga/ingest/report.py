"""What every reader yields: one incoming report, before it is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, replace


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

    @property
    def content_hash(self) -> str:
        """Same text, same hash: line endings, Unicode form and surrounding blank space do not count."""
        normal = unicodedata.normalize("NFC", self.text.replace("\r\n", "\n")).strip()
        return hashlib.sha256(normal.encode("utf-8")).hexdigest()

    def with_defaults(self, **defaults) -> IncomingReport:
        """Fill the fields this reader left empty; what the input itself says wins."""
        return replace(self, **{key: value for key, value in defaults.items()
                                if value is not None and getattr(self, key) in (None, "")})
