"""What an exercise is made of, before it is stored: reports, the gold coding of each, and the day each is released.

An instructor builds one from a gold file and the folder of its reports, optionally with a scenario that releases
them day by day and titles the exercise (examples/exercises/first-week.yaml); or imports one exported from another
instance. Both are checked here, with the file and the field named in every refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from jirga.errors import BadInput
from jirga.train.gold import check_gold

BUNDLE_FORMAT = "jirga-exercise/1"
MAX_REPORT_BYTES = 2_000_000
MAX_REPORTS = 500
MAX_DAY = 365
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class ExerciseReportSpec:
    name: str
    text: str
    gold: dict
    published: dt.date | None = None
    title: str = ""
    day: int = 0


@dataclass(frozen=True)
class ExerciseSpec:
    name: str
    title: str = ""
    description: str = ""
    reports: list[ExerciseReportSpec] = field(default_factory=list)

    def as_bundle(self) -> dict:
        """The exercise as one JSON document, gold included: what `jirga exercise export` writes."""
        return {"format": BUNDLE_FORMAT, "name": self.name, "title": self.title, "description": self.description,
                "reports": [{"name": r.name, "title": r.title, "published": r.published and r.published.isoformat(),
                             "day": r.day, "text": r.text, "gold": r.gold} for r in self.reports]}


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise BadInput(f"exercise name {str(name)[:100]!r}: use 1 to 100 letters, digits, '.', '_' or '-', "
                       "starting with a letter or digit")
    return name


def _day(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAY:
        raise BadInput(f"{where}: day {str(value)[:20]!r} is not a whole number from 0 to {MAX_DAY}")
    return value


def _published(value: object, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadInput(f"{where}: published {str(value)[:40]!r} is not a YYYY-MM-DD date") from None


def _plain(value: object) -> object:
    """Gold as JSON keeps it: dates as YYYY-MM-DD text (the scorer reads both)."""
    return json.loads(json.dumps(value, default=str))


def read_scenario(path: Path) -> dict:
    """A scenario file: `title`, `description`, and `days`: day number to the reports released that day."""
    try:
        scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise BadInput(f"{path}: cannot be read as YAML ({error.__class__.__name__})") from None
    if not isinstance(scenario, dict) or not isinstance(scenario.get("days"), dict) or not scenario["days"]:
        raise BadInput(f"{path}: a scenario needs `days`: each day's number to the list of reports released then")
    for day, names in scenario["days"].items():
        _day(day, str(path))
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or not names:
            raise BadInput(f"{path}: day {day}: a list of report file names")
    return scenario


def build(name: str, gold: dict, reports: Path, scenario: dict | None = None, title: str | None = None) -> ExerciseSpec:
    """An exercise from a checked gold file and its reports' folder: every gold report on day 0, or the scenario's
    reports on its days, in that order."""
    check_name(name)
    documents = gold["documents"]
    if scenario:
        schedule = [(int(day), report) for day, names in sorted(scenario["days"].items()) for report in names]
    else:
        schedule = [(0, report) for report in documents]
    if not schedule:
        raise BadInput("an exercise needs at least one report; the gold file has none")
    if len(schedule) > MAX_REPORTS:
        raise BadInput(f"an exercise holds at most {MAX_REPORTS} reports, not {len(schedule)}")
    specs, seen = [], set()
    for day, report in schedule:
        if report in seen:
            raise BadInput(f"report {report!r} is scheduled twice")
        seen.add(report)
        if report not in documents:
            raise BadInput(f"report {report!r}: the gold file has no coding of it")
        path = reports / report
        if Path(report).name != report or not path.is_file():
            raise BadInput(f"report {report!r}: no such file in {reports}")
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise BadInput(f"report {report!r}: larger than {MAX_REPORT_BYTES} bytes")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise BadInput(f"report {report!r}: not UTF-8 text") from None
        if "\x00" in text:
            raise BadInput(f"report {report!r}: holds a NUL character; not a text file")
        document = documents[report]
        specs.append(ExerciseReportSpec(report, text, _plain(document), _published(document.get("published"), report),
                                        str(document.get("title") or "")[:500], day))
    scenario = scenario or {}
    return ExerciseSpec(name, str(title or scenario.get("title") or name)[:300],
                        str(scenario.get("description") or ""), specs)


def from_bundle(bundle: object, where: str) -> ExerciseSpec:
    """An exported exercise, checked as strictly as a new one."""
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise BadInput(f"{where}: not an exported exercise (format {BUNDLE_FORMAT})")
    reports = bundle.get("reports")
    if not isinstance(reports, list) or not reports or len(reports) > MAX_REPORTS:
        raise BadInput(f"{where}: reports must be a list of 1 to {MAX_REPORTS} reports")
    specs, seen = [], set()
    for number, report in enumerate(reports, 1):
        at = f"{where}: report {number}"
        if not isinstance(report, dict) or not isinstance(report.get("name"), str) or not report["name"].strip():
            raise BadInput(f"{at}: needs a name")
        if report["name"] in seen:
            raise BadInput(f"{at}: {report['name'][:100]!r} appears twice")
        seen.add(report["name"])
        if not isinstance(report.get("text"), str) or not report["text"].strip():
            raise BadInput(f"{at}: needs its text")
        if len(report["text"]) > MAX_REPORT_BYTES or len(report["name"]) > 300:
            raise BadInput(f"{at}: name or text too long")
        if "\x00" in report["text"] + report["name"]:  # PostgreSQL stores no NUL (the gold is kept as JSON)
            raise BadInput(f"{at}: holds a NUL character")
        check_gold({"documents": {report["name"]: report.get("gold")}}, at)
        specs.append(ExerciseReportSpec(report["name"], report["text"], _plain(report["gold"]),
                                        _published(report.get("published"), at), str(report.get("title") or "")[:500],
                                        _day(report.get("day", 0), at)))
    return ExerciseSpec(check_name(bundle.get("name")), str(bundle.get("title") or "")[:300],
                        str(bundle.get("description") or "")[:5000], specs)
