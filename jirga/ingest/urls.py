"""Fetch reports from the web: URL list files, and one GET per URL handed to the reader its content calls for."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from jirga.ingest.document import choose_kind, read_document
from jirga.ingest.textfile import DEFAULT_MAX_BYTES, BadInput, read_text
from jirga.model.checks import is_safe_url
from jirga.model.report import IncomingReport
from jirga.version import __version__

USER_AGENT = f"jirga/{__version__}"
DEFAULT_TIMEOUT = 20.0
ACCEPT = ("text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/stix+json, "
          "application/json, application/xml;q=0.9, text/plain;q=0.8, */*;q=0.1")

_CONTENT_KINDS = {
    "text/html": "html", "application/xhtml+xml": "html",
    "application/rss+xml": "feed", "application/atom+xml": "feed", "application/rdf+xml": "feed",
    "application/xml": "feed", "text/xml": "feed",
    "application/json": "bundle", "application/stix+json": "bundle", "application/taxii+json": "bundle",
}
# Types that say nothing reliable about the content: the first bytes decide.
_SNIFF_TYPES = {"", "text/plain", "application/octet-stream", "binary/octet-stream", "application/unknown"}
_COMMENT = re.compile(r"(?:^|\s)#.*$")


def looks_like_url_list(text: str) -> bool:
    """One token per line (comments aside), most of them http(s) URLs: a list, not a report quoting links."""
    lines = _content_lines(text)
    if not lines or any(len(line.split()) != 1 for _, line in lines):
        return False
    return sum(is_safe_url(line) for _, line in lines) * 2 >= len(lines)


def parse_url_list(text: str, origin: str) -> list[str]:
    """The URLs, one per line; blank lines and # comments ignored; BadInput naming the first line that is no URL."""
    urls = []
    for number, line in _content_lines(text):
        if not is_safe_url(line):
            raise BadInput(f"{origin}, line {number}: {line[:100]!r} is not an http(s) URL")
        urls.append(line)
    if not urls:
        raise BadInput(f"{origin}: the URL list holds no URLs")
    return urls


def read_url_list(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """The URLs listed in a text file; BadInput when the file cannot be read or a line is not an http(s) URL."""
    path = Path(path)
    return parse_url_list(read_text(path, max_bytes).text, str(path))


def _content_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for each line left once comments and blank space are taken away."""
    lines = ((number, _COMMENT.sub("", line).strip()) for number, line in enumerate(text.splitlines(), start=1))
    return [(number, line) for number, line in lines if line]


def make_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    return httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": ACCEPT}, timeout=timeout,
                        follow_redirects=True, max_redirects=10)


def fetch(url: str, client: httpx.Client, *, timeout: float = DEFAULT_TIMEOUT,
          max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[IncomingReport | BadInput]:
    """GET url and read what comes back; every failure is one BadInput('<url>: <reason>')."""
    if not is_safe_url(url):
        yield BadInput(f"{url}: not an http(s) URL")
        return
    try:
        data, content_type, charset, final_url = _download(url, client, timeout, max_bytes)
    except BadInput as error:
        yield error
        return
    declared = _CONTENT_KINDS.get(content_type)
    if declared is None and content_type not in _SNIFF_TYPES and not content_type.endswith(("+xml", "+json")):
        yield BadInput(f"{url}: unsupported content type {content_type} "
                       "(not an HTML page, RSS/Atom feed, STIX bundle or plain text)")
        return
    if declared is None and content_type.endswith("+json"):
        declared = "bundle"
    yield from read_document(data, url, choose_kind(declared, data), url=final_url, charset=charset)


def _download(url: str, client: httpx.Client, timeout: float, max_bytes: int) -> tuple[bytes, str, str | None, str]:
    """The body (decompressed, at most max_bytes), its media type, its charset and the URL after redirects."""
    too_large = f"{url}: response too large (over {max_bytes / 1e6:.1f} MB, see --max-bytes)"
    deadline = time.monotonic() + timeout
    try:
        with client.stream("GET", url, headers={"User-Agent": USER_AGENT}, timeout=timeout,
                           follow_redirects=True) as response:
            if response.status_code >= 400:
                phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                raise BadInput(f"{url}: HTTP {response.status_code}{phrase}")
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise BadInput(too_large)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise BadInput(too_large)
                if time.monotonic() > deadline:
                    raise BadInput(f"{url}: no complete answer within {timeout:g} s (timed out)")
                chunks.append(chunk)
            media_type, _, parameters = response.headers.get("content-type", "").partition(";")
            charset = next((value.strip().strip("\"'") for key, _, value in
                            (part.strip().partition("=") for part in parameters.split(";"))
                            if key.strip().lower() == "charset"), None)
            final_url = str(response.url)
    except BadInput:  # said above already (it is a ValueError too: not an invalid URL)
        raise
    except httpx.TimeoutException:
        raise BadInput(f"{url}: no answer within {timeout:g} s (timed out)") from None
    except httpx.HTTPError as error:
        raise BadInput(f"{url}: {describe(error)}") from None
    except (httpx.InvalidURL, UnicodeError, ValueError) as error:
        raise BadInput(f"{url}: not a valid http(s) URL ({error})") from None
    data = b"".join(chunks)
    if not data.strip():
        raise BadInput(f"{url}: empty response")
    return data, media_type.strip().lower(), charset, final_url


def describe(error: httpx.HTTPError) -> str:
    """What went wrong, in a few words, from an httpx error."""
    message = re.sub(r"^\[Errno -?\d+\]\s*", "", str(error)).strip() or type(error).__name__
    lowered = message.lower()
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(error, httpx.ConnectError):
        if any(marker in lowered for marker in ("name or service not known", "name resolution", "nodename nor servname",
                                                  "no address associated", "getaddrinfo failed")):
            return f"host not found (DNS lookup failed: {message})"
        if "certificate" in lowered or "ssl" in lowered:
            return f"TLS error ({message})"
        return f"cannot connect ({message[:1].lower() + message[1:]})"
    if isinstance(error, httpx.UnsupportedProtocol):
        return f"not a valid http(s) URL ({message})"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the server broke off the response ({message})"
    if isinstance(error, httpx.DecodingError):
        return f"cannot decompress the response ({message})"
    return message
