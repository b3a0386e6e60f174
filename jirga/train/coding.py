"""Reading a coding (one report's incidents, meetings and relations, in the form `jirga extract` writes) from
untrusted hands: a trainee's upload, a file in a folder. Anything of the wrong shape is refused with the field
named, before any scoring sees it."""

from __future__ import annotations

import json
from pathlib import Path

from jirga.errors import BadInput

MAX_CODING_BYTES = 2_000_000
_ITEM_DICTS = ("place", "date", "killed", "injured", "victims")
_ITEM_LISTS = ("claimed_by", "perpetrator", "participants")


def check_coding(coding: object, where: str) -> dict:
    """The coding itself if its shape can be scored; BadInput naming `where` and the field otherwise."""
    if not isinstance(coding, dict):
        raise BadInput(f"{where}: a coding is a JSON object with incidents, meetings and relations, "
                       f"not {type(coding).__name__}")
    for section in ("incidents", "meetings", "relations"):
        items = coding.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise BadInput(f"{where}: {section} must be a list")
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise BadInput(f"{where}: {section} item {number} must be an object")
            for key in _ITEM_DICTS:
                if item.get(key) is not None and not isinstance(item[key], dict):
                    raise BadInput(f"{where}: {section} item {number}: {key} must be an object")
            for key in _ITEM_LISTS:
                value = item.get(key)
                if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    raise BadInput(f"{where}: {section} item {number}: {key} must be a list of names")
            for key in ("killed", "injured"):
                figure = item.get(key) or {}
                for bound in ("best", "low"):
                    if figure.get(bound) is not None and (isinstance(figure[bound], bool)
                                                          or not isinstance(figure[bound], (int, float))):
                        raise BadInput(f"{where}: {section} item {number}: {key}.{bound} must be a number")
    return coding


def parse_coding(text: str, where: str) -> dict:
    if len(text) > MAX_CODING_BYTES:
        raise BadInput(f"{where}: a coding of {len(text)} characters is more than {MAX_CODING_BYTES}")
    try:
        return check_coding(json.loads(text), where)
    except json.JSONDecodeError as error:
        raise BadInput(f"{where}: not JSON ({error.msg} at line {error.lineno})") from None


def read_codings(folder: Path, names: list[str]) -> tuple[dict[str, dict | None], list[BadInput]]:
    """The coding of each named report from FOLDER/<stem>.json (None where there is none), and the files that
    could not be read; one bad file never stops the others."""
    codings: dict[str, dict | None] = {}
    problems = []
    for name in names:
        path = folder / (Path(name).stem + ".json")
        if not path.is_file():
            codings[name] = None
            continue
        try:
            codings[name] = parse_coding(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(BadInput(f"{path}: cannot be read ({error})"))
            codings[name] = None
        except BadInput as error:
            problems.append(error)
            codings[name] = None
    return codings, problems
