"""What a document is, from its first bytes: an HTML page, an RSS/Atom feed, JSON, other XML, text or binary."""

from __future__ import annotations

import re

HEAD_BYTES = 4096

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Magic numbers of the binary formats most often met where a page was expected: PDF, PNG, GIF, JPEG, ZIP (and
# Office files), gzip, WebP/RIFF.
_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
# Declarations, processing instructions and comments that may stand before the first element.
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!(?!doctype)[^>]*>)", re.S | re.I)
_DOCTYPE = re.compile(rb"\s*<!doctype\s+([a-z]+)", re.I)
_FIRST_TAG = re.compile(rb"\s*<([a-z][\w:.-]*)", re.I)
_FEED_ROOTS = {b"rss", b"feed", b"rdf:rdf", b"rdf"}
_HTML_TAGS = {b"html", b"head", b"body", b"meta", b"title", b"div", b"p", b"article", b"section", b"main",
              b"header", b"nav", b"link", b"script", b"style", b"h1", b"h2", b"table", b"span", b"a", b"br"}


def sniff(data: bytes) -> str:
    """One of 'html', 'feed', 'json', 'xml', 'text', 'binary' ('text' also for empty input)."""
    head = data[:HEAD_BYTES]
    for bom in _BOMS:
        if head.startswith(bom):
            if bom != _BOMS[0]:
                return "text"  # UTF-16: never one of ours as markup; let the text checks speak
            head = head[len(bom):]
            break
    if b"\x00" in head or head.startswith(_MAGIC):
        return "binary"
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    if stripped[:1] != b"<":
        return "text"
    position = 0
    while (match := _PROLOG.match(head, position)) and match.end() > position:
        position = match.end()
    if doctype := _DOCTYPE.match(head, position):
        return "html" if doctype[1].lower() == b"html" else "xml"
    if not (tag := _FIRST_TAG.match(head, position)):
        return "text"
    name = tag[1].lower()
    if name in _FEED_ROOTS or name.endswith((b":rss", b":feed")):
        return "feed"
    if name in _HTML_TAGS:
        return "html"
    return "xml"
