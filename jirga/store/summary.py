"""An incident's summary columns, computed from its claims (never typed in), and its actor links.

Figures follow UCDP: low is the lowest figure any claim gives, high the highest, best the median of the claims'
best figures. Fields that take one value (date, place, attack type) come from the narrowest claim, the earliest
report first. The claims stay the truth; this is recomputed whenever they change.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from jirga.model.extraction import PRECISION_RANK
from jirga.store.schema import Claim, Incident, IncidentActor

DATE_RANK = {"day": 0, "week": 1, "month": 2, "quarter": 3, "year": 4}
ROLE_OF_FIELD = {"perpetrator": "perpetrator", "against": "against", "concerning": "about"}


def summarize(session: Session, incident: Incident, claims: Iterable[Claim]) -> None:
    claims = [c for c in claims if not c.retired]
    by_field: dict[str, list[Claim]] = {}
    for claim in claims:
        by_field.setdefault(claim.field, []).append(claim)

    kinds = by_field.get("kind")
    if kinds:
        incident.kind = kinds[0].value
    date = min((c.value for c in by_field.get("date", [])), key=lambda d: DATE_RANK.get(d["precision"], 9),
               default=None)
    incident.date_start = dt.date.fromisoformat(date["start"]) if date else None
    incident.date_end = dt.date.fromisoformat(date["end"]) if date else None
    incident.date_precision = date["precision"] if date else None
    place = min((c.value for c in by_field.get("place", [])),
                key=lambda p: -PRECISION_RANK.get(p["precision"], 0), default=None)
    incident.place_id = place["gazetteer_id"] if place else None
    incident.country = place["country"] if place else None
    incident.province_code = place["province_code"] if place else None
    incident.attack_type = _first(by_field, "attack_type")
    target = _first(by_field, "target")
    incident.target_type = target["target_type"] if target else None
    for name in ("killed", "injured"):
        low, best, high = _range([c.value for c in by_field.get(name, [])])
        setattr(incident, f"{name}_low", low)
        setattr(incident, f"{name}_best", best)
        setattr(incident, f"{name}_high", high)
    incident.report_count = len({c.report_id for c in claims if c.report_id is not None})
    incident.title = _title(incident, place)
    _link_actors(session, incident, claims)


def _first(by_field: dict[str, list[Claim]], name: str):
    values = by_field.get(name)
    return values[0].value if values else None


def _range(figures: list[dict]) -> tuple[int | None, int | None, int | None]:
    lows = [f["low"] for f in figures if f.get("low") is not None]
    bests = [f["best"] for f in figures if f.get("best") is not None]
    highs = [f["high"] for f in figures if f.get("high") is not None]
    best = int(statistics.median_low(bests)) if bests else None
    return (min(lows) if lows else None, best, max(highs) if highs else None)


def _title(incident: Incident, place: dict | None) -> str:
    kind = incident.attack_type if incident.attack_type not in (None, "unknown") else incident.kind
    what = kind.replace("_", " ")
    return f"{what.capitalize()} in {place['name']}" if place else what.capitalize()


def _link_actors(session: Session, incident: Incident, claims: list[Claim]) -> None:
    links: set[tuple[str, str]] = set()
    for claim in claims:
        if claim.field == "responsibility":
            links.add((claim.value["actor_id"], claim.value["mode"]))
        elif claim.field in ROLE_OF_FIELD:
            links.add((claim.value["actor_id"], ROLE_OF_FIELD[claim.field]))
        elif claim.field == "statistic":
            links.update((actor_id, "about") for actor_id in claim.value.get("about", []))
    if incident.id is not None:
        session.execute(delete(IncidentActor).where(IncidentActor.incident_id == incident.id))
    session.add_all(IncidentActor(incident_id=incident.id, actor_id=actor_id, role=role)
                    for actor_id, role in sorted(links))
