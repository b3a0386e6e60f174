"""How fast does `jirga incidents` answer its filters over a store of 100,000 incidents, on SQLite and PostgreSQL?

    python benchmarks/query_speed.py [--incidents N] [--backend sqlite|postgresql|both] [--runs R] [--explain-all]
                                     [--sqlite-analyze] [--with-index "CREATE INDEX ..."]

A fresh store (`jirga.store.open_store`, so the real schema and indexes) is filled with N synthetic incidents
(default 100,000) by bulk inserts, not through extraction: dates over 2014-2024, places from the gazetteer in
PK, AF, IN, IR and TJ with their provinces, kinds and attack types, killed and injured figures, a few hundred
reports, the claims the ingest writes for each incident (kind, date, place, killed, attack type, responsibility
...) and actor links for about 60 % of them. Then each filter runs R times (default 20) the way `jirga incidents`
runs it: `list_incidents` with limit 100 and the query for the listed incidents' actor names, in one session.
Printed per filter, for the owner of the data and for a partner organisation that sees the 10 % marked TLP:GREEN:
median and p95 of that, against the target of 100 ms (p95); the median of `list_incidents` alone
(listing) and of building its query in Python before any SQL runs (build: resolving the names given). The plan
(SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN ANALYZE) is printed for any filter slower than the target.
Last, the whole command line is timed once, Python start-up included. SQLite gets no ANALYZE (jirga never runs
it) unless --sqlite-analyze; PostgreSQL is analysed after the load, as autovacuum would soon do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from synthetic_store import END, START, bulk_fill, claim_rows, event_values
from throwaway import database

from jirga.access import Viewer
from jirga.access.auth import implicit_admin
from jirga.db import open_store
from jirga.db.database import Store
from jirga.db.schema import Organisation
from jirga.reference import catalog
from jirga.reference.gazetteer import load_gazetteer
from jirga.store.duplicates import nearest
from jirga.store.queries import IncidentFilter, incident_actors, incident_query, list_incidents, listing_query

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 100
GREEN_SHARE = 0.10  # of the incidents marked TLP:GREEN: all a partner organisation sees; the owner sees everything

FILTERS: list[tuple[str, IncidentFilter]] = [
    ("(no filter)", IncidentFilter()),
    ('--actor "Islamic State"', IncidentFilter(actor="Islamic State")),
    ("--country PK", IncidentFilter(country="PK")),
    ("--province PK-BA", IncidentFilter(province="PK-BA")),
    ("--since 2020 --until 2021-06", IncidentFilter(since="2020", until="2021-06")),
    ("--actor TTP --country PK --since 2016", IncidentFilter(actor="TTP", country="PK", since="2016")),
    ("--kind attack --attack-type suicide_bombing", IncidentFilter(kind="attack", attack_type="suicide_bombing")),
    # Not asked for, but the hard cases for a plan that walks the date index: rare matches.
    ("--actor LeJ (extra: a rare actor)", IncidentFilter(actor="LeJ")),
    ("--country TJ --since 2023 (extra: rare)", IncidentFilter(country="TJ", since="2023")),
    ("--province TJ-GB (extra: a rare province)", IncidentFilter(province="TJ-GB")),
    # Triage: the sorts, a far page, the quality filter.
    ("--sort killed", IncidentFilter(sort="killed")),
    ("--sort reports --offset 5000", IncidentFilter(sort="reports", offset=5000)),
    ("--hide low-credibility", IncidentFilter(hide=("low_credibility",))),
    ("--hide low-credibility --sort killed", IncidentFilter(hide=("low_credibility",), sort="killed")),
    ("--hide undated --hide single-source", IncidentFilter(hide=("undated", "single_source"))),
]
CLI_ARGS = ["--actor", "Islamic State", "--country", "PK", "--format", "json"]

# The synthetic world: shares of countries, kinds, attack types, and who acts where.
COUNTRIES = {"PK": 0.45, "AF": 0.35, "IN": 0.08, "IR": 0.08, "TJ": 0.04}
KINDS = {"attack": 0.70, "security_operation": 0.14, "arrest": 0.08, "meeting": 0.04, "statistic": 0.02,
         "visit": 0.02}
ATTACK_TYPES = {"bombing": 0.33, "armed_assault": 0.30, "suicide_bombing": 0.15, "assassination": 0.08,
                "kidnapping": 0.05, "facility_attack": 0.02, None: 0.07}
TARGET_TYPES = ["police", "military", "religious", "business", "educational", "transportation", "health",
                "government", "private_citizens", None]
ACTORS_BY_COUNTRY = {
    "PK": {"ttp": 0.40, "bla": 0.15, "jamaat-ul-ahrar": 0.12, "iskp": 0.10, "lej": 0.05, "is-pakistan": 0.05,
           "lashkar-e-islam": 0.05, "blf": 0.08},
    "AF": {"iskp": 0.45, "afghan-taliban": 0.35, "haqqani": 0.15, "islamic-state": 0.05},
    "IN": {"jem": 0.35, "let": 0.35, "hizbul-mujahideen": 0.20, "is-hind": 0.10},
    "IR": {"jaish-ul-adl": 0.55, "islamic-state": 0.30, "ahvaz-national-resistance": 0.15},
    "TJ": {"islamic-state": 0.60, "jamaat-ansarullah": 0.40},
}
# Within Pakistan, where the attacks are (others: each province alike).
PROVINCE_SHARES = {"PK": {"PK-KP": 0.40, "PK-BA": 0.30, "PK-SD": 0.12, "PK-PB": 0.12, "*": 0.02}}
ROLES = {"claimed": 0.5, "perpetrator": 0.3, "attributed": 0.2}


def pick(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]



# Filling the store.

def gazetteer_places(per_province: int = 6) -> dict[str, list[tuple[dict, float]]]:
    """The most populous cities of each province of each country, as places rows, with a weight for picking them:
    Pakistan's by PROVINCE_SHARES, elsewhere each province alike."""
    by_province: dict[tuple[str, str], list[tuple[dict, int]]] = {}
    for place, _names, population in load_gazetteer():
        if place.country in COUNTRIES and place.kind == "city" and place.province_code:
            row = {"id": place.gazetteer_id, "name": place.name, "precision": place.kind, "country": place.country,
                   "province_code": place.province_code, "province": place.province or None,
                   "district": place.district or None, "lat": place.lat, "lon": place.lon}
            by_province.setdefault((place.country, place.province_code), []).append((row, population))
    found: dict[str, list[tuple[dict, float]]] = {country: [] for country in COUNTRIES}
    for (country, province), cities in by_province.items():
        cities = sorted(cities, key=lambda entry: -entry[1])[:per_province]
        share = PROVINCE_SHARES.get(country, {}).get(province, PROVINCE_SHARES.get(country, {}).get("*", 1.0))
        total = sum(math.sqrt(max(population, 1000)) for _, population in cities)
        found[country] += [(row, share * math.sqrt(max(population, 1000)) / total) for row, population in cities]
    for country, places in found.items():
        if not places:
            sys.exit(f"the gazetteer has no cities with a province in {country}")
    return found


def fill(store: Store, n: int, seed: int = 2024, green_share: float = GREEN_SHARE) -> dict[str, int]:
    """N incidents with their claims, links and the rows they refer to, `green_share` of them TLP:GREEN; returns
    the counts inserted."""
    rng = random.Random(seed)
    places = gazetteer_places()
    missing = {a for shares in ACTORS_BY_COUNTRY.values() for a in shares} - {a.id for a in catalog.load_actors()}
    if missing:
        sys.exit(f"actors not in the catalog: {', '.join(sorted(missing))}")
    days = (END - START).days
    return bulk_fill(store, n, rng, [row for entries in places.values() for row, _ in entries],
                     lambda number, n_reports, owned, created: _incident(rng, number, places, n_reports, days, owned,
                                                                         created), "query",
                     green_share=green_share)


def _figure(rng: random.Random, kind: str) -> dict | None:
    if kind not in ("attack", "security_operation") or rng.random() < 0.12:
        return None
    best = min(int(rng.paretovariate(1.2)) - 1, 400)
    spread = rng.random() < 0.25
    low, high = (max(0, best - rng.randint(0, 5)), best + rng.randint(0, 10)) if spread else (best, best)
    qualifier = rng.choice([None, None, None, "at least", "over"])
    return {"low": low, "best": best, "high": None if qualifier == "over" else high, "qualifier": qualifier,
            "text": str(best), "span": None}


def _victim_counts(incident_id: int, killed: dict | None) -> list[tuple[str, dict]]:
    """Some attacks' sources tell the killed by category too ("including 13 soldiers"): a third of those with a
    figure, one or two categories. A random source of its own, so the rest of the world is as before."""
    rng = random.Random(incident_id)
    if not killed or not killed["best"] or rng.random() >= 1 / 3:
        return []
    categories = rng.sample(["civilians", "security_forces", "militants"], 2 if rng.random() < 0.3 else 1)
    counts = []
    for category in categories:
        best = rng.randint(1, killed["best"])
        counts.append(("killed", {"low": best, "best": best, "high": best, "qualifier": None, "text": str(best),
                                  "span": None, "subset": category}))
    return counts


def _incident(rng: random.Random, incident_id: int, places: dict[str, list[tuple[dict, float]]], n_reports: int,
              days: int, owned: dict, created: dt.datetime) -> tuple[dict, list[dict], list[dict]]:
    country = pick(rng, COUNTRIES)
    candidates = places[country]
    place = rng.choices([row for row, _ in candidates], weights=[w for _, w in candidates])[0]
    kind = pick(rng, KINDS)
    attack_type = pick(rng, ATTACK_TYPES) if kind == "attack" else None
    target_type = rng.choice(TARGET_TYPES) if kind == "attack" else None
    date = None
    if rng.random() >= 0.01:  # a few incidents have no date
        start = START + dt.timedelta(days=rng.randrange(days))
        roll = rng.random()
        if roll < 0.88:
            date = {"start": start, "end": start, "precision": "day"}
        elif roll < 0.97:
            month_start = start.replace(day=1)
            following = (month_start + dt.timedelta(days=32)).replace(day=1)
            date = {"start": month_start, "end": following - dt.timedelta(days=1), "precision": "month"}
        else:
            date = {"start": start - dt.timedelta(days=start.weekday()),
                    "end": start - dt.timedelta(days=start.weekday()) + dt.timedelta(days=6), "precision": "week"}
    killed, injured = _figure(rng, kind), _figure(rng, kind)
    report_ids = [rng.randint(1, n_reports)]
    if rng.random() < 0.15:
        report_ids.append(rng.randint(1, n_reports))
    actor_links: list[tuple[str, str]] = []
    if kind in ("attack", "security_operation", "arrest") and rng.random() < 0.6 / 0.92:
        for _ in range(2 if rng.random() < 0.1 else 1):
            actor_id = pick(rng, ACTORS_BY_COUNTRY[country])
            role = "against" if kind != "attack" else pick(rng, ROLES)
            actor_links.append((actor_id, role))
    actor_links = sorted(set(actor_links))
    status = "superseded" if rng.random() < 0.02 else "active"
    what = (attack_type or kind).replace("_", " ").capitalize()
    incident = {
        "id": incident_id, "uuid": str(uuid.uuid4()), "kind": kind, "status": status,
        "title": f"{what} in {place['name']}",
        "date_start": date["start"] if date else None, "date_end": date["end"] if date else None,
        "date_precision": date["precision"] if date else None,
        "place_id": place["id"], "country": country, "province_code": place["province_code"],
        "attack_type": attack_type, "target_type": target_type,
        "killed_low": killed["low"] if killed else None, "killed_best": killed["best"] if killed else None,
        "killed_high": killed["high"] if killed else None,
        "injured_low": injured["low"] if injured else None, "injured_best": injured["best"] if injured else None,
        "injured_high": injured["high"] if injured else None,
        "report_count": len(set(report_ids)), "created_at": created, "updated_at": created, **owned,
    }

    values: list[tuple[str, object]] = [("kind", kind)]
    if date:
        values.append(("date", {"start": date["start"].isoformat(), "end": date["end"].isoformat(),
                                "precision": date["precision"], "text": date["start"].strftime("%d %B %Y")}))
    values.append(("place", {"name": place["name"], "city": place["name"], "district": place["district"],
                             "province": place["province"], "province_code": place["province_code"],
                             "country": country, "lat": place["lat"], "lon": place["lon"], "precision": "city",
                             "gazetteer_id": place["id"]}))
    values += event_values(attack_type, target_type, killed, injured, actor_links)
    values += _victim_counts(incident_id, killed)
    # A second report repeats the kind, date and casualty figures.
    claims = claim_rows(incident_id, values, report_ids, {"kind", "date", "killed", "injured"}, owned, created)
    links = [{"incident_id": incident_id, "actor_id": actor_id, "role": role} for actor_id, role in actor_links]
    return incident, claims, links


# Timing.

def run_listing(store: Store, where: IncidentFilter, viewer: Viewer) -> tuple[float, float, int]:
    """As `jirga incidents` does it, possible duplicates included: (total seconds, seconds of list_incidents alone,
    incidents listed)."""
    start = time.perf_counter()
    with store.session() as session:
        incidents = list_incidents(session, where, viewer=viewer)
        listed = time.perf_counter()
        actors = incident_actors(session, incidents, viewer)
        for incident in incidents:  # what the rows read, so nothing is left to load lazily
            _ = (incident.place.name if incident.place else None, actors.get(incident.id))
        nearest(session, incidents, viewer)  # each row's possible duplicate, as the command names it
    return time.perf_counter() - start, listed - start, len(incidents)


def timed_build(where: IncidentFilter, viewer: Viewer) -> float:
    """Seconds to build the query alone, in Python: resolving the actor, country and province names."""
    start = time.perf_counter()
    incident_query(where, viewer)
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def explain(store: Store, where: IncidentFilter, viewer: Viewer) -> str:
    """The plan of the listing query, compiled with its values inline (the ORM adds the joined place)."""
    query = listing_query(where, viewer)
    sql = str(query.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
    with store.session() as session:
        if store.dialect == "postgresql":
            rows = session.execute(text("EXPLAIN ANALYZE " + sql)).scalars().all()
            return "\n".join(rows)
        rows = session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
    depth = {0: 0}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


def time_cli(url: str) -> tuple[float, float, int]:
    """(seconds for `jirga incidents ...`, seconds for `jirga --version`, incidents printed)."""
    base = [sys.executable, "-m", "jirga.cli"]
    start = time.perf_counter()
    subprocess.run([*base, "--version"], capture_output=True, check=True, cwd=ROOT)
    version = time.perf_counter() - start
    start = time.perf_counter()
    done = subprocess.run([*base, "incidents", "--db", url, *CLI_ARGS], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    seconds = time.perf_counter() - start
    return seconds, version, len(json.loads(done.stdout))


def bench(backend: str, url: str, args: argparse.Namespace) -> list[str]:
    """Fill, time, explain; returns the labels of the filters slower than the target."""
    print(f"\n{backend}")
    start = time.perf_counter()
    store = open_store(url)
    try:
        counts = fill(store, args.incidents)
        filled = time.perf_counter() - start
        owner = implicit_admin(store)  # the store has no users: the local organisation's admin, who owns it all
        with store.engine.begin() as connection:
            for statement in args.with_index:
                connection.execute(text(statement))
            if backend == "postgresql" or args.sqlite_analyze:
                connection.execute(text("ANALYZE"))
            stored = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                      for table in counts}
        print(f"  filled               {counts['incidents']:,} incidents, {counts['claims']:,} claims, "
              f"{counts['incident_actors']:,} actor links, {counts['reports']:,} reports, {counts['places']} "
              f"places, {counts['actors']} actors in {filled:.1f} s"
              + (" (then ANALYZE)" if backend == "postgresql" or args.sqlite_analyze else " (no ANALYZE)"))
        for statement in args.with_index:
            print(f"  extra index          {statement}")
        mismatched = {table: (counts[table], stored[table]) for table in counts if counts[table] != stored[table]}
        if mismatched:
            sys.exit(f"{backend}: inserted and stored counts differ: {mismatched}")

        with store.session() as session:
            partner = Organisation(name="Partner")
            session.add(partner)
            session.flush()
            partner_viewer = Viewer(None, partner.id, "viewer", "partner")
        slow = []
        for who, viewer in (("the owner (sees all)", owner), (f"a partner (sees {GREEN_SHARE:.0%})", partner_viewer)):
            print(f"\n  as {who}")
            print(f"  {'filter':44} {'median':>8} {'p95':>8} {'listing':>8} {'build':>6} {'rows':>5}  "
                  f"(ms, {args.runs} runs)")
            for label, where in FILTERS:
                run_listing(store, where, viewer)  # warm: caches, the actor resolver, the statement cache
                timings = [run_listing(store, where, viewer) for _ in range(args.runs)]
                totals = [t[0] * 1000 for t in timings]
                median, p95 = statistics.median(totals), percentile(totals, 0.95)
                listing = statistics.median(t[1] * 1000 for t in timings)
                build = statistics.median(timed_build(where, viewer) * 1000 for _ in range(args.runs))
                rows = timings[0][2]
                flag = "  SLOW" if p95 > TARGET_MS else ""
                print(f"  {label:44} {median:8.1f} {p95:8.1f} {listing:8.1f} {build:6.1f} {rows:5}{flag}")
                if rows == 0:
                    print(f"  {'':44} (no incidents matched: the synthetic data should have some)")
                if p95 > TARGET_MS or args.explain_all:
                    slow.append((f"{label}, as {who}", where, viewer, p95))
        for label, where, viewer, p95 in slow:
            kind = "EXPLAIN ANALYZE" if backend == "postgresql" else "EXPLAIN QUERY PLAN"
            print(f"\n  {kind} for {label} (p95 {p95:.1f} ms):")
            print("\n".join("    " + line for line in explain(store, where, viewer).splitlines()))

        cli, version, printed = time_cli(url)
        print(f"\n  command line         {cli * 1000:,.0f} ms for `jirga incidents {' '.join(CLI_ARGS)}` "
              f"({printed} incidents printed); `jirga --version` alone takes {version * 1000:,.0f} ms")
    finally:
        store.close()
    return [f"{backend}: {label}" for label, _, _, p95 in slow if p95 > TARGET_MS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000, help="incidents in the store (default 100000)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per filter (default 20)")
    parser.add_argument("--explain-all", action="store_true", help="print the plan of every filter, not only slow ones")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="run ANALYZE on SQLite after the load (jirga itself does not)")
    parser.add_argument("--with-index", action="append", default=[], metavar="SQL",
                        help="a CREATE INDEX statement run after the load, to try an index before adding it to "
                             "jirga's migrations (repeatable; it must suit every backend chosen)")
    args = parser.parse_args()
    if args.incidents < 1 or args.runs < 1:
        parser.error("--incidents and --runs must be at least 1")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    print(f"machine   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"store     {args.incidents:,} synthetic incidents; target: under {TARGET_MS} ms per filtered listing "
          f"(limit 100, with actor names)")
    slow: list[str] = []
    for backend in backends:
        with database(backend) as url:
            slow += bench(backend, url, args)
    print("\n" + (f"slower than {TARGET_MS} ms: " + "; ".join(slow) if slow
                  else f"every filter answered in under {TARGET_MS} ms (p95), for the owner and for a partner"))


if __name__ == "__main__":
    main()
