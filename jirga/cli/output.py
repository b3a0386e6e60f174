"""What the command prints: text made safe for a terminal, JSON, readable tables (rich) for extraction results,
and the one map from an error to an exit code: 0 done, 1 refused or failed, 2 bad input."""

from __future__ import annotations

import json
import re

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jirga.errors import BadInput, JirgaError

err = Console(stderr=True, highlight=False)

# An error's exit code: that of the nearest of its classes listed here (see the tree in jirga.errors).
EXIT = {BadInput: 2, JirgaError: 1}

# C0 and C1 control characters (ESC starts a terminal escape sequence; in a UTF-8 terminal so may U+009B), DEL, and
# lone surrogates, which cannot even be written out. Tab and newline stay where the output may have them.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\t\n]+")
_C1 = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def terminal_text(value: object, *, one_line: bool = False) -> str:
    """Stored or reported text made safe to print on an analyst's terminal: a report cannot move the cursor, rewrite
    the screen, set the window title or hide a line. Each control character becomes U+FFFD, so nothing is hidden."""
    text = _CONTROLS.sub("\ufffd", str(value))
    return _LINE_BREAKS.sub(" ", text) if one_line else text


def terminal_json(value, **options) -> str:
    """JSON for a terminal: the same data (control characters escaped, not dropped), no raw C1 controls; JSON
    already escapes C0 ones."""
    dumped = json.dumps(value, ensure_ascii=False, **options)
    return _C1.sub(lambda match: f"\\u{ord(match[0]):04x}", dumped)



def exit_code(error: JirgaError) -> int:
    return next(EXIT[cls] for cls in type(error).__mro__ if cls in EXIT)


def wide(columns: int = 140) -> Console:
    """A console for a table: at least `columns` wide, so that a narrow terminal wraps cells rather than hiding them."""
    return Console(width=max(Console().width, columns))


def fail(command: str, message: object, code: int) -> int:
    """Say on stderr, in one line safe for a terminal, why `jirga COMMAND` stopped; return its exit code."""
    err.print(f"jirga {command}: {escape(terminal_text(message, one_line=True))}", soft_wrap=True)
    return code

def _row(table: Table, *cells: str) -> None:
    """A row of report text: no markup read from it, no control character printed (see present.terminal_text)."""
    table.add_row(*(escape(terminal_text(cell)) for cell in cells))


def _place(place: dict | None) -> str:
    if not place:
        return ""
    parts = [place["name"]] + [place[k] for k in ("province", "country") if place.get(k) and place[k] != place["name"]]
    return ", ".join(parts)


def _date(date: dict | None) -> str:
    if not date:
        return ""
    if date["start"] == date["end"]:
        return date["start"]
    return f"{date['start']}..{date['end']} ({date['precision']})"


def _figure(figure: dict | None) -> str:
    if not figure:
        return ""
    qualifier = f"{figure['qualifier']} " if figure.get("qualifier") else ""
    return f"{qualifier}{figure['best'] if figure['best'] is not None else figure['low']}"


def print_extraction(result: dict, text: str, console: Console | None = None) -> None:
    console = console or wide(150)
    path = escape(terminal_text(result["document"].get("path", ""), one_line=True))
    console.print(f"[bold]{path}[/bold]  extractor {result['extractor']['version']}")
    incidents = Table("kind", "type", "place", "date", "killed", "injured", "claimed by / perpetrator", "target",
                      title="Incidents", show_lines=True)
    for i in result["incidents"]:
        if i["kind"] == "statistic":
            figures = "; ".join(f"{_figure(f)} {unit}" for unit, fs in i["figures"].items() for f in fs)
            _row(incidents, "statistic", "", _place(i["place"]), _date(i["date"]), "", "", f"source: {i['source']}",
                 figures)
            continue
        actors = ", ".join(i["claimed_by"]) or ", ".join(i["perpetrator"]) or ", ".join(i.get("against", []))
        _row(incidents, i["kind"], i.get("attack_type") or "", _place(i["place"]), _date(i["date"]),
             _figure(i["killed"]), _figure(i["injured"]), actors, i.get("target") or "")
    if result["incidents"]:
        console.print(incidents)
    else:
        console.print("No incidents.")
    for i in result["incidents"]:
        if i.get("explain"):
            console.print(f"[bold]{i['id']}[/bold] ({i['kind']}, {_place(i['place'])}):", markup=True)
            for line in i["explain"]:
                console.print(f"  {line}", markup=False, highlight=False)
    meetings = Table("kind", "name", "place", "date", "participants", "people", title="Meetings")
    for m in result["meetings"]:
        _row(meetings, m["kind"], m["name"], _place(m["place"]), _date(m["date"]), " ".join(m["participants"]),
             ", ".join(m["people"]))
    if result["meetings"]:
        console.print(meetings)
    relations = Table("subject", "relation", "object", "evidence", title="Relations")
    for r in result["relations"]:
        start, end = r["span"]
        _row(relations, r["subject"], r["relation"], r["object"], text[start:end])
    if result["relations"]:
        console.print(relations)
