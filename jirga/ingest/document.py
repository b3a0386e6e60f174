"""Hand a document's bytes to the reader for its kind: the kind its name or content type declares, confirmed (or
corrected) by its first bytes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from jirga.ingest.feed import read_feed
from jirga.ingest.html import charset_codec, read_html
from jirga.ingest.sniff import sniff
from jirga.ingest.stix import read_bundle
from jirga.ingest.textfile import BadInput, decode_text
from jirga.model.report import IncomingReport

KINDS = ("html", "feed", "bundle", "text")
_SNIFFED_KIND = {"html": "html", "feed": "feed", "xml": "feed", "json": "bundle", "text": "text", "binary": "binary"}


def choose_kind(declared: str | None, data: bytes) -> str:
    """The reader to use: declared is what the file suffix or content type says (None: it says nothing useful).
    Sniffing overrides it only when the bytes plainly are something else; 'binary' when they are no document."""
    sniffed = sniff(data)
    if sniffed == "binary":
        return "binary"
    if declared is None:
        return _SNIFFED_KIND[sniffed]
    if declared == "html" and sniffed in ("feed", "json"):
        return _SNIFFED_KIND[sniffed]
    if declared == "feed" and sniffed in ("html", "json"):
        return _SNIFFED_KIND[sniffed]
    return declared


def read_document(data: bytes, origin: str, kind: str, *, url: str | None = None,
                  charset: str | None = None) -> Iterator[IncomingReport | BadInput]:
    """Reports (or BadInput) from a document of the given kind (one of KINDS, or 'binary')."""
    if kind == "html":
        try:
            yield read_html(data, origin, url=url, charset=charset)
        except BadInput as error:
            yield error
    elif kind == "feed":
        yield from read_feed(data, origin)
    elif kind == "bundle":
        yield from read_bundle(data, origin)
    elif kind == "text":
        try:
            text = _decode(data, origin, charset)
        except BadInput as error:
            yield error
            return
        host = urlsplit(url).hostname if url else None
        yield IncomingReport(text=text, origin=origin, url=url, source=host.removeprefix("www.") if host else None)
    else:
        yield BadInput(f"{origin}: binary data, not a text, HTML page, feed or STIX bundle")


def _decode(data: bytes, origin: str, charset: str | None) -> str:
    """UTF-8 (decode_text's checks), or the HTTP charset when it names another encoding that fits."""
    label = (charset or "").strip().lower().replace("_", "-")
    codec = None if label in ("utf-8", "utf8", "us-ascii", "ascii") else charset_codec(label)
    if codec and b"\x00" not in data[:8192]:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeError):  # the header names a charset the bytes are not in
            pass
    return decode_text(data, origin)
