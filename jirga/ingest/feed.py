"""Read an RSS or Atom feed: one report per entry, from the text the feed itself carries (entry links are not
fetched)."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterator

from jirga.ingest.language import detect
from jirga.ingest.textfile import BadInput
from jirga.model.report import IncomingReport, found_url

# Elements that end a paragraph when a feed's HTML is flattened to text.
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
           "table", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "hr"}
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "form")
# A comment ends at its first "-->": a lazy ".*?" there could also end at a later one, and a run of comments not
# followed by the end of the document then backtracks exponentially.
_ROOT_CLOSED = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|rdf)\s*>\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*\Z", re.I)
# No "<" inside a tag: a run of unclosed "<a" would otherwise rescan the rest of the text from each one.
_TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def read_feed(data: bytes, origin: str) -> Iterator[IncomingReport | BadInput]:
    """A report per entry, a BadInput per entry without text; one BadInput alone for what is not a readable feed."""
    import feedparser

    try:
        parsed = feedparser.parse(data)
    except Exception as error:  # feedparser is lenient; anything it still cannot take is a bad document
        yield BadInput(f"{origin}: not an RSS or Atom feed ({error})")
        return
    problem = _problem(parsed, data)
    if problem:
        yield BadInput(f"{origin}: {problem}")
        return
    feed = parsed.get("feed", {})
    source = _plain(feed.get("title", "")) or None
    declared = _language(feed.get("language"))
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry(entry, f"{origin}, entry {number}", source, declared)


def _problem(parsed, data: bytes) -> str | None:
    reason = parsed.get("bozo_exception")
    if not parsed.entries:
        if reason is not None:
            return f"not an RSS or Atom feed ({_reason(reason)})"
        if not parsed.get("version"):
            return "not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root element)"
        return "the feed has no entries"
    if reason is not None and not _ROOT_CLOSED.search(data[-4096:]):
        return f"the feed is cut short ({_reason(reason)}): incomplete download?"
    return None


def _reason(error: BaseException) -> str:
    line = getattr(error, "getLineNumber", None)
    message = getattr(error, "getMessage", None)
    if line and message:
        return f"{message()} at line {line()}, column {error.getColumnNumber()}"
    return str(error) or type(error).__name__


def _entry(entry, origin: str, source: str | None, declared: str | None) -> IncomingReport | BadInput:
    title = _plain(entry.get("title", ""))
    link, notes = found_url(entry.get("link"), origin)
    body = _body(entry)
    if not body:
        named = " ".join(part for part in (repr(title) if title else "", f"<{link}>" if link else "") if part)
        return BadInput(f"{origin}{' ' + named if named else ''}: the entry has no text (no content or summary)")
    text = body if not title or body.startswith(title) else f"{title}\n\n{body}"
    language = detect(body) or _language(_detail_language(entry)) or declared
    return IncomingReport(text=text, origin=origin, title=title, source=source, url=link,
                          published=_date(entry), language=language, notes=notes)


def _body(entry) -> str:
    """The fullest text the entry carries: its content, else its summary."""
    candidates = [part for part in entry.get("content", []) if part.get("value")]
    if entry.get("summary"):
        candidates.append(entry.get("summary_detail") or {"value": entry["summary"], "type": "text/html"})
    texts = [html_to_text(part["value"]) if "html" in part.get("type", "text/html") else _paragraphs(part["value"])
             for part in candidates]
    return max(texts, key=len, default="")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by a blank line."""
    import lxml.etree
    import lxml.html

    if not _TAG.search(fragment):
        return _paragraphs(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _paragraphs(_TAG.sub(" ", fragment))
    for element in root.iter(*_DROP):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n\n" + (element.text or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text.replace("\r", "")))
    return "\n\n".join(block for block in blocks if block)


def _plain(value: str) -> str:
    """A title as one line: tags, if the feed left any, removed."""
    return " ".join(_TAG.sub(" ", value or "").split())


def _date(entry) -> dt.date | None:
    """The entry's own calendar date (its time zone kept, not shifted to UTC), published before updated; None when
    the feed gives none that can be read. Whether it is plausible is the ingest's to judge (checks.check_date)."""
    for key in ("published", "updated", "created"):
        raw = str(entry.get(key) or "").strip()
        if not raw:
            continue
        for parse in (email.utils.parsedate_to_datetime, dt.datetime.fromisoformat, _parsed(entry, key)):
            try:
                date = parse(raw).date()
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
            # The parsers are lenient to a fault ("-001-01-01" reads as this year, "0000" as 2000): keep a date
            # only when its year is written in the entry.
            if f"{date.year:04d}" in _YEAR.findall(raw):
                return date
    return None


def _parsed(entry, key: str):
    """feedparser's own reading of the date (it knows more formats), as a parser of the raw text."""
    def parse(raw: str) -> dt.datetime:
        return dt.datetime(*entry.get(f"{key}_parsed")[:3])
    return parse


def _detail_language(entry) -> str | None:
    for key in ("content", "summary_detail", "title_detail"):
        detail = entry.get(key)
        detail = detail[0] if isinstance(detail, list) and detail else detail
        if isinstance(detail, dict) and detail.get("language"):
            return detail["language"]
    return None


def _language(tag: str | None) -> str | None:
    code = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None
