"""The web app's interactive map (Leaflet, vendored): country and province outlines as GeoJSON from the vendored
Natural Earth TopoJSON, and the incidents the viewer may see as the map draws them, by the rules of `maps`
(docs/assessment.md): a point where the town or city is known, a dashed ring where only the district is, the
province or country shaded where only it is; an incident known only to a province with no outline is listed beside
the map, never drawn.

The browser gets data only (JSON), never markup: titles come from reports, and the page's script sets them as text.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Sequence

from jirga.assess import maps

COLOUR_BY = ("group", "attack-type")
# Okabe and Ito's colours, told apart by people with any common colour blindness; grey for the rest.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5c00", "#000000")
OTHERS = "#8a949e"
TOLERANCE = 0.05  # degrees, about 5 km: an outline true to a pixel or two where a country fills the screen
LISTED_PER_COUNTRY = 20


@functools.cache
def countries_geojson() -> bytes:
    """Every country's outline as a GeoJSON FeatureCollection (properties: code, name), simplified to within
    about 5 km: 450 KiB (150 gzipped), made once per process."""
    features = []
    for code, (name, rings) in sorted(maps.countries().items()):
        polygons = [[[round(lon, 2), round(lat, 2)] for lon, lat in simplified(ring)] for ring in rings]
        polygons = [ring for ring in polygons if len(ring) >= 4]
        if polygons:  # each ring as its own polygon: holes are rare at this scale, and fill the same
            features.append({"type": "Feature", "properties": {"code": code, "name": name},
                             "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in polygons]}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


@functools.cache
def provinces_geojson() -> bytes:
    """The province outlines (properties: code, name) as GeoJSON; already simplified by build_provinces.py."""
    features = []
    for code, (name, polygons) in sorted(maps.provinces().items()):
        coordinates = [[[[round(lon, 2), round(lat, 2)] for lon, lat in ring] for ring in polygon]
                       for polygon in polygons]
        features.append({"type": "Feature", "properties": {"code": code, "name": name},
                         "geometry": {"type": "MultiPolygon", "coordinates": coordinates}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


def simplified(ring: list[tuple[float, float]], tolerance: float = TOLERANCE) -> list[tuple[float, float]]:
    """Douglas and Peucker's simplification: the fewest points that stay within `tolerance` degrees of the
    outline (iterative: a ring has thousands of points)."""
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = ring[first], ring[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = first, tolerance
        for index in range(first + 1, last):
            x, y = ring[index]
            away = abs(dy * (x - x1) - dx * (y - y1)) / length if length else math.hypot(x - x1, y - y1)
            if away > distance:
                farthest, distance = index, away
        if farthest != first:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(ring, keep, strict=True) if kept]


def category(incident, groups: dict[int, list[str]], names: dict[str, str], colour_by: str) -> str:
    if colour_by == "attack-type":
        return (incident.attack_type or "type unknown").replace("_", " ")
    found = groups.get(incident.id, [])
    if len(found) > 1:
        return "several groups"
    return names.get(found[0], found[0]) if found else "no group named"


def map_data(incidents: Sequence, groups: dict[int, list[str]], names: dict[str, str], colour_by: str) -> dict:
    """What the map page draws, for these incidents (read as the viewer sees them)."""
    drawn, listed = maps.placed(incidents)
    categories = {i.id: category(i, groups, names, colour_by) for i in drawn}
    counts = Counter(categories.values())
    coloured = [label for label, _ in counts.most_common(len(PALETTE))]
    if len(counts) > len(PALETTE):  # the last colour goes to "others" rather than to an eighth category
        coloured = coloured[:len(PALETTE) - 1]
    colours = dict(zip(coloured, PALETTE, strict=False))
    legend = [{"label": label, "colour": colours[label], "count": counts[label]} for label in coloured]
    others = sum(n for label, n in counts.items() if label not in colours)
    if others:
        legend.append({"label": "others", "colour": OTHERS, "count": others})
    points = [{"id": i.id, "title": i.title, "date": i.date_start.isoformat() if i.date_start else None,
               "lat": i.place.lat, "lon": i.place.lon, "ring": i.place.precision in maps.RING_PRECISIONS,
               "killed": i.killed_best, "radius": round(maps.radius(i.killed_best) * 1.4, 1),
               "category": categories[i.id], "colour": colours.get(categories[i.id], OTHERS),
               "url": f"/incidents/{i.id}"}
              for i in sorted(drawn, key=lambda i: -(i.killed_best or 0))]  # the small drawn last, on top
    shaded: dict[str, dict] = {}
    provinces: dict[str, dict] = {}
    beside = 0
    for incident in listed:
        if maps.country_only(incident):
            area = shaded.setdefault(incident.country, {"count": 0, "incidents": []})
        elif code := maps.outlined_province(incident):
            area = provinces.setdefault(code, {"name": maps.provinces()[code][0], "count": 0, "incidents": []})
        else:
            beside += 1
            continue
        area["count"] += 1
        if len(area["incidents"]) < LISTED_PER_COUNTRY:
            area["incidents"].append({"id": incident.id, "title": incident.title, "url": f"/incidents/{incident.id}"})
    return {"colour_by": colour_by, "points": points, "countries": shaded, "provinces": provinces, "legend": legend,
            "listed_beside": beside}
