"""An offline map of incidents: country outlines from Natural Earth (1:50m, as TopoJSON from the npm package
world-atlas 2.0.2, vendored in data/; see data/README.md), incidents as points sized by the killed.

Precision is shown as it is known: an incident placed in a town or city is a filled point; one known only to its
district is an open ring at the district's place (somewhere in that district); one known only to its province or
country is never drawn as a point at the area's centre: a country so known is shaded, and both are listed beside
the map by area. No package ships province outlines, so provinces are listed, not drawn.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from importlib import resources

import pycountry
from markupsafe import Markup, escape

from jirga.assess.charts import FONT, INK, LINE, MUTED

POINT_PRECISIONS = ("city",)  # drawn as a point where it happened
RING_PRECISIONS = ("district",)  # drawn as an open ring: somewhere in the district


@functools.cache
def countries() -> dict[str, tuple[str, list[list[tuple[float, float]]]]]:
    """ISO alpha-2 -> (name, rings of (lon, lat)), decoded from the vendored TopoJSON."""
    topology = json.loads(resources.files("jirga.assess").joinpath("data/countries-50m.json").read_text())
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

    found = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3)) if geometry.get("id") else None
        if country is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        found[country.alpha_2] = (geometry["properties"].get("name", country.name),
                                  [ring(r) for polygon in polygons for r in polygon])
    return found


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
    lons = [i.place.lon for i in drawn]
    lats = [i.place.lat for i in drawn]
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
    parts.append(f'<g font-size="10" fill="{INK}"><circle cx="12" cy="{legend_y - 26}" r="4" fill="{LINE}" '
                 f'fill-opacity="0.55"/><text x="20" y="{legend_y - 23}">town or city (area: killed)</text>'
                 f'<circle cx="12" cy="{legend_y - 12}" r="4" fill="none" stroke="{LINE}" stroke-dasharray="2 1.5"/>'
                 f'<text x="20" y="{legend_y - 9}">district only</text>'
                 f'<rect x="8" y="{legend_y - 4}" width="8" height="6" fill="#f3d9b1" stroke="#9aa5b1"/>'
                 f'<text x="20" y="{legend_y + 2}" fill="{MUTED}">country only (shaded); provinces: listed</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _thin(points: list[tuple[float, float]], step: float = 3.0) -> list[tuple[float, float]]:
    """Drop points within `step` units of the drawing (half a millimetre in the PDF) of the last kept: the same
    outline to the eye, a file a fraction of the size, and a PDF drawn in a fraction of the time. A ring thinned
    below three points was a speck: none is returned."""
    kept = [points[0]]
    for point in points[1:]:
        if abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) >= step:
            kept.append(point)
    return kept if len(kept) >= 3 else []
