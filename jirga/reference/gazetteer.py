"""Load the bundled gazetteer (data/gazetteer.tsv, built by build_gazetteer.py)."""

from __future__ import annotations

import csv
import functools
from importlib import resources

from jirga.errors import BadInput
from jirga.model import PlaceRef
from jirga.reference.names import match_key

# Which place a name means when several of the same population share it: the country, the province, then the city
# before the district named after it (not an order of precision: see model.vocab.PLACE_PRECISIONS for that).
NAMED_FIRST = ("country", "province", "city", "district")

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


@functools.cache
def _by_name() -> dict[str, list[tuple[PlaceRef, int]]]:

    names: dict[str, list[tuple[PlaceRef, int]]] = {}
    for place, known_as, population in load_gazetteer():
        for name in known_as:
            names.setdefault(match_key(name), []).append((place, population))
    return names


def find_place(name: str, country: str | None = None) -> PlaceRef:
    """The gazetteer's place of that name (in that country, if given): the most populous where several share it.
    ValueError naming close names when there is none."""
    from rapidfuzz import process


    key = match_key(name)
    found = [(place, population) for place, population in _by_name().get(key, [])
             if country is None or place.country == country.upper()]
    if found:
        return max(found, key=lambda entry: (entry[1], -NAMED_FIRST.index(entry[0].kind)))[0]
    close = [match for match, _, _ in process.extract(key, list(_by_name()), limit=3, score_cutoff=80)]
    hint = f" (did you mean {', '.join(repr(_by_name()[c][0][0].name) for c in close)}?)" if close else ""
    raise BadInput(f"no place {name!r} in the gazetteer{' of ' + country.upper() if country else ''}{hint}")


def search_places(prefix: str, country: str | None = None, limit: int = 20) -> list[PlaceRef]:
    """Places one of whose names starts with `prefix`, the most populous first."""

    key = match_key(prefix)
    found: dict[str, tuple[PlaceRef, int]] = {}
    for name, entries in _by_name().items():
        if name.startswith(key):
            for place, population in entries:
                if country is None or place.country == country.upper():
                    found[place.gazetteer_id] = (place, population)
    return [place for place, _ in sorted(found.values(), key=lambda entry: -entry[1])[:limit]]
