"""An offline map of incidents: country outlines from Natural Earth (1:50m, as TopoJSON from the npm package
world-atlas 2.0.2) and province outlines (Natural Earth's 1:10m admin-1, simplified by build_provinces.py), both
vendored in data/ (see data/README.md); incidents as points sized by the killed.

Precision is shown as it is known: an incident placed in a town or city is a filled point; one known only to its
district is an open ring at the district's place (somewhere in that district); one known only to its province or
country is never drawn as a point at the area's centre: the area is shaded where its outline ships, and every such
incident is listed by area (the situation report's table; the web map lists provinces with no outline).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources

import pycountry
from markupsafe import Markup, escape

from jirga.assess.charts import FONT, INK, LINE, MUTED

PROVINCE, PROVINCE_EDGE = "#e39a5f", "#9c5a23"  # darker than a shaded country: the two are told apart
POINT_PRECISIONS = ("city",)  # drawn as a point where it happened
RING_PRECISIONS = ("district",)  # drawn as an open ring: somewhere in the district


Rings = list[list[tuple[float, float]]]


def decode_topology(topology: dict, name: str) -> list[tuple[dict, list[Rings]]]:
    """Each (Multi)Polygon of a TopoJSON object as (the geometry, its polygons as rings of (lon, lat), outer ring
    first). Other geometries are skipped."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:  # delta-encoded, quantized positions
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for index in indexes:
            points = arcs[index] if index >= 0 else arcs[~index][::-1]
            out.extend(points[1:] if out else points)
        return out

    found = []
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] in ("Polygon", "MultiPolygon"):
            polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
            found.append((geometry, [[ring(r) for r in polygon] for polygon in polygons]))
    return found


def _topology(path: str) -> dict:
    return json.loads(resources.files("jirga.assess").joinpath(path).read_text(encoding="utf-8"))


@functools.cache
def countries() -> dict[str, tuple[str, Rings]]:
    """ISO alpha-2 -> (name, rings of (lon, lat)), decoded from the vendored TopoJSON."""
    found = {}
    for geometry, polygons in decode_topology(_topology("data/countries-50m.json"), "countries"):
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3)) if geometry.get("id") else None
        if country is not None:
            found[country.alpha_2] = (geometry["properties"].get("name", country.name),
                                      [ring for polygon in polygons for ring in polygon])
    return found


@functools.cache
def provinces() -> dict[str, tuple[str, list[Rings]]]:
    """The gazetteer's province code -> (name, polygons as rings of (lon, lat), outer ring first), for the
    provinces that have an outline (data/README.md says which have none)."""
    return {geometry["id"]: (geometry["properties"]["name"], polygons)
            for geometry, polygons in decode_topology(_topology("data/provinces.topojson"), "provinces")}


def placed(incidents: Iterable) -> tuple[list, list]:
    """(incidents drawn on the map: placed in a city, or in a district with a point to mark it; the others)."""
    drawn, listed = [], []
    for incident in incidents:
        place = incident.place
        if place is not None and place.lat is not None and place.lon is not None and \
                place.precision in POINT_PRECISIONS + RING_PRECISIONS:
            drawn.append(incident)
        else:
            listed.append(incident)
    return drawn, listed


def province_only(incident) -> bool:
    """Known to its province and no closer (area_of names it so)."""
    place = incident.place
    return (place is not None and place.precision == "province") or bool(incident.province_code and place is None)


def outlined_province(incident) -> str | None:
    """The province code under which the map shades an incident known only to its province, where the outline
    ships; None for any other incident."""
    code = incident.province_code
    return code if code and province_only(incident) and code in provinces() else None


def country_only(incident) -> bool:
    """Known to its country and no closer: the map shades the country."""
    place = incident.place
    return bool(incident.country) and not (place is not None and place.precision == "province") and \
        not (incident.province_code and place is None) and (place is None or place.precision == "country")


def area_of(incident) -> str:
    place = incident.place
    country = pycountry.countries.get(alpha_2=incident.country) if incident.country else None
    country_name = country.name if country else (incident.country or "")
    if (place is not None and place.precision == "province") or (incident.province_code and place is None):
        province = pycountry.subdivisions.get(code=incident.province_code) if incident.province_code else None
        name = province.name if province else (place.name if place else incident.province_code)
        return f"{name} (province), {country_name}"
    if incident.country:
        return f"{country_name} (country only)"
    return "place unknown"


def by_area(listed: Sequence) -> list[tuple[str, list]]:
    areas: dict[str, list] = {}
    for incident in listed:
        areas.setdefault(area_of(incident), []).append(incident)
    return sorted(areas.items(), key=lambda item: (-len(item[1]), item[0]))


def radius(killed: int | None) -> float:
    """Area proportional to the killed (best), at least a visible dot."""
    return 2.2 + 1.1 * math.sqrt(max(killed or 0, 0))


def svg_map(drawn: Sequence, listed: Sequence, *, what: str, width: int = 640, height: int = 420,
            link: str | None = None) -> Markup:
    """The incidents on the country outlines of the area they span. `link`: a URL pattern with {id} for each
    point's link (the web app's incident page)."""
    shaded = {i.country for i in listed if country_only(i)}
    by_province = Counter(code for i in listed if (code := outlined_province(i)))
    lons = [i.place.lon for i in drawn]
    lats = [i.place.lat for i in drawn]
    for code in by_province:
        outer = [point for polygon in provinces()[code][1] for point in polygon[0]]
        lons += [min(p[0] for p in outer), max(p[0] for p in outer)]
        lats += [min(p[1] for p in outer), max(p[1] for p in outer)]
    for code in shaded | {i.country for i in listed if i.country}:
        if code in countries():
            rings = countries()[code][1]
            biggest = max(rings, key=len)
            lons += [min(p[0] for p in biggest), max(p[0] for p in biggest)]
            lats += [min(p[1] for p in biggest), max(p[1] for p in biggest)]
    if not lons:
        return Markup(f'<p class="hint">No {escape(what)} with a known place.</p>')
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    pad = max(east - west, north - south, 4) * 0.08
    west, east, south, north = west - pad, east + pad, south - pad, north + pad
    squeeze = math.cos(math.radians((north + south) / 2))  # equirectangular, true to scale at the middle
    span_x, span_y = (east - west) * squeeze, north - south
    scale = min(width / span_x, height / span_y)
    width, height = math.ceil(span_x * scale), math.ceil(span_y * scale)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        # Outside the frame a point is pulled to just beyond its edge: the outline stays closed, and a big country
        # (all of Russia beside Tajikistan) costs a few points, not thousands.
        lon, lat = min(max(lon, west - pad), east + pad), min(max(lat, south - pad), north + pad)
        return (lon - west) * squeeze * scale, (north - lat) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="map of {escape(what)}" {FONT}>',
             f'<rect width="{width}" height="{height}" fill="#eef4fa"/>']
    for code, (name, rings) in sorted(countries().items()):
        paths = []
        for ring in rings:
            if not any(west <= lon <= east and south <= lat <= north for lon, lat in ring[::4] or ring):
                continue
            points = _thin([xy(*p) for p in ring])
            if len(points) >= 3:  # an island under a few units across is a speck at this scale
                paths.append("M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in points) + "Z")
        if paths:
            fill = "#f3d9b1" if code in shaded else "#fbfaf7"
            parts.append(f'<path d="{"".join(paths)}" fill="{fill}" stroke="#9aa5b1" stroke-width="0.6">'
                         f'<title>{escape(name)}{" (incidents known only to the country)" if code in shaded else ""}'
                         '</title></path>')
    for code, count in sorted(by_province.items()):
        parts.append(_province(code, count, xy))
    for incident in sorted(drawn, key=lambda i: -(i.killed_best or 0)):
        x, y = xy(incident.place.lon, incident.place.lat)
        r = radius(incident.killed_best)
        ring = incident.place.precision in RING_PRECISIONS
        dash = ' stroke-dasharray="2 1.5"' if ring else ""
        mark = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{"none" if ring else LINE}" '
                f'fill-opacity="0.55" stroke="{LINE}" stroke-width="{1.4 if ring else 0.6}"'
                f'{dash} data-incident="{incident.id}">'
                f'<title>#{incident.id} {escape(incident.title)}: {incident.killed_best or 0} killed'
                f'{" (known to the district only)" if ring else ""}</title></circle>')
        parts.append(f'<a href="{escape(link.format(id=incident.id))}">{mark}</a>' if link else mark)
    legend_y = height - 8
    parts.append(f'<g font-size="10" fill="{INK}"><circle cx="12" cy="{legend_y - 40}" r="4" fill="{LINE}" '
                 f'fill-opacity="0.55"/><text x="20" y="{legend_y - 37}">town or city (area: killed)</text>'
                 f'<circle cx="12" cy="{legend_y - 26}" r="4" fill="none" stroke="{LINE}" stroke-dasharray="2 1.5"/>'
                 f'<text x="20" y="{legend_y - 23}">district only</text>'
                 f'<rect x="8" y="{legend_y - 18}" width="8" height="6" fill="{PROVINCE}" stroke="{PROVINCE_EDGE}"/>'
                 f'<text x="20" y="{legend_y - 12}">province only (shaded; the number: incidents)</text>'
                 f'<rect x="8" y="{legend_y - 4}" width="8" height="6" fill="#f3d9b1" stroke="#9aa5b1"/>'
                 f'<text x="20" y="{legend_y + 2}" fill="{MUTED}">country only (shaded)</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _province(code: str, count: int, xy) -> str:
    """A province known to hold `count` incidents, shaded, with the count at the middle of its largest part."""
    name, polygons = provinces()[code]
    paths = []
    for polygon in polygons:
        for ring in polygon:
            points = [xy(*p) for p in ring]
            points = _thin(points, 1.5) or points  # a small province (Islamabad) stays drawn, if only roughly
            paths.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    largest = [xy(*p) for p in max((polygon[0] for polygon in polygons), key=_extent)]
    x, y = _centroid(largest)
    anchor = "middle"
    if _extent(largest) < 150:  # too small to hold its number (Islamabad): written beside it, not as a dot on it
        x, anchor = max(p[0] for p in largest) + 2, "start"
    plural = "s" if count != 1 else ""
    return (f'<g class="province-only" data-province="{escape(code)}"><path d="{"".join(paths)}" fill="{PROVINCE}" '
            f'fill-opacity="0.75" fill-rule="evenodd" stroke="{PROVINCE_EDGE}" stroke-width="0.8">'
            f'<title>{escape(name)}: {count} incident{plural} known only to the province</title></path>'
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" font-size="10" font-weight="bold" text-anchor="{anchor}" '
            f'fill="{INK}">{count}</text></g>')


def _extent(ring: list[tuple[float, float]]) -> float:
    return (max(p[0] for p in ring) - min(p[0] for p in ring)) * (max(p[1] for p in ring) - min(p[1] for p in ring))


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """The centroid of a polygon's area (shoelace), or of its points where the area is nil."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring + ring[:1]):
        cross = x1 * y2 - x2 * y1
        area, cx, cy = area + cross, cx + (x1 + x2) * cross, cy + (y1 + y2) * cross
    if abs(area) < 1e-9:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * area), cy / (3 * area)


def _thin(points: list[tuple[float, float]], step: float = 3.0) -> list[tuple[float, float]]:
    """Drop points within `step` units of the drawing (half a millimetre in the PDF) of the last kept: the same
    outline to the eye, a file a fraction of the size, and a PDF drawn in a fraction of the time. A ring thinned
    below three points was a speck: none is returned."""
    kept = [points[0]]
    for point in points[1:]:
        if abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) >= step:
            kept.append(point)
    return kept if len(kept) >= 3 else []
