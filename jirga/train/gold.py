"""Reading a gold file: `documents`, each report's name to what a careful analyst coded from it (the schema of
../shared/seeds/gold.yaml and examples/gold.yaml; docs/training.md). Refused with a clear message where its shape
cannot be scored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from jirga.errors import BadInput

MAX_GOLD_BYTES = 20_000_000


def parse_gold(text: str, where: str) -> dict:
    try:
        gold = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise BadInput(f"{where}: not YAML{at}") from None
    return check_gold(gold, where)


def check_gold(gold: object, where: str) -> dict:
    if not isinstance(gold, dict) or not isinstance(gold.get("documents"), dict):
        raise BadInput(f"{where}: a gold file needs `documents`: each report's file name to its coding")
    for name, document in gold["documents"].items():
        if not isinstance(name, str) or not isinstance(document, dict):
            raise BadInput(f"{where}: document {str(name)[:100]!r} must be a mapping of its incidents, meetings, ...")
        for group in ("incidents", "meetings"):
            section = {} if document.get(group) is None else document[group]
            if not isinstance(section, dict):
                raise BadInput(f"{where}: {name}: {group} must have `required` and `optional` lists")
            for kind in ("required", "optional"):
                items = section.get(kind) or []
                if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                    raise BadInput(f"{where}: {name}: {group}.{kind} must be a list of items")
                for item in items:
                    if item.get("place") is not None and not isinstance(item["place"], dict):
                        raise BadInput(f"{where}: {name}: {group}.{kind}: place must be a mapping")
                    for figure in ("killed", "injured"):
                        value = (item.get(figure) or {}).get("value") if isinstance(item.get(figure), dict) else 0
                        if item.get(figure) is not None and not isinstance(value, (int, float)):
                            raise BadInput(f"{where}: {name}: {group}.{kind}: {figure} needs a numeric value")
        if not isinstance(document.get("relations") or [], list):
            raise BadInput(f"{where}: {name}: relations must be a list of [subject, relation, object]")
        published = document.get("published")
        if published is not None and not isinstance(published, dt.date):
            try:
                dt.date.fromisoformat(str(published))
            except ValueError:
                raise BadInput(f"{where}: {name}: published {str(published)[:40]!r} is not a YYYY-MM-DD date") from None
    return gold


def read_gold(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_GOLD_BYTES:
            raise BadInput(f"{path}: larger than {MAX_GOLD_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: cannot be read ({error.__class__.__name__})") from None
    return parse_gold(text, str(path))
