"""The situation report: a summary computed from the data, breakdowns, charts, the map, key incidents with their
sources and conflicts, the groups involved and their relations, and what is uncertain, for one period, as HTML or
PDF (WeasyPrint).

Everything in it is read as the requesting user may see it (`store.stats` reads through `access.visible`), and every
figure carries a footnote naming the incidents it sums and, for each, the claims it rests on (linked into the web
app). The whole document is marked with the most restrictive TLP of what it contains, in the header and footer of
every page.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from jirga.access import Viewer, audit
from jirga.assess import charts, maps
from jirga.assess.aggregate import (
    Row,
    Totals,
    change,
    count,
    label,
    percent_text,
    previous_period,
    rows,
    victim_rows,
    victim_totals,
)
from jirga.errors import QueryError
from jirga.fuse.consensus import consensus
from jirga.model import tlp as tlp_levels
from jirga.reference import catalog
from jirga.store import stats as store
from jirga.store.queries import IncidentFilter
from jirga.store.summary import facts_of
from jirga.version import __version__

# The claims a footnote lists for each incident, by what the figure counts.
BASE_FIELDS = ("kind", "date", "killed", "injured")
KEY_FIELDS = {"province": ("place",), "district": ("place",), "country": ("place",), "month": (),
              "group": ("responsibility", "perpetrator"), "attack-type": ("attack_type",), "target-type": ("target",)}
TOP = 5
MAX_INCIDENTS = 5000  # in the period, or the period before: the most one report (and one request) reads
TABLE_ROWS = 15  # rows of a breakdown table; the rest are summed in one more row
KEY_INCIDENTS = 10
# A breakdown row's figures, each footnoted to the incidents it counts. Every note of a row cites the same claims
# of its incidents (what, when, the toll, and what put the incident in the row), so cells that count the same
# incidents share one note: per-cell notes at little more than the cost of per-row ones.
CELLS = ("incidents", "killed", "injured", "conflicts", "single_source")
CELL_WORDS = {"incidents": "incidents", "killed": "killed", "injured": "injured", "conflicts": "sources disagree",
              "single_source": "told by one report"}


@dataclass
class Note:
    number: int
    what: str
    incidents: list[tuple[int, str, list[int]]]  # (incident id, its title and date, the claim ids it rests on)
    same_as: int | None = None  # an earlier note that lists the same incidents
    within: int | None = None  # or the note of the row whose incidents these are, all but `less`
    less: list[int] = field(default_factory=list)


@dataclass
class Notes:
    """The footnotes: one per distinct (incidents, fields) cited; citing the same again gives the same number."""

    claims: dict[int, list]  # incident id -> its counted claims (visible to the viewer)
    titles: dict[int, str]
    notes: list[Note] = field(default_factory=list)
    _index: dict[tuple, int] = field(default_factory=dict)
    _first: dict[tuple[int, ...], int] = field(default_factory=dict)  # incidents -> the first note listing them

    def cite(self, ids: tuple[int, ...] | list[int], fields: tuple[str, ...], what: str,
             within: int | None = None) -> int:
        """The note for these incidents and the claims of `fields`. `within`: a note whose incidents include
        these; when they are most of them, the new note is written as that note's less the others."""
        key = (tuple(sorted(set(ids))), fields)
        if key not in self._index:
            cited = [(i, self.titles.get(i, ""), [c.id for c in self.claims.get(i, []) if c.field in fields])
                     for i in key[0]]
            number = len(self.notes) + 1
            note = Note(number, what, cited, self._first.get(key[0]) if len(key[0]) > 1 else None)
            if within is not None and note.same_as is None:
                outer = {i for i, _, _ in self.notes[within - 1].incidents}
                less = outer - set(key[0])
                if set(key[0]) < outer and len(less) < len(key[0]):
                    note.within, note.less = within, sorted(less)
            self.notes.append(note)
            self._first.setdefault(key[0], number)
            self._index[key] = number
        return self._index[key]

    def claim_ids(self) -> set[int]:
        return {claim for note in self.notes for _, _, claims in note.incidents for claim in claims}

    def register(self) -> list[tuple[int, str, list[int]]]:
        """Every incident the notes cite, once: (id, title, the claims cited). The notes name the incidents; the
        register gives each one's claims, so a quarter's report does not repeat them per note."""
        cited: dict[int, set[int]] = {}
        for note in self.notes:
            for incident_id, _, claims in note.incidents:
                cited.setdefault(incident_id, set()).update(claims)
        return [(incident_id, self.titles.get(incident_id, ""), sorted(claims))
                for incident_id, claims in sorted(cited.items())]


def runs(numbers: list[int] | tuple[int, ...], prefix: str = "") -> str:
    """Numbers as runs, "736–743 750": a register of a quarter's claims on a few pages (claims of one report are
    numbered in a row), each number still readable in full."""
    spans: list[list[int]] = []
    for number in sorted(set(numbers)):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return " ".join(f"{prefix}{a}" if a == b else f"{prefix}{a}–{b}" for a, b in spans)


@dataclass
class Section:
    by: str
    title: str
    rows: list[Row]
    notes: list[dict[str, int | None]]  # a footnote per cell of each row (of CELLS), None where the cell is 0
    chart: Markup | None = None
    parent_title: str = ""


@dataclass
class Sectarian:
    """Sectarian violence, counted apart (`store.stats.is_sectarian`): both periods, and by province and group."""
    total: Totals
    note: int
    previous: Totals
    previous_note: int
    change: dict
    sections: list[Section]


@dataclass
class Sitrep:
    where: IncidentFilter
    start: dt.date
    end: dt.date
    previous: tuple[dt.date, dt.date]
    viewer: str
    organisation: str
    base_url: str
    tlp: str
    total: Totals
    total_note: int
    previous_total: Totals
    previous_note: int
    change: dict
    summary: list[Markup]
    sections: list[Section]
    victims: Section
    sectarian: Sectarian
    key_incidents: list[dict]
    uncertain: dict
    actors: list[tuple[str, str, int, int]]  # (id, name, incidents, footnote)
    relations: list[tuple[str, str, str, int]]
    trend: list[Markup]
    map: Markup
    map_listed: list[tuple[str, int, int, int]]  # (area, incidents, killed best, footnote): not drawn as points
    notes: Notes
    generated: dt.datetime
    names: dict[str, str]


def build(session: Session, where: IncidentFilter, *, viewer: Viewer, organisation: str = "",
          base_url: str = "http://127.0.0.1:8000", today: dt.date | None = None) -> Sitrep:
    """The report over the incidents `viewer` may see that match `where`, whose since and until give the period."""
    from jirga.assess.stats import period_of

    period = period_of(where)
    if period is None:
        raise QueryError("a situation report needs a period: --from and --to")
    start, end = period
    before = previous_period(start, end)
    earlier_where = replace(where, since=before[0].isoformat(), until=before[1].isoformat())
    incidents = store.matching_incidents(session, where, viewer=viewer, limit=MAX_INCIDENTS + 1)
    earlier = store.matching_incidents(session, earlier_where, viewer=viewer, limit=MAX_INCIDENTS + 1)
    if max(len(incidents), len(earlier)) > MAX_INCIDENTS:
        raise QueryError(f"over {MAX_INCIDENTS:,} incidents in {start} to {end} or the period before: a report "
                         "that long helps nobody; narrow the period, the region or the group")
    ids = [i.id for i in incidents]
    claims = store.incident_claims(session, ids + [i.id for i in earlier], viewer=viewer)
    by_incident: dict[int, list] = {}
    for claim in claims:
        by_incident.setdefault(claim.incident_id, []).append(claim)
    groups = store.group_links(session, incidents, viewer)
    by_id = {i.id: i for i in incidents}
    titles = {i.id: f"{i.title} ({i.date_start.isoformat() if i.date_start else 'undated'})"
              for i in [*incidents, *earlier]}
    notes = Notes(by_incident, titles)
    total = count(incidents, None, groups).get((None, None), Totals())
    previous_total = count(earlier, None, {}).get((None, None), Totals())
    total_note = notes.cite(ids, BASE_FIELDS, "All incidents of the period")
    previous_note = notes.cite([i.id for i in earlier], BASE_FIELDS,
                               f"All incidents of the previous period ({before[0]} to {before[1]})")
    names = store.group_names(session, {a for actors in groups.values() for a in actors})

    sections = []
    for by, title in (("province", "By province"), ("district", "By district (the most affected)"),
                      ("group", "By group (claimed, named as perpetrator or attributed)"),
                      ("attack-type", "By method of attack"), ("target-type", "By target")):
        found = _shortened(rows(count(incidents, by, groups), by, names), by)
        cited = [_cell_notes(notes, row, KEY_FIELDS[by], title.split(" (")[0], by_id) for row in found]
        chart = charts.bars([(row.label, row.totals.killed.best) for row in found[:10]],
                            title=f"Killed (best), {title.split(' (')[0].lower()}", unit="killed") if found else None
        sections.append(Section(by, title, found, cited, chart,
                                {"province": "country", "district": "province"}.get(by, "")))

    figures = store.victim_figures(session, ids, viewer=viewer)
    victim = victim_rows(victim_totals(figures, set(ids)), total)
    victims = Section("victim-category", "Killed and injured by category of victim", victim,
                      [_victim_notes(notes, row, figures, incidents) for row in victim])

    per_month = count(incidents, "month", groups)
    trend = [charts.trend({k: t.incidents for (k, _), t in per_month.items() if k}, start, end,
                          what="Incidents", unit="incidents"),
             charts.trend({k: t.killed.best for (k, _), t in per_month.items() if k}, start, end,
                          what="Killed", unit="killed (best)", colour=charts.LINE)]

    moved = change(total, previous_total)
    summary = _summary(sections, total, total_note, previous_total, previous_note, moved, start, end, where)
    sectarian = _sectarian(incidents, earlier, groups, store.group_links(session, earlier, viewer), names, notes,
                           by_id)
    summary.append(Markup("Sectarian violence (attacks on religious targets or by sectarian groups): {} {}{}, "
                          "{} killed ({} against the previous period).").format(
        f"{sectarian.total.incidents:,}", "incident" if sectarian.total.incidents == 1 else "incidents",
        _fn(sectarian.note), sectarian.total.killed.text(), percent_text(sectarian.change["incidents"])))

    key = sorted(incidents, key=lambda i: (-(i.killed_best or 0), -(i.injured_best or 0), i.id))[:KEY_INCIDENTS]
    key_incidents = [_key_incident(session, i, by_incident.get(i.id, []), groups, names, notes, viewer)
                     for i in key]

    disputed = store.disputes(session, ids, viewer=viewer)
    single = [i for i in incidents if i.report_count <= 1]
    conflicting = [i for i in incidents if i.has_conflict]
    uncertain = {
        "single": (len(single), notes.cite([i.id for i in single], BASE_FIELDS, "Told by one report only")),
        "conflicting": (len(conflicting), notes.cite([i.id for i in conflicting], BASE_FIELDS,
                                                     "Incidents whose sources disagree")),
        "conflicts": [(i.id, i.title, _conflicts(session, by_incident.get(i.id, []), viewer))
                      for i in conflicting[:15]],
        "disputed": disputed,
        "unknown_toll": (total.killed.unknown, notes.cite([i.id for i in incidents if i.killed_best is None
                                                           and i.killed_low is None], ("kind", "killed"),
                                                          "Incidents with no figure of the killed")),
    }
    involved = sorted({a for actors in groups.values() for a in actors})
    group_section = next(s for s in sections if s.by == "group")
    actors = [(row.key, row.label, row.totals.incidents, cells["incidents"])
              for row, cells in zip(group_section.rows, group_section.notes, strict=True) if row.key]
    relations = store.relations_among(session, involved, viewer=viewer)
    for s_id, _, o_id, _ in relations:
        for actor_id in (s_id, o_id):
            names.setdefault(actor_id, actor_id)
    names |= store.group_names(session, [a for a in names if names[a] == a])

    drawn, listed = maps.placed(incidents)
    map_svg = maps.svg_map(drawn, listed, what="incidents")
    map_listed = [(area, len(found), sum(i.killed_best or 0 for i in found),
                   notes.cite([i.id for i in found], ("place", "killed"), f"Known only to {area}"))
                  for area, found in maps.by_area(listed)]

    marking = _marking(incidents, claims, notes)
    audit.record(session, viewer, "read", "sitrep", None, "ok",
                 f"{start} to {end}: {len(incidents)} incidents, {len(notes.notes)} footnotes, {marking}")
    return Sitrep(where, start, end, before, viewer.username, organisation, base_url.rstrip("/"), marking, total,
                  total_note, previous_total, previous_note, moved, summary, sections, victims, sectarian,
                  key_incidents,
                  uncertain, actors, relations, trend, map_svg, map_listed, notes,
                  dt.datetime.now(dt.UTC).replace(microsecond=0), names)


SECTARIAN_FIELDS = (*BASE_FIELDS, "target", "responsibility", "perpetrator")


def _sectarian(incidents: list, earlier: list, groups: dict, earlier_groups: dict, names: dict,
               notes: Notes, by_id: dict) -> Sectarian:
    now = [i for i in incidents if store.is_sectarian(i, groups)]
    before = [i for i in earlier if store.is_sectarian(i, earlier_groups)]
    total = count(now, None, groups).get((None, None), Totals())
    previous = count(before, None, earlier_groups).get((None, None), Totals())
    note = notes.cite([i.id for i in now], SECTARIAN_FIELDS, "Sectarian violence in the period")
    previous_note = notes.cite([i.id for i in before], SECTARIAN_FIELDS, "Sectarian violence in the previous period")
    sections = []
    for by, title in (("province", "Sectarian violence by province"), ("group", "Sectarian violence by group")):
        found = _shortened(rows(count(now, by, groups), by, names), by)
        cited = [_cell_notes(notes, row, SECTARIAN_FIELDS[4:] + KEY_FIELDS[by], title, by_id) for row in found]
        sections.append(Section(by, title, found, cited, None, "country" if by == "province" else ""))
    return Sectarian(total, note, previous, previous_note, change(total, previous), sections)


def _cell_notes(notes: Notes, row: Row, key_fields: tuple[str, ...], title: str, by_id: dict
                ) -> dict[str, int | None]:
    """A footnote for each figure of a breakdown row: the incidents it counts and the claims it rests on (those
    that put an incident in the row, and those of the figure)."""
    ids = row.totals.ids
    counted = {"incidents": ids,
               "killed": [i for i in ids if by_id[i].killed_best is not None or by_id[i].killed_low is not None],
               "injured": [i for i in ids if by_id[i].injured_best is not None or by_id[i].injured_low is not None],
               "conflicts": [i for i in ids if by_id[i].has_conflict],
               "single_source": [i for i in ids if by_id[i].report_count <= 1]}
    return _cited(notes, ids, counted, tuple(dict.fromkeys(BASE_FIELDS + key_fields)), f"{title}: {row.label}")


def _victim_notes(notes: Notes, row: Row, figures: dict[int, dict], incidents: list) -> dict[str, int | None]:
    """A footnote for each figure of the victims table. A category's: the incidents whose sources count that
    category, and of those the ones that tell its killed, its injured. The rest of the toll (not told by category)
    is the total's less the categories': its notes cite the incidents of the total's figures, as the total's do."""
    if row.key is None:
        rest = {"killed": row.totals.killed.best, "injured": row.totals.injured.best}
        counted = {"incidents": [],  # not shown: the rest is no number of incidents
                   "killed": [i.id for i in incidents if rest["killed"]
                              and (i.killed_best is not None or i.killed_low is not None)],
                   "injured": [i.id for i in incidents if rest["injured"]
                               and (i.injured_best is not None or i.injured_low is not None)]}
        return _cited(notes, [i.id for i in incidents], counted, BASE_FIELDS, "All incidents of the period")
    ids = row.totals.ids
    counted = {"incidents": ids, **{name: [i for i in ids if name in figures[i][row.key]]
                                    for name in ("killed", "injured")}}
    return _cited(notes, ids, counted, BASE_FIELDS, f"Victims: {row.label}")


def _cited(notes: Notes, ids, counted: dict[str, list[int]], fields: tuple[str, ...], what: str
           ) -> dict[str, int | None]:
    """The note of each cell of a row whose incidents are `ids`, the cell counting `counted[cell]` of them (None
    where it counts none): the row's own note where a cell counts them all, else a note of its part."""
    row_note = notes.cite(ids, fields, what)
    return {cell: (row_note if list(found) == list(ids) else
                   notes.cite(found, fields, f"{what}, {CELL_WORDS[cell]}", within=row_note))
            if found else None for cell, found in counted.items()}


def _shortened(found: list[Row], by: str) -> list[Row]:
    """The first TABLE_ROWS rows, and the others summed in one row (its note cites them all)."""
    if len(found) <= TABLE_ROWS + 1:
        return found
    rest = found[TABLE_ROWS:]
    total = sum((row.totals for row in rest), Totals())
    if by == "group":  # an incident of two of these groups is one incident
        total = Totals(len(set(total.ids)), total.killed, total.injured, total.conflicts, total.single_source,
                       tuple(sorted(set(total.ids))))
    return [*found[:TABLE_ROWS], Row("(others)", None, f"{len(rest)} others", total)]


def _marking(incidents, claims, notes: Notes) -> str:
    """The most restrictive TLP of what the report contains: its incidents, the claims cited and their reports."""
    cited = notes.claim_ids()
    levels = [i.tlp for i in incidents] + [c.tlp for c in claims if c.id in cited]
    levels += [c.report.tlp for c in claims if c.id in cited and c.report is not None]
    return tlp_levels.most_restrictive(*levels) or "clear"


def _summary(sections: list[Section], total: Totals, total_note: int, previous: Totals, previous_note: int,
             moved: dict, start: dt.date, end: dt.date, where: IncidentFilter) -> list[Markup]:
    what = (where.kind or "incident").replace("_", " ") + "s"
    lines = [Markup("From {} to {}, {} {}{} killed {} people{} and injured {}{}.").format(
        start.isoformat(), end.isoformat(), f"{total.incidents:,}", what, _fn(total_note), total.killed.text(),
        _fn(total_note), total.injured.text(), _fn(total_note))]
    lines.append(Markup("Against the previous period: {} {} ({} {}{}), killed {} ({}{}).").format(
        what, percent_text(moved["incidents"]), f"{previous.incidents:,}", "before", _fn(previous_note),
        percent_text(moved["killed"]), f"{previous.killed.best:,}", _fn(previous_note)))
    for by, words in (("group", "The most active groups"), ("province", "The most affected provinces"),
                      ("district", "The most affected districts"), ("attack-type", "The most used methods")):
        section = next(s for s in sections if s.by == by)
        top = [(row, cells) for row, cells in zip(section.rows, section.notes, strict=True) if row.key][:TOP]
        if top:
            parts = [Markup("{} ({} {}{}, {} killed{})").format(
                row.label, row.totals.incidents, "incident" if row.totals.incidents == 1 else "incidents",
                _fn(cells["incidents"]), row.totals.killed.text(), _fn(cells["killed"] or cells["incidents"]))
                for row, cells in top]
            lines.append(Markup("{}: {}.").format(words, Markup("; ").join(parts)))
    if total.killed.unknown:
        lines.append(Markup("{} of them give no figure of the killed; they are not counted as no deaths.").format(
            total.killed.unknown))
    return lines


def _fn(number: int | None) -> Markup:
    """A footnote mark; none for a figure with nothing to cite (a count of 0)."""
    return Markup('<sup class="fn"><a href="#fn-{0}">[{0}]</a></sup>').format(number) if number else Markup()


def _key_incident(session: Session, incident, claims: list, groups: dict, names: dict, notes: Notes,
                  viewer: Viewer) -> dict:
    reports = sorted({(c.report.id, c.report.title, c.report.source.name, c.report.published, c.report.reliability)
                      for c in claims if c.report is not None}, key=lambda r: (str(r[3]), r[0]))
    return {"incident": incident, "groups": [names.get(a, a) for a in groups.get(incident.id, [])],
            "reports": reports, "conflicts": _conflicts(session, claims, viewer) if incident.has_conflict else [],
            "note": notes.cite([incident.id], ("kind", "date", "place", "killed", "injured", "responsibility",
                                               "perpetrator", "attack_type"), f"Incident {incident.id}")}


def _conflicts(session: Session, claims: list, viewer: Viewer) -> list[str]:
    return consensus(facts_of(session, claims, viewer=viewer)).conflicts if claims else []


# Rendering


@functools.cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("jirga.assess", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["label"] = lambda code: (code or "").replace("_", " ")
    env.filters["runs"] = runs
    env.filters["drawing"] = drawing
    sectarian_names = {actor.id: actor.name for actor in catalog.load_actors() if actor.id in store.SECTARIAN_GROUPS}
    env.globals["sectarian_groups"] = ", ".join(sectarian_names[i] for i in store.SECTARIAN_GROUPS)
    env.globals |= {"fn": _fn, "percent_text": percent_text, "label": label, "version": __version__,
                    "tlp_name": lambda level: tlp_levels.NAMES[level]}
    return env


@functools.cache
def stylesheet() -> str:
    return resources.files("jirga.assess").joinpath("templates/sitrep.css").read_text(encoding="utf-8")


TOOLTIP = re.compile(r"<title>[^<]*</title>")  # charts.py and maps.py escape every text: no "<" inside


def drawing(svg: Markup, pdf: bool) -> Markup:
    """A chart or the map as the page needs it: in a PDF without the tooltips (<title>), which no PDF viewer shows
    and which cost WeasyPrint a tenth of its time."""
    return Markup(TOOLTIP.sub("", svg)) if pdf else svg


# TLP 2.0's colours (FIRST), on black.
TLP_COLOURS = {"clear": "#ffffff", "green": "#33ff00", "amber": "#ffc000", "amber+strict": "#ffc000",
               "red": "#ff2b2b"}


def to_html(report: Sitrep, *, pdf: bool = False) -> str:
    return _environment().get_template("sitrep.html").render(r=report, css=Markup(stylesheet()), pdf=pdf,
                                                            colour=TLP_COLOURS[report.tlp])


FOOTNOTE_MARK = re.compile(r'<sup class="fn"><a href="#fn-\d+">\[(\d+)\]</a></sup>')  # as _fn writes it
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def to_pdf(report: Sitrep) -> bytes:
    """The report as PDF. Footnote marks are superscript digits of the text itself ("163⁸"): hundreds of raised
    boxes with links cost WeasyPrint a tenth of its time, and the notes are a page turn away."""
    from weasyprint import HTML

    html = FOOTNOTE_MARK.sub(lambda mark: mark.group(1).translate(SUPERSCRIPT), to_html(report, pdf=True))
    return HTML(string=html, base_url=None).write_pdf()
