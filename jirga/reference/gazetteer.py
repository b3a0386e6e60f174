"""Load the bundled gazetteer (data/gazetteer.tsv, built by build_gazetteer.py)."""

from __future__ import annotations

import csv
from importlib import resources

from jirga.model import PlaceRef

KIND_RANK = {"country": 0, "province": 1, "city": 2, "district": 3}


def load_gazetteer() -> tuple[tuple[PlaceRef, tuple[str, ...], int], ...]:
    """Every entry as (place, names it is known by, population)."""
    path = resources.files("jirga.reference").joinpath("data/gazetteer.tsv")
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            place = PlaceRef(
                name=row["name"],
                kind=row["kind"],
                country=row["country"],
                province=row["province"],
                province_code=row["province_code"],
                district=row["district"],
                lat=float(row["lat"]) if row["lat"] else None,
                lon=float(row["lon"]) if row["lon"] else None,
                gazetteer_id=row["id"],
            )
            names = tuple(dict.fromkeys([row["name"], *filter(None, row["aliases"].split("|"))]))
            entries.append((place, names, int(row["population"] or 0)))
    return tuple(entries)
