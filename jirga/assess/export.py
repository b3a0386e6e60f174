"""Incidents as CSV in the manner of ACLED's export: one row per incident, its date and place with their precision
codes, the groups, the sources, and the killed and injured as low, best and high.

Precision codes follow ACLED: time_precision 1 (the day is known), 2 (within a week or a few days), 3 (a month or
longer); geo_precision 1 (a town or city), 2 (a district: somewhere in it), 3 (a province), 4 (only the country;
ACLED has no 4, Jirga keeps the distinction rather than pretend to a province). Cells that a spreadsheet would run
as a formula (starting with = + - @ or a tab) are prefixed with an apostrophe: the data comes from reports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pycountry

COLUMNS = ["event_id", "incident_uuid", "event_date", "date_end", "year", "time_precision", "event_type",
           "sub_event_type", "target_type", "actor1", "country", "country_code", "admin1", "admin1_code", "admin2",
           "location", "latitude", "longitude", "geo_precision", "source", "source_count", "fatalities",
           "fatalities_low", "fatalities_high", "injured", "injured_low", "injured_high", "sources_disagree", "tlp",
           "link"]
TIME_PRECISION = {"day": 1, "days": 2, "week": 2, "month": 3, "quarter": 3, "year": 3}
GEO_PRECISION = {"city": 1, "district": 2, "province": 3, "country": 4}


def row(incident, groups: list[str], sources: list[str], base_url: str) -> dict:
    place = incident.place
    country = pycountry.countries.get(alpha_2=incident.country) if incident.country else None
    province = pycountry.subdivisions.get(code=incident.province_code) if incident.province_code else None
    return {
        "event_id": f"JIRGA{incident.id}", "incident_uuid": incident.uuid,
        "event_date": incident.date_start.isoformat() if incident.date_start else "",
        "date_end": incident.date_end.isoformat() if incident.date_end else "",
        "year": incident.date_start.year if incident.date_start else "",
        "time_precision": TIME_PRECISION.get(incident.date_precision or "", ""),
        "event_type": incident.kind, "sub_event_type": incident.attack_type or "",
        "target_type": incident.target_type or "", "actor1": "; ".join(groups),
        "country": country.name if country else (incident.country or ""), "country_code": incident.country or "",
        "admin1": province.name if province else (place.province if place and place.province else ""),
        "admin1_code": incident.province_code or "", "admin2": (place.district or "") if place else "",
        "location": place.name if place else "",
        "latitude": place.lat if place and place.precision in ("city", "district") and place.lat is not None else "",
        "longitude": place.lon if place and place.precision in ("city", "district") and place.lon is not None else "",
        "geo_precision": GEO_PRECISION.get(place.precision, "") if place else "",
        "source": "; ".join(sources), "source_count": incident.report_count,
        "fatalities": _n(incident.killed_best), "fatalities_low": _n(incident.killed_low),
        "fatalities_high": _n(incident.killed_high), "injured": _n(incident.injured_best),
        "injured_low": _n(incident.injured_low), "injured_high": _n(incident.injured_high),
        "sources_disagree": int(bool(incident.has_conflict)), "tlp": f"TLP:{incident.tlp.upper()}",
        "link": f"{base_url.rstrip('/')}/incidents/{incident.id}",
    }


def _n(value: int | None) -> int | str:
    return "" if value is None else value


def safe(value: object) -> object:
    """A cell that cannot run as a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for values in rows:
        writer.writerow({key: safe(value) for key, value in values.items()})
    return out.getvalue()


def incidents_csv(session, where, *, viewer, base_url: str = "http://127.0.0.1:8000", limit: int | None = None
                  ) -> tuple[str, int]:
    """The CSV of every matching incident the viewer may see (the newest `limit`, if given), and its row count."""
    from jirga.access import audit
    from jirga.store import stats as store

    incidents = store.matching_incidents(session, where, viewer=viewer, **({"limit": limit} if limit else {}))
    groups = store.group_links(session, incidents, viewer)
    sources = store.source_names(session, [i.id for i in incidents], viewer=viewer)
    names = store.group_names(session, {a for ids in groups.values() for a in ids})
    text = to_csv(row(i, [names.get(a, a) for a in groups.get(i.id, [])], sources.get(i.id, []), base_url)
                  for i in incidents)
    audit.record(session, viewer, "read", "incident", None, "ok", f"export csv: {len(incidents)} incidents")
    return text, len(incidents)
