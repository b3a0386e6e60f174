"""Filling a store fast with synthetic incidents for the benchmarks: bulk inserts, not extraction."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import insert, text

from jirga.db.database import Store
from jirga.db.schema import (
    EVERYONE,
    Actor,
    Claim,
    Incident,
    IncidentActor,
    IncidentView,
    IncidentViewActor,
    IncidentViewVictim,
    Place,
    Report,
    Source,
)
from jirga.extract.pipeline import EXTRACTOR_VERSION
from jirga.fuse import victims
from jirga.reference import catalog
from jirga.store import month_sums
from jirga.store.summary import VIEW_COLUMNS, group_key, victim_figures

CHUNK = 5_000  # incidents per insert round (with their claims and actor links)
OUTLETS = ["Dawn", "The Express Tribune", "Reuters", "Associated Press", "TOLOnews", "Tasnim"]
START, END = dt.date(2014, 1, 1), dt.date(2024, 12, 31)

# make_incident(incident id, number of reports, owned columns, created) -> (incident row, claim rows, link rows)
MakeIncident = Callable[[int, int, dict, dt.datetime], tuple[dict, list[dict], list[dict]]]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bulk_fill(store: Store, n: int, rng: random.Random, place_rows: list[dict], make_incident: MakeIncident,
              purpose: str, green_share: float = 0.0) -> dict[str, int]:
    """Every catalog actor, the places, a few outlets and reports, then n incidents made by make_incident, in
    chunks, with the view each is seen through (`IncidentView`, as the store's writer keeps them); returns the
    counts inserted. `green_share`: the part of the incidents (claims and all) marked TLP:GREEN, which every other
    organisation sees; the rest is the owner's TLP:AMBER."""
    actors = catalog.load_actors()
    owned = {"owner_org_id": store.local_org_id(), "tlp": "amber", "sharing_group_id": None}
    created = now()
    counts = dict.fromkeys(["incidents", "claims", "incident_actors"], 0)
    n_reports = max(20, n // 200)
    with store.engine.begin() as connection:
        connection.execute(insert(Actor.__table__), [
            {"id": a.id, "name": a.name, "kind": a.kind, "parent_id": a.part_of} for a in actors])
        connection.execute(insert(Place.__table__), place_rows)
        sources = [connection.execute(insert(Source.__table__).returning(Source.__table__.c.id), {
            "name": name, "reliability": "B", "created_at": created, **owned, "tlp": "clear"}).scalar_one()
            for name in OUTLETS]
        report_rows = []
        for number in range(1, n_reports + 1):
            published = START + dt.timedelta(days=rng.randrange((END - START).days))
            report_rows.append({
                "id": number, "uuid": str(uuid.uuid4()), "source_id": rng.choice(sources), "url": None,
                "origin": f"benchmark/{number:06d}.txt", "title": f"Benchmark report {number}",
                "published": published, "language": "en", "content_hash": f"{number:064x}",
                "text": f"Synthetic report {number} for the {purpose} benchmark, published {published.isoformat()}.",
                "revision": 1, "supersedes_id": None, "is_current": True, "extractor_version": EXTRACTOR_VERSION,
                "ingested_at": created, **owned})
        connection.execute(insert(Report.__table__), report_rows)
    # What `summary.report_rows` reads of each report (no source is graded here: reliability F).
    names = dict(zip(sources, OUTLETS, strict=True))
    reports = {row["id"]: SimpleNamespace(id=row["id"], published=row["published"], is_current=True,
                                          name=names[row["source_id"]], reliability="F") for row in report_rows}
    source_of = {report["id"]: report["source_id"] for report in report_rows}
    counts.update(actors=len(actors), places=len(place_rows), reports=n_reports)

    for first in range(1, n + 1, CHUNK):
        incidents, claims, links = [], [], []
        views, view_links, view_victims = [], [], []
        for incident_id in range(first, min(first + CHUNK, n + 1)):
            row, row_claims, row_links = make_incident(incident_id, n_reports, owned, created)
            if green_share and rng.random() < green_share:
                row["tlp"] = "green"
                for claim in row_claims:
                    claim["tlp"] = "green"
            audience = EVERYONE if row["tlp"] == "green" else row["owner_org_id"]
            told = {source_of[claim["report_id"]] for claim in row_claims if claim["report_id"] is not None}
            views.append({"incident_id": incident_id, "org_id": audience,
                          **{name: row.get(name) for name in VIEW_COLUMNS},
                          "has_conflict": row.get("has_conflict", False),
                          "group_ids": group_key((link["actor_id"], link["role"]) for link in row_links),
                          # as jirga.store.credibility.basis: machine claims, no verdicts, reports all current
                          "corroborated": len(told) >= 2, "sole_source_id": min(told) if len(told) == 1 else None,
                          "sole_source_org_id": owned["owner_org_id"] if len(told) == 1 else None})
            view_links += [{**link, "org_id": audience} for link in row_links]
            # As the writer sums up each view's victims by category: the claims' consensus, by insertion order.
            found = victim_figures([SimpleNamespace(id=None, **claim) for claim in row_claims], reports, {})
            view_victims += victims.view_rows(incident_id, audience, found)
            incidents.append(row)
            claims += row_claims
            links += row_links
        with store.engine.begin() as connection:
            connection.execute(insert(Incident.__table__), incidents)
            connection.execute(insert(Claim.__table__), claims)
            connection.execute(insert(IncidentView.__table__), views)
            if links:
                connection.execute(insert(IncidentActor.__table__), links)
                connection.execute(insert(IncidentViewActor.__table__), view_links)
            if view_victims:
                connection.execute(insert(IncidentViewVictim.__table__), view_victims)
        counts["incidents"] += len(incidents)
        counts["claims"] += len(claims)
        counts["incident_actors"] += len(links)

    if store.dialect == "postgresql":  # explicit ids were given: move the sequences past them
        with store.engine.begin() as connection:
            for table in ("incidents", "reports"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    with store.session() as session:  # the views were written here, not by the writer: count the monthly sums
        month_sums.rebuild(session)
    return counts


def event_values(attack_type: str | None, target_type: str | None, killed: dict | None, injured: dict | None,
                 actor_links: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """The claim values of an incident after its kind, date and place: attack and target type, figures, actors."""
    values: list[tuple[str, object]] = []
    if attack_type:
        values.append(("attack_type", attack_type))
    if target_type:
        values.append(("target", {"target": None, "target_type": target_type}))
    for name, figure in (("killed", killed), ("injured", injured)):
        if figure:
            values.append((name, {**figure, "mentions": [figure]}))
    for actor_id, role in actor_links:
        if role in ("claimed", "attributed"):
            values.append(("responsibility", {"actor_id": actor_id, "actor": actor_id, "mode": role}))
        else:
            values.append((role, {"actor_id": actor_id, "actor": actor_id}))
    return values


def claim_rows(incident_id: int, values: list[tuple[str, object]], report_ids: list[int], repeated: set[str],
               owned: dict, created: dt.datetime) -> list[dict]:
    """Machine claims: the first report tells every value; each further report repeats only the `repeated` fields."""
    claims = []
    for number, report_id in enumerate(report_ids):
        told = values if number == 0 else [value for value in values if value[0] in repeated]
        for position, (field_name, value) in enumerate(told):
            span = 40 * position
            claims.append({
                "uuid": str(uuid.uuid4()), "incident_id": incident_id, "report_id": report_id,
                "event": "incident-1", "field": field_name, "value": value, "text": "",
                "span_start": span, "span_end": span + 12, "sentence_start": 0, "sentence_end": 200,
                "origin": "machine", "extractor_version": EXTRACTOR_VERSION, "retired": False, "created_by": None,
                "created_at": created, **owned})
    return claims
