"""Read a news web page: the article's text and its title, date, canonical URL, site name and language."""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
from urllib.parse import urlsplit

from jirga.ingest.language import detect
from jirga.ingest.sniff import sniff
from jirga.ingest.textfile import BadInput
from jirga.model.report import IncomingReport, found_url

logging.getLogger("trafilatura").addHandler(logging.NullHandler())
logging.getLogger("htmldate").addHandler(logging.NullHandler())

NO_TEXT = "no article text found in the HTML page"
# An article is prose: at least this many words in lines of at least PROSE_LINE_WORDS words (a menu has none).
MIN_PROSE_WORDS = 15
PROSE_LINE_WORDS = 8

_HEAD = 8192
# These run on untrusted pages, so none may backtrack far: a tag's attributes stop at the next "<" (a run of
# unclosed "<meta" is then read once, not once per "<meta"), and a comment ends at its first "-->" (a lazy ".*?"
# could end at any later one, which made a run of comments before a paragraph take exponential time).
_META_CHARSET = re.compile(rb"""<meta[^<>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^<>]*encoding\s*=\s*["']([\w.:-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html[^<>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.I)
_DOCUMENT_START = re.compile(rb"\s*(?:<\?xml[^<>]*>\s*)?(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!doctype\s+html|html)\b",
                             re.I)
_NOT_CHARSETS = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"}
_DOCUMENT_END = re.compile(rb"</(?:html|body)\s*>", re.I)


def read_html(data: bytes, origin: str, url: str | None = None, charset: str | None = None) -> IncomingReport:
    """One report from a page's main text; BadInput when the page holds no article. charset: the HTTP header's."""
    if sniff(data) == "binary":
        raise BadInput(f"{origin}: binary file, not an HTML page")
    if _DOCUMENT_START.match(data) and not _DOCUMENT_END.search(data):
        raise BadInput(f"{origin}: the HTML page is cut short (no </body> or </html>): incomplete download?")
    page = decode(data, charset)
    document = _extract(page, url)
    body = _paragraphs(document.text if document is not None else "")
    if not _is_prose(body):
        raise BadInput(f"{origin}: {NO_TEXT}")
    title = " ".join((document.title or "").split())
    text = body if not title or body.startswith(title) else f"{title}\n\n{body}"
    notes: tuple[str, ...] = ()
    if not url:  # the address it was fetched from is known good; a page's own canonical URL is not
        url, notes = found_url(document.url, origin)
    return IncomingReport(
        text=text,
        origin=origin,
        title=title,
        source=document.sitename or _host(url),
        url=url,
        published=_date(document.date),
        language=detect(body) or _declared_language(page),
        notes=notes,
    )


def decode(data: bytes, charset: str | None = None) -> str:
    """The page as text. Valid UTF-8 is UTF-8 whatever the page says (a mislabelled page is far likelier than
    Latin-1 text that happens to be valid UTF-8); otherwise the HTTP charset, the page's own declaration, and
    Windows-1252 (the web's default for unlabelled pages), in that order."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:_HEAD]
    declared = [charset, *(match[1].decode("ascii") for match in (_META_CHARSET.search(head),
                                                                  _XML_ENCODING.search(head)) if match)]
    for name in declared:
        encoding = charset_codec(name)
        if encoding:
            try:
                return data.decode(encoding, errors="replace")
            except (LookupError, UnicodeError):  # a codec that is no character set: "rot-13", "hex", "idna"
                continue
    return data.decode("cp1252", errors="replace")


def charset_codec(name: str | None) -> str | None:
    """The Python codec for a charset label from a page or an HTTP header; None for what is no character set."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().lower())
    except LookupError:
        return None
    # Python also names transforms and escapes ("hex", "rot-13", "unicode_escape", "idna"): none is a page's charset.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    encoding = info.name
    # As browsers do: a page labelled Latin-1 or ASCII is Windows-1252; a UTF-16 label on bytes is a mistake.
    if encoding in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return None if encoding.startswith("utf-16") else encoding


def _extract(page: str, url: str | None):
    import trafilatura
    from trafilatura.settings import set_date_params

    # The balanced default, not favor_recall: trafilatura 2.3 already retries a short extraction with recall
    # settings, and favor_recall pulls footers into old table-layout pages. The short-article tests in
    # tests/test_readers.py guard against short stories being dropped.
    try:
        return trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params=set_date_params(extensive=False))  # no guessing from a copyright year
    except Exception:  # a library failing on hostile markup is a bad page, not a crash
        return None


def _paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _is_prose(text: str) -> bool:
    words = (len(line.split()) for line in text.split("\n\n"))
    return sum(count for count in words if count >= PROSE_LINE_WORDS) >= MIN_PROSE_WORDS


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def _declared_language(page: str) -> str | None:
    match = _HTML_LANG.search(page[:_HEAD])
    code = match[1].lower() if match else ""
    return code if len(code) == 2 else None
