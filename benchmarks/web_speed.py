"""How fast does the web app answer, page by page, over a store of 100,000 incidents, on SQLite and PostgreSQL?

    python benchmarks/web_speed.py [--incidents N] [--backend sqlite|postgresql|both] [--runs R] [--triage]

A fresh store is filled with N synthetic incidents (default 100,000) as `query_speed.py` fills it (bulk inserts:
claims, actor links, a few hundred short reports), and about 3 % of them are marked as having conflicting sources.
Then real reports go through the real ingest (extraction, clustering): the sample reports (examples/reports/*.txt)
and one of them again as carried by BIG_COPIES more outlets, which makes a big incident of many reports and
claims. A user with three watchlists is added, part of the store left unseen so that the badge has new matches.

The app (`jirga.web.app.create_app`) then runs under uvicorn on 127.0.0.1, in a thread of this process, and each
page is fetched over HTTP R times (default 20, after one untimed fetch) with a persistent httpx client signed in
through the login form, as a browser would fetch it. Printed per page: median and p95 of the whole request
(sending it, rendering, reading the answer), its size, and whether the median meets the target of 200 ms. The
incident list loads its trend chart (/incidents/trend) and the header its watchlist badge after the page, through
HTMX: they are timed as pages of their own, and so is the list's possible duplicates fragment (for the rows of its
first page newest first, and by killed). The triage pages (the incident list with each sort, paging and quality
filter, and that fragment) must also answer within 100 ms at the 95th percentile. One outlet (Dawn) is graded B by
the bench user's organisation, so that the low-credibility filter keeps some single-source incidents.
`--triage` times those pages only. The load average is printed before and after the timings: on a shared machine,
read the figures with it. The exit status is 1 when any page misses its target.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from query_speed import fill, percentile
from sqlalchemy import func, select, text, update
from throwaway import database

from jirga.access import admin
from jirga.access.auth import implicit_admin, sign_in_with_password
from jirga.db import open_store
from jirga.db.database import Store
from jirga.db.schema import Claim, Incident, Source, SourceGrade, Watchlist
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import Ingest, IngestOptions
from jirga.store import watchlists
from jirga.store.queries import IncidentFilter, list_incidents
from jirga.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "reports"
BIG_REPORT = "101_peshawar_army_school_wire.txt"  # carried again by BIG_COPIES outlets: the big incident
BIG_COPIES = 40
TARGET_MS = 200
TRIAGE_P95_MS = 100
USER, PASSWORD = "bench", "a benchmark password"
WATCHLISTS = {"Islamic State": IncidentFilter(actor="Islamic State"),
              "Attacks in Pakistan": IncidentFilter(country="PK", kind="attack"),
              "Balochistan, disputed": IncidentFilter(province="PK-BA", conflicts=True)}
UNSEEN = 2_000  # the newest incidents each watchlist has not seen yet

# (label, path); {big}, {typical} and {report} are the ids found after the load, {first_page} and {killed_page} the
# ids listed on the first page of the list newest first and by killed. The triage pages (the incident list and the
# possible duplicates of its rows) have a target of their own: TRIAGE_P95_MS at the 95th percentile.
PAGES = [
    ("incident list", "/incidents"),
    ("  ?actor=Islamic State", "/incidents?actor=Islamic+State"),
    ("  ?country=PK", "/incidents?country=PK"),
    ("  ?province=PK-BA", "/incidents?province=PK-BA"),
    ("  ?since=2016&until=2017", "/incidents?since=2016&until=2017"),
    ("  ?conflicts=true", "/incidents?conflicts=true"),
    ("  ?kind=attack&attack_type=suicide_bombing", "/incidents?kind=attack&attack_type=suicide_bombing"),
    ("  ?sort=killed", "/incidents?sort=killed"),
    ("  ?sort=reports&offset=5000", "/incidents?sort=reports&offset=5000"),
    ("  ?hide=undated&hide=single_source", "/incidents?hide=undated&hide=single_source"),
    ("  ?hide=low_credibility", "/incidents?hide=low_credibility"),
    ("  ?actor=Islamic State&actor_role=perpetrator", "/incidents?actor=Islamic+State&actor_role=perpetrator"),
    ("  ?sort=killed&order=asc", "/incidents?sort=killed&order=asc"),
    ("  ?sort=injured", "/incidents?sort=injured"),
    ("  ?sort=date&order=asc", "/incidents?sort=date&order=asc"),
    ("  ?offset=5000", "/incidents?offset=5000"),
    ("  ?sort=killed&offset=50000", "/incidents?sort=killed&offset=50000"),
    ("  ?hide=undated", "/incidents?hide=undated"),
    ("  ?hide=single_source", "/incidents?hide=single_source"),
    ("  ?hide=low_credibility&sort=killed", "/incidents?hide=low_credibility&sort=killed"),
    ("  ?hide=low_credibility&offset=5000", "/incidents?hide=low_credibility&offset=5000"),
    ("  ?hide=undated&hide=single_source&hide=low_credibility",
     "/incidents?hide=undated&hide=single_source&hide=low_credibility"),
    ("duplicates fragment (first page)", "/incidents/duplicates?ids={first_page}"),
    ("  (?sort=killed's page)", "/incidents/duplicates?ids={killed_page}"),
    ("trend fragment", "/incidents/trend"),
    ("  ?actor=Islamic State", "/incidents/trend?actor=Islamic+State"),
    ("incident, big ({big_claims} claims)", "/incidents/{big}"),
    ("incident, typical ({typical_claims} claims)", "/incidents/{typical}"),
    ("report reader ({report_claims} claims)", "/reports/{report}"),
    ("report list", "/reports"),
    ("actor catalog", "/actors"),
    ("actor: Islamic State", "/actors/islamic-state"),
    ("coding form", "/code"),
    ("add a report form", "/reports/new"),
    ("watchlists", "/watchlists"),
    ("watchlist badge", "/watchlists/badge"),
    ("API /api/v1/incidents", "/api/v1/incidents"),
]


# The store.

def load(store: Store, n: int) -> tuple[dict, dict]:
    """Synthetic incidents, real reports through the ingest, a user with watchlists; (counts, page ids)."""
    start = time.perf_counter()
    counts = fill(store, n)
    with store.engine.begin() as connection:  # the synthetic world has no conflicts of its own
        connection.execute(update(Incident).where(Incident.id % 37 == 0).values(has_conflict=True))
    filled = time.perf_counter() - start

    start = time.perf_counter()
    errors: list[str] = []
    ingest = Ingest(store, IngestOptions(workers=1, metadata=read_metadata(EXAMPLES / "metadata.csv")), errors.append)
    summary = ingest.run(read_inputs([str(EXAMPLES)], detect_language=False))
    metadata = read_metadata(EXAMPLES / "metadata.csv")[BIG_REPORT]
    copy = (EXAMPLES / BIG_REPORT).read_text(encoding="utf-8")
    summary_big = Ingest(store, IngestOptions(workers=1), errors.append).run(
        IncomingReport(copy, f"{BIG_REPORT} (copy {number})", title=metadata.get("title", ""),
                       source=f"Wire subscriber {number}", published=metadata["published"])
        for number in range(1, BIG_COPIES + 1))
    if errors:
        sys.exit("ingest failed: " + "; ".join(errors[:5]))
    ingested = time.perf_counter() - start

    with store.session() as session:  # one outlet graded B: its single-source incidents pass the credibility filter
        dawn = session.scalar(select(Source.id).where(Source.name == "Dawn"))
        session.add(SourceGrade(org_id=store.local_org_id(), source_id=dawn, reliability="B"))
    admin.add_user(store, implicit_admin(store), USER, "instance_admin", PASSWORD)
    viewer = sign_in_with_password(store, USER, PASSWORD)
    with store.session() as session:
        for name, where in WATCHLISTS.items():
            watchlists.add(session, viewer, name, where)
        newest = session.scalar(select(func.max(Incident.id)))
        session.execute(update(Watchlist).values(seen_up_to=newest - UNSEEN))
        ids = page_ids(session, n) | {
            f"{name}_page": ",".join(str(i.id) for i in list_incidents(session, IncidentFilter(limit=50, sort=sort),
                                                                        viewer=viewer))
            for name, sort in (("first", "date"), ("killed", "killed"))}
    if store.dialect == "postgresql":
        with store.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(f"  filled     {counts['incidents']:,} incidents, {counts['claims']:,} claims, {counts['reports']:,} "
          f"reports in {filled:.1f} s; ingested {summary.line()}, then {BIG_COPIES} copies: {summary_big.line()} "
          f"in {ingested:.1f} s")
    return counts, ids


def page_ids(session, n: int) -> dict:
    """The incidents and report the pages show: the incident with the most claims, a typical ingested one (the
    median number of claims), and the ingested report with the most claims."""
    live, synthetic_reports = ~Claim.retired, max(20, n // 200)  # as bulk_fill makes them; the ingested come after
    ingested = select(Claim.incident_id).where(Claim.report_id > synthetic_reports)
    per_incident = session.execute(select(Claim.incident_id, func.count()).where(live, Claim.incident_id.in_(ingested))
                                   .group_by(Claim.incident_id).order_by(func.count(), Claim.incident_id)).all()
    typical_id, typical_claims = per_incident[len(per_incident) // 2]
    big_id, big_claims = session.execute(select(Claim.incident_id, func.count()).where(live)
                                         .group_by(Claim.incident_id).order_by(func.count().desc()).limit(1)).one()
    report_id, report_claims = session.execute(
        select(Claim.report_id, func.count()).where(live, Claim.report_id > synthetic_reports)
        .group_by(Claim.report_id).order_by(func.count().desc()).limit(1)).one()
    return {"big": big_id, "big_claims": big_claims, "typical": typical_id, "typical_claims": typical_claims,
            "report": report_id, "report_claims": report_claims}


# The server and the client.

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The app under uvicorn in a background thread, as long as the `with` lasts."""

    def __init__(self, store: Store):
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(create_app(store=store), host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                sys.exit("the web app did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def sign_in(client: httpx.Client) -> None:
    """Through the form, with the CSRF secret it carries (matched against its short-lived cookie)."""
    form = client.get("/login")
    secret = re.search(r'name="csrf" value="([^"]+)"', form.text)
    answer = client.post("/login", data={"username": USER, "password": PASSWORD, "next": "/incidents",
                                         "csrf": secret.group(1) if secret else ""})
    if answer.status_code != 303 or "jirga_session" not in client.cookies:
        sys.exit(f"signing in failed: {answer.status_code} {answer.text[:200]}")


def time_page(client: httpx.Client, path: str, runs: int) -> tuple[list[float], int]:
    """Milliseconds of each fetch, and the size of the answer; exits if the page is not answered with 200."""
    client.get(path)  # untimed: the first fetch loads templates and warms caches
    timings, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        answer = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            sys.exit(f"GET {path}: {answer.status_code} {answer.text[:300]}")
        size = len(answer.content)
    return timings, size


def bench(backend: str, url: str, args: argparse.Namespace) -> list[str]:
    """Load, serve, fetch; returns the labels of the pages slower than the target."""
    print(f"\n{backend}")
    store = open_store(url)
    slow = []
    try:
        _, ids = load(store, args.incidents)
        with Server(store) as base, httpx.Client(base_url=base, timeout=60) as client:
            sign_in(client)
            print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} before timing")
            print(f"  {'page':46} {'median':>8} {'p95':>8} {'KiB':>6}  (ms, {args.runs} runs; target {TARGET_MS} ms "
                  f"median, triage pages {TRIAGE_P95_MS} ms p95)")
            section = ""
            for label, path in PAGES:
                label, path = label.format(**ids), path.format(**ids)
                section = label if not label.startswith(" ") else section
                triage = path.startswith(("/incidents?", "/incidents/duplicates")) or path == "/incidents"
                if args.triage and not triage:
                    continue
                timings, size = time_page(client, path, args.runs)
                median, p95 = statistics.median(timings), percentile(timings, 0.95)
                met = median <= TARGET_MS and (not triage or p95 <= TRIAGE_P95_MS)
                shown = path if len(path) <= 80 else path[:77] + "..."
                print(f"  {label:46} {median:8.1f} {p95:8.1f} {size / 1024:6.1f}  {'ok' if met else 'SLOW'}  {shown}")
                if not met:
                    slow.append(f"{backend}: {section}{label if label.startswith(' ') else ''} ({median:.0f} ms "
                                f"median, {p95:.0f} ms p95)")
            print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} after timing")
    finally:
        store.close()
    return slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000, help="synthetic incidents (default 100000)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=20, help="timed fetches per page (default 20)")
    parser.add_argument("--triage", action="store_true",
                        help="time only the triage pages (the incident list and its possible duplicates)")
    args = parser.parse_args()
    if args.incidents < 1_000 or args.runs < 1:
        parser.error("--incidents must be at least 1000 and --runs at least 1")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    print(f"machine   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"uvicorn {uvicorn.__version__}")
    print(f"store     {args.incidents:,} synthetic incidents and the sample reports; target: every page under "
          f"{TARGET_MS} ms (median)")
    slow: list[str] = []
    for backend in backends:
        with database(backend) as url:
            slow += bench(backend, url, args)
    print("\n" + (f"slower than {TARGET_MS} ms: " + "; ".join(slow) if slow
                  else f"every page answered in under {TARGET_MS} ms (median)"))
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
