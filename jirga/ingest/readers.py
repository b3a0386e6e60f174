"""The one entry point of `jirga ingest`: paths, directories and URLs in, reports (or what was wrong) out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from jirga.ingest.document import choose_kind, read_document
from jirga.ingest.language import detect
from jirga.ingest.textfile import DEFAULT_MAX_BYTES, BadInput, decode_text, read_bytes
from jirga.ingest.urls import fetch, looks_like_url_list, make_client, parse_url_list
from jirga.model.checks import is_safe_url
from jirga.model.report import IncomingReport

SUFFIX_KINDS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html",
                ".xml": "feed", ".rss": "feed", ".atom": "feed", ".json": "bundle"}


def read_inputs(targets: Sequence[str], *, max_bytes: int = DEFAULT_MAX_BYTES, client: httpx.Client | None = None,
                detect_language: bool = True) -> Iterator[IncomingReport | BadInput]:
    """Every report in the targets, in order, and a BadInput for each input (or part of one) that cannot be read.

    A target is an http(s) URL, a file or a directory (its files with a known suffix, recursively, sorted, hidden
    ones skipped). A .txt file whose lines are URLs is a URL list: each URL is fetched. Reports whose reader did not
    say their language get the detected one, unless detect_language is off (the ingest detects it in its workers).
    An HTTP client is made only when a URL is met, and closed at the end; one passed in is used and left open.
    """
    web = _Web(client)
    try:
        for target in targets:
            for item in _read_target(str(target), max_bytes, web):
                if detect_language and isinstance(item, IncomingReport) and not item.language:
                    item = item.with_defaults(language=detect(item.text))
                yield item
    finally:
        web.close()


class _Web:
    def __init__(self, client: httpx.Client | None):
        self._client = client
        self._owned = False

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client, self._owned = make_client(), True
        return self._client

    def fetch(self, url: str, max_bytes: int) -> Iterator[IncomingReport | BadInput]:
        return fetch(url, self.client(), max_bytes=max_bytes)

    def close(self) -> None:
        if self._owned and self._client is not None:
            self._client.close()
            self._client, self._owned = None, False


def guarded(origin: str, items: Iterator[IncomingReport | BadInput]) -> Iterator[IncomingReport | BadInput]:
    """The reader's items; if the reader breaks on hostile input, one BadInput naming the input, so the run goes on
    with the next input and keeps the reports already read."""
    try:
        yield from items
    except BadInput as error:
        yield error
    except Exception as error:  # a library or reader bug on one input must not end the run; say which input
        message = " ".join(str(error).split())[:200] or "no reason given"
        yield BadInput(f"{origin}: cannot be read ({type(error).__name__}: {message})")


def _read_target(target: str, max_bytes: int, web: _Web) -> Iterator[IncomingReport | BadInput]:
    if is_safe_url(target):
        yield from guarded(target, web.fetch(target, max_bytes))
        return
    if "://" in target:
        yield BadInput(f"{target}: not an http(s) URL nor a file")
        return
    path = Path(target)
    if path.is_dir():
        files = _input_files(path)
        if not files:
            yield BadInput(f"{path}: directory holds no input files ({', '.join(sorted(SUFFIX_KINDS))})")
        for file in files:
            yield from _read_file(file, max_bytes, web)
    else:
        yield from _read_file(path, max_bytes, web)


def _input_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*")
                  if path.is_file() and path.suffix.lower() in SUFFIX_KINDS
                  and not any(part.startswith(".") for part in path.relative_to(directory).parts))


def _read_file(path: Path, max_bytes: int, web: _Web) -> Iterator[IncomingReport | BadInput]:
    try:
        data = read_bytes(path, max_bytes)
    except BadInput as error:
        yield error
        return
    yield from guarded(str(path), _read_data(data, str(path), path.suffix, max_bytes, web))


def read_upload(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[IncomingReport | BadInput]:
    """The reports in an uploaded file, read as a file of that name would be; a list of URLs is refused (the server
    fetches nothing on a browser's behalf)."""
    if len(data) > max_bytes:
        yield BadInput(f"{name}: {len(data):,} bytes, over the limit of {max_bytes:,}")
        return
    yield from guarded(name, _read_data(data, name, Path(name).suffix, max_bytes, None))


def _read_data(data: bytes, origin: str, suffix: str, max_bytes: int, web: _Web | None
               ) -> Iterator[IncomingReport | BadInput]:
    declared = SUFFIX_KINDS.get(suffix.lower())
    kind = "text" if declared == "text" else choose_kind(declared, data)
    if kind != "text":
        yield from read_document(data, origin, kind)
        return
    try:
        text = decode_text(data, origin)
        urls = parse_url_list(text, origin) if looks_like_url_list(text) else None
    except BadInput as error:
        yield error
        return
    if urls is None:
        yield IncomingReport(text=text, origin=origin)
    elif web is None:
        yield BadInput(f"{origin}: a list of URLs; fetch them with `jirga ingest {Path(origin).name}`")
    else:
        for url in urls:
            yield from guarded(url, web.fetch(url, max_bytes))
