"""How fast does clustering decide, over many accounts in memory and for one report added to a store of 100,000
incidents?

    python benchmarks/cluster_speed.py [--claims N] [--store-incidents M] [--quick] [--backend sqlite|postgresql|both]
                                       [--reports R] [--profile] [--seed S]

1. Clustering decisions at scale, on one core. N synthetic event accounts (default 100,000; `EventView`s, what one
   report says about one event) are made from about N/4 real events over 2014-2024 in PK, AF, IR and TJ, at the
   most populous cities of each province in the gazetteer. Each event is told by 1-6 accounts: the place given as
   the city, its district, its province or only the country (or not at all), the date exact, a day off or only the
   week or month (or not at all), figures ±15 %, attack type, target and claimant sometimes missing. A fifth of
   the events are look-alikes of another: the same city on another day, or the same day and city with another
   target. The accounts are taken in order of publication and clustered the way `jirga.store.placement.find_incident`
   does it, but in memory: the candidates are the clusters of the same kind family with a date within a day (an
   undated account: the week before publication) in the same country or with none, found through a dict keyed by
   (kind, country, day); each is compared (`jirga.fuse.match.compare`) with its representative, the view of its
   first account; the account joins the best `same` match (the lowest id on a tie, at most 200 candidates) or opens
   a new cluster. Printed: seconds, accounts per second, candidates, and B-cubed precision and recall against the
   generator's truth. Target: N = 100,000 in under 60 s.
2. Adding one report to a large store. A fresh store (`jirga.store.open_store`, the real schema; SQLite in a
   temporary folder and PostgreSQL in a throw-away database on 127.0.0.1:5432, created and dropped) is filled by
   bulk inserts, not through extraction, with M synthetic incidents (default 100,000), their places, actor links
   and claims (kind, date, place and killed for each; attack type, target and responsibility for attacks). Then R
   reports (default 50), each with one attack built by hand as a `Decomposed` whose date and place are one of the
   busiest city-days of the store (every other one repeats what an attack stored there says, so it joins it; the
   others tell another attack there, an assault on a health facility with 30 dead, which mostly opens a new
   incident), go through `add_references` + `add_report` + `add_extraction` (the ingest's batch of one), each in
   its own transaction. Printed: median and p95 in ms, with and without the commit, and how many joined. Target:
   under 50 ms per report. When slower (or with --profile), one more report is profiled: the top 10 functions by
   cumulative and by own time, the slowest SQL statements of that call and the plan of the slowest query.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import math
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select, text
from synthetic_store import END, START, bulk_fill, claim_rows, event_values
from throwaway import postgres_database

from jirga.db import open_store
from jirga.db.database import Store
from jirga.db.schema import Incident, IncidentActor, IncidentHistory
from jirga.extract.pipeline import EXTRACTOR_VERSION
from jirga.fuse.match import UNDATED_WINDOW, EventView, compare, with_parents
from jirga.model.extraction import PlaceRef
from jirga.model.report import IncomingReport
from jirga.pipeline.evaluate import bcubed
from jirga.reference import catalog
from jirga.reference.gazetteer import load_gazetteer
from jirga.store.claims import Decomposed, EventClaims
from jirga.store.placement import MAX_CANDIDATES, parents
from jirga.store.records import add_extraction, add_references, add_report, source_id

CLUSTER_TARGET_S = 60
ADD_TARGET_MS = 50

# The synthetic world: shares of countries, kinds, attack types, and who acts where.
COUNTRIES = {"PK": 0.50, "AF": 0.35, "IR": 0.10, "TJ": 0.05}
KINDS = {"attack": 0.75, "security_operation": 0.15, "arrest": 0.10}
ATTACK_TYPES = {"bombing": 0.33, "armed_assault": 0.30, "suicide_bombing": 0.15, "assassination": 0.08,
                "kidnapping": 0.05, "facility_attack": 0.02, None: 0.07}
BOMBINGS = ("bombing", "suicide_bombing")
TARGET_TYPES = ["police", "military", "religious", "business", "educational", "transportation", "health",
                "government", "private_citizens"]
ACTORS_BY_COUNTRY = {
    "PK": {"ttp": 0.40, "bla": 0.15, "jamaat-ul-ahrar": 0.12, "iskp": 0.10, "lej": 0.05, "is-pakistan": 0.05,
           "lashkar-e-islam": 0.05, "blf": 0.08},
    "AF": {"iskp": 0.45, "afghan-taliban": 0.35, "haqqani": 0.15, "islamic-state": 0.05},
    "IR": {"jaish-ul-adl": 0.55, "islamic-state": 0.30, "ahvaz-national-resistance": 0.15},
    "TJ": {"islamic-state": 0.60, "jamaat-ansarullah": 0.40},
}
# Within Pakistan, where the attacks are (others: each province alike).
PROVINCE_SHARES = {"PK": {"PK-KP": 0.40, "PK-BA": 0.30, "PK-SD": 0.12, "PK-PB": 0.12, "*": 0.02}}
ROLES = {"claimed": 0.5, "perpetrator": 0.3, "attributed": 0.2}
ACCOUNTS_PER_EVENT = {1: 0.10, 2: 0.14, 3: 0.18, 4: 0.20, 5: 0.20, 6: 0.18}  # mean 3.8
LOOK_ALIKES = 0.20  # share of events made as a look-alike of an earlier one
FAMILY = {"visit": "meeting"}  # as match._family: meetings and visits are compared with one another


def pick(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]



def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"sanity check failed: {message}")


# The world: cities with the district, province and country they lie in, from the bundled gazetteer.

@dataclass(frozen=True)
class City:
    city: PlaceRef
    district: PlaceRef | None
    province: PlaceRef
    country: PlaceRef

    @property
    def row(self) -> dict:
        """As a places row."""
        p = self.city
        return {"id": p.gazetteer_id, "name": p.name, "precision": p.kind, "country": p.country,
                "province_code": p.province_code, "province": p.province or None, "district": p.district or None,
                "lat": p.lat, "lon": p.lon}


def load_world(per_province: int = 6) -> dict[str, tuple[list[City], list[float]]]:
    """For each country, the most populous cities of each of its provinces with a weight for picking them:
    Pakistan's provinces by PROVINCE_SHARES, elsewhere each province alike; within a province by √population."""
    entries = load_gazetteer()
    countries = {p.country: p for p, _, _ in entries if p.kind == "country" and p.country in COUNTRIES}
    provinces = {(p.country, p.province_code): p for p, _, _ in entries if p.kind == "province"}
    districts = {(p.country, p.province_code, p.district): p for p, _, _ in entries if p.kind == "district"}
    by_province: dict[tuple[str, str], list[tuple[City, int]]] = {}
    for place, _names, population in entries:
        key = (place.country, place.province_code)
        if place.country in COUNTRIES and place.kind == "city" and key in provinces:
            city = City(place, districts.get((*key, place.district)), provinces[key], countries[place.country])
            by_province.setdefault(key, []).append((city, population))
    world: dict[str, tuple[list[City], list[float]]] = {country: ([], []) for country in COUNTRIES}
    for (country, province), cities in by_province.items():
        cities = sorted(cities, key=lambda entry: (-entry[1], entry[0].city.gazetteer_id))[:per_province]
        shares = PROVINCE_SHARES.get(country, {})
        share = shares.get(province, shares.get("*", 1.0))
        total = sum(math.sqrt(max(population, 1000)) for _, population in cities)
        for city, population in cities:
            world[country][0].append(city)
            world[country][1].append(share * math.sqrt(max(population, 1000)) / total)
    for country, (cities, _) in world.items():
        check(bool(cities), f"the gazetteer has no cities with a province in {country}")
    return world


# Part 1: synthetic events, the accounts that tell them, and clustering them in memory.

@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    date: dt.date
    city: City
    attack_type: str | None
    target_type: str | None
    killed: int | None
    actors: tuple[str, ...]


@dataclass(frozen=True)
class Account:
    view: EventView
    published: dt.date
    event: int  # the generator's truth


def _killed(rng: random.Random) -> int:
    return min(int(rng.paretovariate(1.2)) - 1, 400)


def _event(rng: random.Random, number: int, kind: str, date: dt.date, city: City,
           not_target: str | None = None) -> Event:
    attack_type = target_type = None
    if kind == "attack":
        attack_type = pick(rng, ATTACK_TYPES)
        target_type = rng.choice([t for t in TARGET_TYPES if t != not_target])
    killed = _killed(rng) if kind in ("attack", "security_operation") and rng.random() >= 0.10 else None
    actors = ((pick(rng, ACTORS_BY_COUNTRY[city.country.country]),)
              if kind == "attack" and rng.random() < 0.55 else ())
    return Event(number, kind, date, city, attack_type, target_type, killed, actors)


def new_event(rng: random.Random, number: int, world: dict[str, tuple[list[City], list[float]]]) -> Event:
    cities, weights = world[pick(rng, COUNTRIES)]
    city = rng.choices(cities, weights=weights)[0]
    return _event(rng, number, pick(rng, KINDS), START + dt.timedelta(days=rng.randrange((END - START).days)), city)


def look_alike(rng: random.Random, number: int, base: Event) -> Event:
    """Another event at the same city: on another day, or on the same day against another target."""
    if rng.random() < 0.5:
        return _event(rng, number, base.kind, base.date + dt.timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3))),
                      base.city)
    return _event(rng, number, base.kind, base.date, base.city, not_target=base.target_type)


def account(rng: random.Random, e: Event, actor_parents: dict[str, str | None]) -> Account:
    """What one report says about the event, as `view_of_event` would read it."""
    roll = rng.random()
    place = (e.city.city if roll < 0.60 else (e.city.district or e.city.city) if roll < 0.72
             else e.city.province if roll < 0.91 else e.city.country if roll < 0.95 else None)
    roll = rng.random()
    told = e.date
    if roll < 0.03:
        start = end = precision = None
    elif roll < 0.06:
        start = e.date.replace(day=1)
        end, precision = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), "month"
    elif roll < 0.08:
        start = e.date - dt.timedelta(days=e.date.weekday())
        end, precision = start + dt.timedelta(days=6), "week"
    else:
        told = e.date + dt.timedelta(days=rng.choice((-1, 1)) if rng.random() < 0.20 else 0)
        start = end = told
        precision = "day"
    published = max(e.date, told) + dt.timedelta(days=rng.choice((0, 0, 1, 1, 1, 2, 3)))
    if precision == "day" and start == published:  # view_of_event: a date equal to the dateline's
        start, precision = published - UNDATED_WINDOW, "week"
    attack_type = e.attack_type
    if attack_type is not None:
        roll = rng.random()
        if roll < 0.10:
            attack_type = None
        elif roll < 0.15:
            attack_type = "unknown"
        elif roll < 0.20 and attack_type in BOMBINGS:
            attack_type = BOMBINGS[1 - BOMBINGS.index(attack_type)]
    target_type = e.target_type if rng.random() >= 0.15 else None
    killed = (max(0, round(e.killed * rng.uniform(0.85, 1.15)))
              if e.killed is not None and rng.random() >= 0.15 else None)
    actors = with_parents(e.actors, actor_parents) if e.actors and rng.random() < 0.5 else frozenset()
    view = EventView(kind=e.kind, date_start=start, date_end=end, date_precision=precision, place=place,
                     attack_type=attack_type, target_type=target_type, killed=killed, actors=actors)
    return Account(view, published, e.id)


def generate(n: int, world: dict[str, tuple[list[City], list[float]]], seed: int) -> tuple[list[Account], dict]:
    """N accounts in order of publication (ties shuffled), and what was made."""
    rng = random.Random(seed)
    actor_parents = parents()
    events: list[Event] = []
    accounts: list[Account] = []
    alike = 0
    while len(accounts) < n:
        if events and rng.random() < LOOK_ALIKES:
            e = look_alike(rng, len(events), rng.choice(events))
            alike += 1
        else:
            e = new_event(rng, len(events), world)
        events.append(e)
        told = min(pick(rng, ACCOUNTS_PER_EVENT), n - len(accounts))
        accounts += [account(rng, e, actor_parents) for _ in range(told)]
    rng.shuffle(accounts)
    accounts.sort(key=lambda a: a.published)
    views = [a.view for a in accounts]
    made = {"events": len(events), "look-alikes": alike,
            "city": sum(1 for v in views if v.place is not None and v.place.kind == "city"),
            "coarser place": sum(1 for v in views if v.place is not None and v.place.kind != "city"),
            "no place": sum(1 for v in views if v.place is None),
            "day": sum(1 for v in views if v.date_precision == "day"),
            "week/month": sum(1 for v in views if v.date_precision in ("week", "month")),
            "no date": sum(1 for v in views if v.date_start is None)}
    return accounts, made


def cluster_in_memory(accounts: list[Account]) -> tuple[list[int], dict[str, int]]:
    """Each account's cluster, decided incrementally as the store decides it; and counts of the work done."""
    index: dict[tuple[str, str | None, int], list[int]] = {}
    representatives: list[EventView] = []
    labels: list[int] = []
    every_country = (*COUNTRIES, None)
    compared = most = capped = 0
    for a in accounts:
        view = a.view
        family = FAMILY.get(view.kind, view.kind)
        if view.date_start is not None:
            first, last = view.date_start.toordinal() - 1, view.date_end.toordinal() + 1
        else:
            first, last = (a.published - UNDATED_WINDOW).toordinal(), a.published.toordinal()
        countries = (view.place.country, None) if view.place is not None else every_country
        found: set[int] = set()
        for country in countries:
            for day in range(first, last + 1):
                ids = index.get((family, country, day))
                if ids:
                    found.update(ids)
        best, best_score = -1, -1.0
        if found:
            candidates = sorted(found)
            if len(candidates) > MAX_CANDIDATES:
                candidates, capped = candidates[:MAX_CANDIDATES], capped + 1
            compared += len(candidates)
            most = max(most, len(candidates))
            for cluster in candidates:
                match = compare(view, representatives[cluster])
                if match.same and match.score > best_score:  # ascending ids: the lowest id wins a tie
                    best, best_score = cluster, match.score
        if best < 0:  # a new cluster, found from now on under each day of its representative's dates
            best = len(representatives)
            representatives.append(view)
            if view.date_start is not None:
                country = view.place.country if view.place is not None else None
                for day in range(view.date_start.toordinal(), view.date_end.toordinal() + 1):
                    index.setdefault((family, country, day), []).append(best)
        labels.append(best)
    return labels, {"clusters": len(representatives), "compared": compared, "most": most, "capped": capped}


@contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU for the block, where the system allows it."""
    if not hasattr(os, "sched_setaffinity"):
        yield "one process, one thread (not pinned: no sched_setaffinity here)"
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"pinned to CPU {cpu}"
    finally:
        os.sched_setaffinity(0, before)


def bench_clustering(n: int, seed: int) -> bool:
    """Generate, cluster, score; returns whether the clustering met the target."""
    print(f"\n1. clustering decisions in memory, {n:,} accounts")
    start = time.perf_counter()
    world = load_world()
    accounts, made = generate(n, world, seed)
    generated = time.perf_counter() - start
    check(len(accounts) == n, f"{len(accounts)} accounts made, not {n}")
    print(f"  generated            {n:,} accounts of {made['events']:,} events ({made['look-alikes']:,} of them "
          f"look-alikes) in {generated:.1f} s; places: "
          f"{made['city']:,} city, {made['coarser place']:,} district/province/country, {made['no place']:,} none; "
          f"dates: {made['day']:,} day, {made['week/month']:,} week/month, {made['no date']:,} none")
    with one_core() as where:
        start = time.perf_counter()
        labels, work = cluster_in_memory(accounts)
        seconds = time.perf_counter() - start
    check(len(labels) == n and all(label >= 0 for label in labels), "every account has a cluster")
    start = time.perf_counter()
    precision, recall = bcubed(dict(enumerate(labels)), {i: a.event for i, a in enumerate(accounts)})
    scored = time.perf_counter() - start
    check(0 < precision <= 1 and 0 < recall <= 1, f"B-cubed out of range: {precision}, {recall}")
    f1 = 2 * precision * recall / (precision + recall)
    flag = "" if seconds < CLUSTER_TARGET_S else f"  SLOWER than the {CLUSTER_TARGET_S} s target"
    print(f"  clustered            {seconds:.2f} s, {n / seconds:,.0f} accounts/s ({where}){flag}")
    print(f"  work                 {work['compared']:,} comparisons, {work['compared'] / n:.1f} candidates per "
          f"account on average, {work['most']} at most ({work['capped']} accounts capped at {MAX_CANDIDATES}); "
          f"{work['clusters']:,} clusters for {made['events']:,} true events")
    print(f"  B-cubed              precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f} "
          f"(scored in {scored:.1f} s)")
    return seconds < CLUSTER_TARGET_S


# Part 2: a store filled in bulk, then reports added one by one.

def fill(store: Store, n: int, world: dict[str, tuple[list[City], list[float]]], seed: int) -> dict[str, int]:
    """N incidents with their claims, links and the rows they refer to; returns the counts inserted."""
    rng = random.Random(seed)
    missing = {a for shares in ACTORS_BY_COUNTRY.values() for a in shares} - {a.id for a in catalog.load_actors()}
    check(not missing, f"actors not in the catalog: {', '.join(sorted(missing))}")
    return bulk_fill(store, n, rng, [city.row for cities, _ in world.values() for city in cities],
                     lambda number, n_reports, owned, created: _incident(rng, number, world, n_reports, owned,
                                                                         created), "clustering")


def place_value(city: City) -> dict:
    """A city as a place claim's value (serialize.place)."""
    p = city.city
    return {"name": p.name, "city": p.name, "district": p.district or None, "province": p.province or None,
            "province_code": p.province_code or None, "country": p.country, "lat": p.lat, "lon": p.lon,
            "precision": "city", "gazetteer_id": p.gazetteer_id}


def figure(best: int, rng: random.Random | None = None) -> dict:
    low, high = best, best
    if rng is not None and rng.random() < 0.25:
        low, high = max(0, best - rng.randint(0, 5)), best + rng.randint(0, 10)
    return {"low": low, "best": best, "high": high, "qualifier": None, "text": str(best), "span": None}


def _incident(rng: random.Random, incident_id: int, world: dict[str, tuple[list[City], list[float]]],
              n_reports: int, owned: dict, created: dt.datetime) -> tuple[dict, list[dict], list[dict]]:
    e = new_event(rng, incident_id, world)
    roll = rng.random()
    if roll < 0.88:
        start = end = e.date
        precision = "day"
    elif roll < 0.97:
        start = e.date.replace(day=1)
        end, precision = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), "month"
    else:
        start = e.date - dt.timedelta(days=e.date.weekday())
        end, precision = start + dt.timedelta(days=6), "week"
    killed = figure(e.killed if e.killed is not None else 0, rng)
    injured = figure(_killed(rng), rng) if e.kind == "attack" and rng.random() < 0.7 else None
    country = e.city.country.country
    actor_links = [(actor_id, pick(rng, ROLES)) for actor_id in e.actors]
    if e.kind != "attack" and rng.random() < 0.6:
        actor_links.append((pick(rng, ACTORS_BY_COUNTRY[country]), "against"))
    report_ids = [rng.randint(1, n_reports)]
    if rng.random() < 0.15:
        report_ids.append(rng.randint(1, n_reports))
    status = "superseded" if rng.random() < 0.02 else "active"
    place = e.city.row
    incident = {
        "id": incident_id, "uuid": str(uuid.uuid4()), "kind": e.kind, "status": status,
        "title": f"{(e.attack_type or e.kind).replace('_', ' ').capitalize()} in {place['name']}",
        "date_start": start, "date_end": end, "date_precision": precision,
        "place_id": place["id"], "country": country, "province_code": place["province_code"],
        "attack_type": e.attack_type, "target_type": e.target_type,
        "killed_low": killed["low"], "killed_best": killed["best"], "killed_high": killed["high"],
        "injured_low": injured["low"] if injured else None, "injured_best": injured["best"] if injured else None,
        "injured_high": injured["high"] if injured else None,
        "report_count": len(set(report_ids)), "created_at": created, "updated_at": created, **owned,
    }
    values: list[tuple[str, object]] = [
        ("kind", e.kind),
        ("date", {"start": start.isoformat(), "end": end.isoformat(), "precision": precision,
                  "text": start.strftime("%d %B %Y")}),
        ("place", place_value(e.city))]
    values += event_values(e.attack_type, e.target_type, killed, injured, actor_links)
    # A second report repeats the kind, date, place and casualty figures.
    claims = claim_rows(incident_id, values, report_ids, {"kind", "date", "place", "killed", "injured"}, owned,
                        created)
    links = [{"incident_id": incident_id, "actor_id": actor_id, "role": role}
             for actor_id, role in sorted(set(actor_links))]
    return incident, claims, links


@dataclass(frozen=True)
class Target:
    """A busy city-day of the store, and one active attack there to repeat."""

    city: City
    day: dt.date
    attacks: int
    attack_type: str | None
    target_type: str | None
    killed: int | None
    actors: tuple[str, ...]


def busy_city_days(store: Store, count: int, world: dict[str, tuple[list[City], list[float]]]) -> list[Target]:
    cities = {city.city.gazetteer_id: city for cities, _ in world.values() for city in cities}
    targets = []
    with store.session() as session:
        rows = session.execute(
            select(Incident.place_id, Incident.date_start, func.count(), func.min(Incident.id))
            .where(Incident.status == "active", Incident.kind == "attack", Incident.date_precision == "day")
            .group_by(Incident.place_id, Incident.date_start)
            .order_by(func.count().desc(), Incident.date_start, Incident.place_id).limit(count)).all()
        for place_id, day, attacks, incident_id in rows:
            incident = session.get(Incident, incident_id)
            actors = tuple(session.scalars(select(IncidentActor.actor_id).where(
                IncidentActor.incident_id == incident_id, IncidentActor.role.in_(("claimed", "perpetrator")))))
            targets.append(Target(cities[place_id], day, attacks, incident.attack_type, incident.target_type,
                                  incident.killed_best, actors))
    check(len(targets) == count, f"only {len(targets)} busy city-days in the store, {count} wanted")
    return targets


def report_of(number: int, target: Target, same: bool) -> tuple[IncomingReport, Decomposed]:
    """A report of one attack at the target's city and day: the attack already stored there (same), or another."""
    city = target.city
    if same:
        attack_type, target_type, killed, actors = (target.attack_type, target.target_type, target.killed,
                                                    target.actors)
    else:
        attack_type, target_type, killed = "facility_attack", "health", 30  # a toll unlike the stored ones
        actors = (next(iter(ACTORS_BY_COUNTRY[city.country.country])),)
    body = (f"Benchmark report {number}: a {(attack_type or 'attack').replace('_', ' ')} against a "
            f"{target_type or 'target'} in {city.city.name} on {target.day:%d %B %Y}; {uuid.uuid4()}.")
    incoming = IncomingReport(body, f"benchmark/add-{number:03d}", title=f"Attack in {city.city.name}",
                              source="Benchmark Wire", url=f"https://bench.invalid/add/{number}",
                              published=target.day + dt.timedelta(days=1), language="en")
    span = {"text": "", "span_start": 0, "span_end": 10, "sentence_start": 0, "sentence_end": len(body)}
    claims = [{"field": "kind", "value": "attack", **span},
              {"field": "date", "value": {"start": target.day.isoformat(), "end": target.day.isoformat(),
                                          "precision": "day", "text": f"{target.day:%d %B %Y}"}, **span},
              {"field": "place", "value": place_value(city), **span}]
    if attack_type:
        claims.append({"field": "attack_type", "value": attack_type, **span})
    if target_type:
        claims.append({"field": "target", "value": {"target": None, "target_type": target_type}, **span})
    if killed is not None:
        claims.append({"field": "killed", "value": {**figure(killed), "mentions": [figure(killed)]}, **span})
    for actor_id in actors:
        claims.append({"field": "responsibility", "value": {"actor_id": actor_id, "actor": actor_id,
                                                            "mode": "claimed"}, **span})
    place = {key: value or None for key, value in city.row.items()}
    found = Decomposed(EXTRACTOR_VERSION, events=[EventClaims("incident-1", "attack", claims)],
                       actors={actor_id: (actor_id, "armed_group") for actor_id in actors},
                       places={city.city.gazetteer_id: place})
    return incoming, found


def add_one(store: Store, source: int, owner: int, incoming: IncomingReport, found: Decomposed) -> tuple[float, float]:
    """(seconds of add_references + add_report + add_extraction, seconds with the transaction's commit): a batch
    of one, as the ingest writes a report."""
    start = time.perf_counter()
    with store.session() as session:
        add_references(session, [found])
        row = add_report(session, incoming, source, owner, "amber")
        add_extraction(session, row, found)
        called = time.perf_counter()
    return called - start, time.perf_counter() - start


def last_placement(store: Store) -> tuple[str, int]:
    with store.session() as session:
        entry = session.scalar(select(IncidentHistory).order_by(IncidentHistory.id.desc()).limit(1))
        return entry.action, entry.detail["candidates"]


def profile_one(store: Store, source: int, owner: int, incoming: IncomingReport, found: Decomposed) -> None:
    """cProfile's top 10 functions of one add, and the SQL statements it ran, slowest first."""
    timings: list[tuple[float, str, object]] = []

    def before(conn, _cursor, _statement, _parameters, _context, _many):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, _cursor, statement, parameters, _context, _many):
        timings.append((time.perf_counter() - conn.info["bench_started"].pop(), statement, parameters))

    event.listen(store.engine, "before_cursor_execute", before)
    event.listen(store.engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        _, seconds = add_one(store, source, owner, incoming, found)
        profiler.disable()
    finally:
        event.remove(store.engine, "before_cursor_execute", before)
        event.remove(store.engine, "after_cursor_execute", after)
    print(f"  profile ({seconds * 1000:.1f} ms under cProfile)")
    here = Path(__file__).name
    functions = [(key, value) for key, value in pstats.Stats(profiler).stats.items() if not key[0].endswith(here)]
    for title, column in (("cumulative", 3), ("own", 2)):
        print(f"    top 10 by {title} time: {'cumulative':>10} {'own':>8} {'calls':>7}  function (ms)")
        for (filename, line, name), (_, calls, own, cumulative, _) in sorted(functions,
                                                                              key=lambda item: -item[1][column])[:10]:
            where = f"{'/'.join(Path(filename).parts[-2:])}:{line}({name})" if filename != "~" else name
            print(f"    {'':22}{cumulative * 1000:10.1f} {own * 1000:8.1f} {calls:7}  {where}")
    total = sum(t for t, _, _ in timings)
    print(f"\n  SQL: {len(timings)} statements, {total * 1000:.1f} ms in the database driver; the slowest:")
    slowest = sorted(timings, key=lambda entry: -entry[0])
    for seconds, statement, _ in slowest[:3]:
        print(f"    {seconds * 1000:8.1f} ms  {' '.join(statement.split())[:200]}")
    queries = [entry for entry in slowest if entry[1].lstrip().upper().startswith("SELECT")]
    if queries:
        seconds, statement, parameters = queries[0]
        kind = "EXPLAIN ANALYZE " if store.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
        with store.engine.connect() as connection:
            rows = connection.exec_driver_sql(kind + statement, parameters).all()
        print(f"\n  {kind.strip()} of the slowest query ({seconds * 1000:.1f} ms):")
        for row in rows:
            print("    " + (row[0] if store.dialect == "postgresql" else str(row[-1])))


def bench_adding(backend: str, url: str, args: argparse.Namespace) -> bool:
    """Fill, then add reports one by one; returns whether the median met the target."""
    print(f"\n2. adding one report to a store of {args.store_incidents:,} incidents: {backend}")
    world = load_world()
    start = time.perf_counter()
    store = open_store(url)
    try:
        counts = fill(store, args.store_incidents, world, args.seed)
        with store.engine.begin() as connection:
            if backend == "postgresql":
                connection.execute(text("ANALYZE"))
            stored = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                      for table in counts}
        mismatched = {table: (counts[table], stored[table]) for table in counts if counts[table] != stored[table]}
        check(not mismatched, f"{backend}: inserted and stored counts differ: {mismatched}")
        print(f"  filled               {counts['incidents']:,} incidents, {counts['claims']:,} claims, "
              f"{counts['incident_actors']:,} actor links, {counts['reports']:,} reports, {counts['places']} places "
              f"in {time.perf_counter() - start:.1f} s"
              + (" (then ANALYZE)" if backend == "postgresql" else " (no ANALYZE: jirga never runs it)"))

        targets = busy_city_days(store, args.reports + 1, world)  # the first to warm up
        owner = store.local_org_id()
        with store.session() as session:
            source = source_id(session, "Benchmark Wire", owner, "B")
        add_one(store, source, owner, *report_of(0, targets[0], True))  # loads the catalogs, warms the caches

        statements = [0]

        def count(*_args) -> None:
            statements[0] += 1

        calls, totals, candidates = [], [], []
        actions = {"joined": 0, "created": 0}
        event.listen(store.engine, "before_cursor_execute", count)
        try:
            for number in range(1, args.reports + 1):
                called, total = add_one(store, source, owner,
                                        *report_of(number, targets[number], same=number % 2 == 1))
                calls.append(called * 1000)
                totals.append(total * 1000)
                event.remove(store.engine, "before_cursor_execute", count)
                action, found = last_placement(store)
                event.listen(store.engine, "before_cursor_execute", count)
                actions[action] += 1
                candidates.append(found)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        check(min(candidates) > 0, "every report's event had candidates")
        median, p95 = statistics.median(totals), percentile(totals, 0.95)
        busy = [t.attacks for t in targets[1:args.reports + 1]]
        print(f"  city-days            {min(busy)}-{max(busy)} attacks on the day at the city; "
              f"{statistics.median(candidates):.0f} candidates per report (median, {min(candidates)}-"
              f"{max(candidates)}); {actions['joined']} joined an incident, {actions['created']} opened one; "
              f"{statements[0] / args.reports:.0f} SQL statements per report")
        flag = "" if median < ADD_TARGET_MS else f"  SLOWER than the {ADD_TARGET_MS} ms target"
        print(f"  per report           median {median:.1f} ms, p95 {p95:.1f} ms "
              f"(add_references + add_report + add_extraction + commit, {args.reports} reports){flag}")
        print(f"  without the commit   median {statistics.median(calls):.1f} ms, p95 {percentile(calls, 0.95):.1f} ms")
        periods: dict[str, list[float]] = {}
        for number, total in enumerate(totals, 1):
            year = targets[number].day.year
            period = "2014-16" if year <= 2016 else "2017-20" if year <= 2020 else "2021-24"
            periods.setdefault(period, []).append(total)
        print("  by the event's date  " + "; ".join(f"{period}: median {statistics.median(values):.1f} ms "
                                                   f"({len(values)} reports)"
                                                   for period, values in sorted(periods.items())))
        if median >= ADD_TARGET_MS or args.profile:
            # Another report on the city-day of the report that took the median time.
            typical = sorted(range(len(totals)), key=totals.__getitem__)[len(totals) // 2] + 1
            print(f"\n  profiled: one more report on {targets[typical].day}, the city-day of the report that took "
                  f"the median time")
            profile_one(store, source, owner, *report_of(args.reports + 1, targets[typical], same=True))
    finally:
        store.close()
    return median < ADD_TARGET_MS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, help="event accounts to cluster in memory (default 100000)")
    parser.add_argument("--store-incidents", type=int, help="incidents in the store (default 100000)")
    parser.add_argument("--quick", action="store_true", help="10000 accounts and 10000 incidents, unless given")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--reports", type=int, default=50, help="reports added and timed (default 50)")
    parser.add_argument("--profile", action="store_true", help="profile one add even when under the target")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    default = 10_000 if args.quick else 100_000
    args.claims = args.claims or default
    args.store_incidents = args.store_incidents or default
    if args.claims < 1 or args.store_incidents < 1 or args.reports < 1:
        parser.error("--claims, --store-incidents and --reports must be at least 1")

    print(f"machine   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"targets   {args.claims:,} accounts clustered in under {CLUSTER_TARGET_S} s on one core; one report "
          f"added to {args.store_incidents:,} incidents in under {ADD_TARGET_MS} ms")
    missed = [] if bench_clustering(args.claims, args.seed) else ["clustering in memory"]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="jirga-cluster-bench-") as tmp:
                met = bench_adding(backend, f"sqlite:///{Path(tmp) / 'jirga.db'}", args)
        else:
            with postgres_database() as url:
                met = bench_adding(backend, url, args)
        if not met:
            missed.append(f"adding a report ({backend})")
    print("\n" + ("slower than the target: " + "; ".join(missed) if missed else "every target met"))


if __name__ == "__main__":
    main()
