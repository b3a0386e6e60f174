"""Readable terminal tables (rich) for extraction results."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jirga.present import terminal_text


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
    console = console or Console(width=max(Console().width, 150))
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
