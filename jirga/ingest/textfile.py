"""Read plain-text reports from disk, refusing what is not a readable text with a clear reason."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jirga.errors import BadInput
from jirga.model.checks import check_date, safe_url

TEXT_SUFFIXES = {".txt", ".text"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
METADATA_EXTRA = ("title", "source", "url")



@dataclass(frozen=True)
class TextFile:
    path: Path
    text: str


def expand(paths: list[Path]) -> Iterator[Path | BadInput]:
    """Files as given, directories as the text files inside them (sorted); a problem as BadInput."""
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not found:
                yield BadInput(f"{path}: directory holds no text files ({', '.join(sorted(TEXT_SUFFIXES))})")
            yield from found
        else:
            yield path


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> TextFile:
    return TextFile(path, decode_text(read_bytes(path, max_bytes), str(path)))


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, or BadInput when it is missing, not a file, too large, unreadable or empty."""
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if not path.is_file():
        raise BadInput(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise BadInput(f"{path}: file too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB, "
                       "see --max-bytes)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"{path}: cannot read ({error.strerror})") from None
    if not data.strip():
        raise BadInput(f"{path}: empty file")
    return data


def decode_text(data: bytes, origin: str) -> str:
    """UTF-8 text (a BOM allowed), or BadInput naming origin when it is binary or another encoding."""
    if b"\x00" in data[:8192]:
        raise BadInput(f"{origin}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"{origin}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})") from None


def read_metadata(path: Path) -> dict[str, dict[str, Any]]:
    """file name -> its metadata, from a CSV with a header naming 'file' and 'published' (YYYY-MM-DD, may be
    blank), and optionally 'title', 'source' and 'url'."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise BadInput(f"{path}: cannot read metadata ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise BadInput(f"{path}: not a readable CSV ({error})") from None
    if not rows or not {"file", "published"} <= set(rows[0]):
        raise BadInput(f"{path}: metadata needs a header with the columns 'file' and 'published'")
    metadata = {}
    for line, row in enumerate(rows, start=2):
        published = (row["published"] or "").strip()
        try:
            date = dt.date.fromisoformat(published) if published else None
        except ValueError:
            raise BadInput(f"{path}, line {line}: published {published!r} is not a YYYY-MM-DD date") from None
        entry: dict[str, Any] = {"published": date}
        entry |= {key: (row.get(key) or "").strip() or None for key in METADATA_EXTRA}
        # The user's own file: a wrong date or link is refused with its line, before anything is read.
        try:
            if date is not None:
                check_date(date, "published")
            if entry["url"]:
                safe_url(entry["url"], "url")
        except ValueError as error:
            raise BadInput(f"{path}, line {line}: {error}") from None
        metadata[Path(row["file"] or "").name] = entry
    return metadata
