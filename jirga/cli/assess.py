"""The assessment commands: stats (breakdowns), export (CSV), sitrep (situation report in HTML or PDF)."""

from __future__ import annotations

import argparse
import csv
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jirga.cli.access import identity_options, signed_in
from jirga.cli.output import terminal_json, terminal_text

KINDS = ["attack", "security_operation", "arrest", "statistic", "meeting", "visit", "any"]


def filter_options(*, dates_required: bool = False, kind: str = "attack",
                   group_alias: bool = True) -> argparse.ArgumentParser:
    """The filters of `jirga incidents`, as the assessment commands take them. `group_alias`: --group names an armed
    group too (not where --group is a sharing group, as in `jirga export`)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--from", "--since", dest="since", required=dates_required, help="YYYY, YYYY-MM or YYYY-MM-DD")
    options.add_argument("--to", "--until", dest="until", required=dates_required, help="YYYY, YYYY-MM or YYYY-MM-DD")
    options.add_argument("--region", "--country", dest="country",
                         help="ISO codes or names of countries, separated by commas (PK,AF)")
    options.add_argument("--province", help="ISO 3166-2 code (PK-BA) or name")
    options.add_argument(*(("--group", "--actor") if group_alias else ("--actor",)), dest="actor",
                         help="name, alias or acronym; its provinces and branches are included")
    options.add_argument("--kind", choices=KINDS, default=kind,
                         help=f"which incidents (default {kind}" + (": attacks are never counted with meetings)"
                                                                    if kind == "attack" else ")"))
    options.add_argument("--attack-type", help="e.g. suicide_bombing, armed_assault")
    options.add_argument("--conflicts", action="store_true", help="only incidents whose sources disagree")
    return options


def incident_filter(args):
    from jirga.store.queries import IncidentFilter

    return IncidentFilter(actor=args.actor, country=args.country, province=args.province,
                          kind=None if args.kind == "any" else args.kind, attack_type=args.attack_type,
                          since=args.since, until=args.until, conflicts=args.conflicts)


def add_commands(commands) -> None:
    from jirga.assess.stats import BREAKDOWNS

    db = identity_options()
    stats = commands.add_parser("stats", parents=[db, filter_options()],
                                help="incidents, killed and injured (best, with the range summed) by one key")
    stats.add_argument("--by", choices=BREAKDOWNS, help="the key to break down by (default: the totals only)")
    stats.add_argument("--roll-up", action="store_true",
                       help="with --by group: count a group's provinces and branches as the group")
    stats.add_argument("--sectarian", action="store_true",
                       help="only sectarian violence: attacks on religious targets or by sectarian groups")
    stats.add_argument("--format", choices=["table", "json", "csv"], default="table")
    stats.set_defaults(run=run_stats)
    add_sitrep(commands)


def run_stats(args) -> int:
    from jirga.assess.aggregate import percent_text
    from jirga.assess.stats import compute

    where = incident_filter(args)
    with signed_in(args) as (store, viewer), store.session() as session:
        found = compute(session, where, args.by, viewer=viewer, roll_up=args.roll_up, sectarian=args.sectarian)
    if args.format == "json":
        print(terminal_json(found.as_dict(), indent=2))
        return 0
    compared = found.previous is not None
    if args.format == "csv":
        columns = ["key", "label", "parent", "incidents", "killed_best", "killed_low", "killed_high",
                   "killed_high_is_floor", "killed_unknown", "injured_best", "injured_low", "injured_high",
                   "injured_high_is_floor", "injured_unknown", "conflicting_sources", "single_source"]
        if compared:
            columns += ["change_incidents_percent", "change_killed_percent", "change_injured_percent"]
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in [*found.rows, *([] if args.by is None else [None])]:
            row_key, row_label, parent, totals = (("total", "total", "", found.total) if row is None else
                                                  (row.key or "", row.label, row.parent or "", row.totals))
            cells = [row_key, terminal_text(row_label), parent, totals.incidents]
            for figure in (totals.killed, totals.injured):
                cells += [figure.best, figure.low, figure.high, int(bool(figure.open)), figure.unknown]
            cells += [totals.conflicts, totals.single_source]
            if compared and row is not None:
                cells += [row.change.get(name) for name in ("incidents", "killed", "injured")]
            writer.writerow(cells)
        return 0
    title = ("sectarian violence, " if args.sectarian else "") + (f"by {args.by}" if args.by else "totals")
    if found.period:
        title += f", {found.period[0]} to {found.period[1]}"
        if found.previous:
            title += f" (change against {found.previous[0]} to {found.previous[1]})"
    table = Table(args.by or "", *(["in"] if args.by in ("province", "district") else []), "incidents",
                  "killed (low–high)", "injured (low–high)", "sources disagree", "single source",
                  *(["Δ incidents", "Δ killed"] if compared else []), title=title)
    for row in found.rows:
        cells = [row.label, *([row.parent_label or ""] if args.by in ("province", "district") else []),
                 f"{row.totals.incidents:,}", row.totals.killed.text(), row.totals.injured.text(),
                 str(row.totals.conflicts), str(row.totals.single_source)]
        if compared:
            cells += [percent_text(row.change.get("incidents")), percent_text(row.change.get("killed"))]
        table.add_row(*(escape(terminal_text(cell)) for cell in cells))
    total = found.total
    table.add_section()
    cells = ["total", *([""] if args.by in ("province", "district") else []), f"{total.incidents:,}",
             total.killed.text(), total.injured.text(), str(total.conflicts), str(total.single_source)]
    if compared:
        from jirga.assess.aggregate import change

        moved = change(total, found.previous_total)
        cells += [percent_text(moved["incidents"]), percent_text(moved["killed"])]
    table.add_row(*cells)
    Console(width=max(Console().width, 140)).print(table)
    notes = []
    if total.killed.open or total.injured.open:
        notes.append("a '+' after a range: some incidents give no upper bound, so the summed high is a floor")
    if total.killed.unknown:
        notes.append(f"{total.killed.unknown:,} incident(s) give no figure of the killed (not counted as 0 deaths)")
    if args.by == "group":
        notes.append("an incident two groups claimed counts under each: the rows add up to more than the total")
    sys.stdout.flush()  # the notes (stderr) after the table they explain
    for note in notes:
        print(f"  {note}", file=sys.stderr)
    return 0


def add_sitrep(commands) -> None:
    db = identity_options()
    sitrep = commands.add_parser("sitrep", parents=[db, filter_options(dates_required=True)],
                                 help="a situation report for a period, every figure footnoted to its claims, "
                                      "marked with the TLP of what it contains")
    sitrep.add_argument("--format", choices=["html", "pdf"], default="html")
    sitrep.add_argument("--out", required=True, help="the file to write")
    sitrep.add_argument("--base-url", default="http://127.0.0.1:8000",
                        help="where the footnotes' links open the web app (default http://127.0.0.1:8000)")
    sitrep.set_defaults(run=run_sitrep)


def run_sitrep(args) -> int:
    from pathlib import Path

    from sqlalchemy import select

    from jirga.assess import sitrep
    from jirga.db.schema import Organisation

    where = incident_filter(args)
    with signed_in(args) as (store, viewer), store.session() as session:
        organisation = session.scalar(select(Organisation.name).where(Organisation.id == viewer.org_id)) or ""
        report = sitrep.build(session, where, viewer=viewer, organisation=organisation, base_url=args.base_url)
        content = sitrep.to_pdf(report) if args.format == "pdf" else sitrep.to_html(report).encode()
    Path(args.out).write_bytes(content)
    print(f"{args.out}: situation report {report.start} to {report.end}, {report.total.incidents} incidents, "
          f"{len(report.notes.notes)} footnotes, {sitrep.tlp_levels.NAMES[report.tlp]}", file=sys.stderr)
    return 0


def run_csv_export(args) -> int:
    """`jirga export --format csv` (the command is registered by cli.share, beside the STIX bundle)."""
    from pathlib import Path

    from jirga.assess.export import incidents_csv

    where = incident_filter(args)
    with signed_in(args) as (store, viewer), store.session() as session:
        text, rows = incidents_csv(session, where, viewer=viewer, base_url=args.base_url)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{args.out}: {rows} incidents", file=sys.stderr)
    else:
        sys.stdout.write(terminal_text(text))
    return 0
