"""The store's commands: ingest, incidents, show, search, reextract, withdraw."""

from __future__ import annotations

import csv
import sys
from contextlib import contextmanager
from pathlib import Path

from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jirga.access.acts import require
from jirga.cli.access import signed_in
from jirga.cli.output import err, fail, terminal_json, terminal_text, wide
from jirga.store import present


def add_commands(commands, date_type) -> None:
    from jirga.cli.access import identity_options

    db = identity_options()  # --db, and --as: every command acts as a user (docs/access-control.md)

    ingest = commands.add_parser("ingest", parents=[db], help="read, extract and store reports")
    ingest.add_argument("inputs", nargs="+", help="files, directories, URL lists (.txt of URLs), feeds, STIX bundles "
                                                  "or http(s) URLs")
    ingest.add_argument("--source", help="the outlet or partner, where the input does not say")
    ingest.add_argument("--reliability", help="Admiralty source reliability A-F for the sources of this run")
    ingest.add_argument("--published", type=date_type, help="publication date where the input does not say")
    ingest.add_argument("--metadata", help="CSV with columns file,published[,title,source,url] per input file")
    ingest.add_argument("--tlp", help="TLP 2.0 marking (clear, green, amber, amber+strict, red); default: the "
                                      "input's own marking, else amber")
    ingest.add_argument("--group", help="sharing group of what is stored (your organisation must be a member): "
                                        "its TLP:AMBER reaches the group's organisations")
    ingest.add_argument("--workers", type=int, help="extraction processes (default: all cores)")
    ingest.add_argument("--cluster", metavar="ADDRESS",
                        help="extract on Dask: local:N (N worker processes here) or tcp://SCHEDULER:PORT")
    ingest.set_defaults(run=run_ingest)

    incidents = commands.add_parser("incidents", parents=[db], help="list stored incidents")
    incidents.add_argument("--actor", help="name, alias or acronym; its provinces and branches are included")
    incidents.add_argument("--country", help="ISO code (PK) or name")
    incidents.add_argument("--province", help="ISO 3166-2 code (PK-BA) or name")
    incidents.add_argument("--kind", choices=["attack", "security_operation", "arrest", "statistic", "meeting",
                                              "visit"])
    incidents.add_argument("--attack-type", help="e.g. suicide_bombing, armed_assault")
    incidents.add_argument("--since", help="YYYY, YYYY-MM or YYYY-MM-DD")
    incidents.add_argument("--until", help="YYYY, YYYY-MM or YYYY-MM-DD")
    incidents.add_argument("--conflicts", action="store_true", help="only incidents whose sources disagree")
    incidents.add_argument("--actor-role", choices=["perpetrator", "mentioned"],
                           help="with --actor: perpetrator (claimed, did, blamed) or mentioned (about, against)")
    incidents.add_argument("--hide", action="append", choices=["undated", "single-source", "low-credibility"],
                           default=[], help="leave such incidents out (repeat)")
    incidents.add_argument("--sort", choices=["date", "killed", "injured", "reports"], default="date",
                           help="largest (or newest) first; incidents without the value last")
    incidents.add_argument("--ascending", action="store_true", help="smallest (or oldest) first")
    incidents.add_argument("--all", action="store_true", help="include incidents told only by superseded revisions")
    incidents.add_argument("--limit", type=int, default=100)
    incidents.add_argument("--offset", type=int, default=0, help="skip this many (the next page: --offset 100)")
    incidents.add_argument("--format", choices=["table", "json", "csv"], default="table")
    incidents.set_defaults(run=run_incidents)

    show = commands.add_parser("show", parents=[db], help="one incident: its claims, each with report and sentence")
    show.add_argument("incident", help="incident number or uuid")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(run=run_show)

    search = commands.add_parser("search", parents=[db], help="full-text search over stored reports")
    search.add_argument("query", help="words that must all appear")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--format", choices=["table", "json"], default="table")
    search.set_defaults(run=run_search)

    reextract = commands.add_parser("reextract", parents=[db],
                                    help="re-run the current extractor over reports made by an older one")
    reextract.add_argument("--force", action="store_true", help="re-extract every report")
    reextract.add_argument("--workers", type=int, help="extraction processes (default: all cores)")
    reextract.set_defaults(run=run_reextract)

    withdraw = commands.add_parser("withdraw", parents=[db],
                                   help="delete a report and its claims for good, recorded in the audit log "
                                        "(instance admins; org admins: their organisation's reports)")
    withdraw.add_argument("report", type=int, help="report number (see jirga search, or jirga show INCIDENT)")
    withdraw.add_argument("--reason", required=True, help="why: kept in the audit log")
    withdraw.set_defaults(run=run_withdraw)






def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                    transient=True, disable=not err.is_terminal)


def run_ingest(args) -> int:
    from jirga.ingest.readers import read_inputs
    from jirga.ingest.textfile import read_metadata
    from jirga.model import tlp
    from jirga.pipeline.ingest import Ingest, IngestOptions
    from jirga.store.records import check_reliability

    options = IngestOptions(source=args.source, published=args.published, workers=args.workers,
                            reliability=check_reliability(args.reliability) if args.reliability else None,
                            tlp=tlp.normalize(args.tlp) if args.tlp else None,
                            metadata=read_metadata(Path(args.metadata)) if args.metadata else {})
    with signed_in(args) as (store, viewer), _progress() as progress:
        task = progress.add_task("ingesting", total=None)

        def on_error(message: str) -> None:
            # One line per problem, never wrapped: scripts and grep read these.
            progress.console.print(f"jirga ingest: {escape(terminal_text(message, one_line=True))}", highlight=False,
                                   soft_wrap=True)

        def on_progress(summary) -> None:
            progress.update(task, description=summary.line())

        # What a user ingests belongs to their organisation; each batch is audited in their name as it is stored.
        run = Ingest(store, options, on_error, on_progress, viewer=viewer)  # an analyst's act: refused here if not
        if args.group:
            from jirga.access.rules import member_group

            with store.session() as session:
                options.group = member_group(session, viewer.org_id, args.group)
        with _cluster(args.cluster) as cluster:
            options.cluster = cluster
            summary = run.run(read_inputs(args.inputs, detect_language=False))
        _audit(store, viewer, "write", "ingest", summary.line())
    print(summary.line())
    return 1 if summary.failed else 0


@contextmanager
def _cluster(address: str | None):
    """The Dask cluster `--cluster` names (started here for local:N), or None: local processes."""
    if not address:
        yield None
        return
    from jirga.pipeline.cluster import Cluster

    with Cluster(address) as cluster:
        where = f", dashboard {cluster.dashboard}" if cluster.dashboard else ""
        err.print(f"jirga ingest: extracting on {cluster.workers} Dask workers{where}", soft_wrap=True)
        yield cluster


def _audit(store, viewer, action: str, target: str, detail: str, result: str = "ok") -> None:
    from jirga.access import audit

    with store.session() as session:
        audit.record(session, viewer, action, target, None, result, detail)


def run_reextract(args) -> int:
    from jirga.extract.pipeline import EXTRACTOR_VERSION
    from jirga.pipeline.ingest import reextract

    with signed_in(args) as (store, viewer), _progress() as progress:
        # It rewrites the machine claims of every organisation's reports: a task for the instance's admins.
        require(store, viewer, "instance_admin", "re-extract the store", target_type="reextract")
        task = progress.add_task("re-extracting", total=None)
        done, failed = reextract(store, force=args.force, workers=args.workers,
                                 on_error=lambda message: progress.console.print(
                                     f"jirga reextract: {escape(terminal_text(message, one_line=True))}"),
                                 on_progress=lambda count: progress.update(task, description=f"{count} reports"))
        _audit(store, viewer, "write", "reextract", f"{done} reports re-extracted, {failed} failed")
    print(f"{done} reports re-extracted with {EXTRACTOR_VERSION}, {failed} failed")
    return 1 if failed else 0


def run_withdraw(args) -> int:
    from jirga.store.withdrawal import withdraw

    with signed_in(args) as (store, viewer):
        done = withdraw(store, viewer, args.report, args.reason)
    print(f"report {done.report_id} withdrawn: {done.claims} claims deleted; "
          f"incidents deleted: {', '.join(map(str, done.removed)) or 'none'}; "
          f"recomputed: {', '.join(map(str, done.recomputed)) or 'none'}"
          + (f"; report {done.current_again} is the current revision again" if done.current_again else ""))
    return 0


def run_incidents(args) -> int:
    from jirga.store.duplicates import nearest
    from jirga.store.queries import IncidentFilter, incident_actors, list_incidents

    where = IncidentFilter(actor=args.actor, country=args.country, province=args.province, kind=args.kind,
                           attack_type=args.attack_type, since=args.since, until=args.until,
                           conflicts=args.conflicts, include_superseded=args.all, limit=args.limit,
                           actor_role=args.actor_role, hide=tuple(name.replace("-", "_") for name in args.hide),
                           sort=args.sort, ascending=args.ascending, offset=args.offset)
    with signed_in(args) as (store, viewer), store.session() as session:
        incidents = list_incidents(session, where, viewer=viewer)
        actors = incident_actors(session, incidents, viewer)
        near = nearest(session, incidents, viewer)  # the listed rows only
        rows = [present.incident_row(incident, actors)
                | {"possible_duplicate_of": near[incident.id].other_id if incident.id in near else None}
                for incident in incidents]
        by_id = {incident.id: incident for incident in incidents}
    if args.format == "json":
        print(terminal_json(rows, indent=2, default=str))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        writer.writerows({key: terminal_text(value) if isinstance(value, str) else value
                          for key, value in (row | {"actors": "; ".join(row["actors"])}).items()} for row in rows)
    else:
        table = Table("id", "date", "what", "where", "killed", "injured", "actors", "reports", "duplicate of?",
                      title=None)
        for row in rows:
            duplicate = row["possible_duplicate_of"]
            cells = (str(row["id"]), row["date"], (row["attack_type"] or row["kind"]).replace("_", " "),
                     ", ".join(x for x in (row["place"], row["province"], row["country"]) if x),
                     present.figures(by_id[row["id"]], "killed"), present.figures(by_id[row["id"]], "injured"),
                     "\n".join(row["actors"]), str(row["reports"]), f"#{duplicate}" if duplicate else "")
            table.add_row(*(escape(terminal_text(cell)) for cell in cells))
        wide(140).print(table)
        err.print(f"{len(rows)} incidents" + (f" (the first {args.limit}; see --limit)"
                                              if len(rows) == args.limit else ""))
    return 0


def run_show(args) -> int:
    from jirga.store.queries import get_incident

    with signed_in(args) as (store, viewer), store.session() as session:
        incident = get_incident(session, args.incident, viewer=viewer)
        if incident is None:
            return fail("show", f"no incident {args.incident}", 1)
        from jirga.cli.fuse import print_verification
        from jirga.store.verification import verification

        checked = verification(session, incident, viewer)
        claims = present.ordered_claims(incident)
        if args.format == "json":
            out = present.incident_row(incident, {}) | {"verification": checked,
                                                        "claims": [present.claim_dict(c) for c in claims]}
            print(terminal_json(out, indent=2, default=str))
            return 0
        console = wide(140)
        console.print(f"[bold]Incident {incident.id}[/bold]: {escape(terminal_text(incident.title, one_line=True))}  "
                      f"[dim]{incident.uuid} · TLP:{incident.tlp.upper()} · {incident.status}[/dim]")
        console.print(f"date {present.date_text(incident) or '?'} · "
                      f"killed {present.figures(incident, 'killed') or '?'} · "
                      f"injured {present.figures(incident, 'injured') or '?'} · {incident.report_count} report(s)")
        table = Table("claim", "field", "value", "report · source (reliability)", "sentence", show_lines=True,
                      title="Claims side by side")
        for claim in claims:
            report = claim.report
            where = (f"{report.id} · {report.source.name} ({report.reliability})\n{report.published or ''}"
                     + ("" if report.is_current else "\nsuperseded revision") if report
                     else f"{claim.origin} {claim.created_by or ''}")
            table.add_row(str(claim.id), claim.field, escape(terminal_text(present.claim_value(claim))),
                          escape(terminal_text(where)), _highlight(claim))
        console.print(table)
        print_verification(console, checked)
    return 0


def _highlight(claim) -> str:
    """The claim's sentence with the words it came from in bold."""
    before, inside, after = (escape(terminal_text(part)) for part in present.sentence_parts(claim))
    return f"{before}[bold yellow]{inside}[/bold yellow]{after}".strip() if inside else before


def run_search(args) -> int:
    from jirga.store.queries import search_reports

    with signed_in(args) as (store, viewer), store.session() as session:
        hits = search_reports(session, args.query, args.limit, viewer=viewer)
    if args.format == "json":
        print(terminal_json([{"report": h.report_id, "title": h.title, "source": h.source,
                              "published": h.published.isoformat() if h.published else None, "snippet": h.snippet}
                             for h in hits], indent=2))
        return 0
    table = Table("report", "published", "source", "title", "snippet")
    for hit in hits:
        snippet = escape(terminal_text(hit.snippet)).replace("«", "[bold yellow]").replace("»", "[/bold yellow]")
        table.add_row(str(hit.report_id), str(hit.published or ""), escape(terminal_text(hit.source)),
                      escape(terminal_text(hit.title)), snippet)
    wide(140).print(table)
    err.print(f"{len(hits)} reports")
    return 0
