"""The TAXII 2.1 server, publishing and sync between instances, tested for real:

1. taxii2-client, a third-party client, against Jirga's server under uvicorn on 127.0.0.1 (SQLite and PostgreSQL):
   discovery, collections, paging with `as_pages`, add and status, manifest, versions, filters, delete; an
   organisation outside a sharing group sees neither its collection nor its objects.
2. Jirga's client against medallion, the OASIS reference server, started by the test: pull and push.
3. Two Jirga instances with their own databases and ports: A publishes into group G's collection, B pulls it;
   pulling again stores nothing new; TLP:RED never leaves A.

And every kind of hostile add: each gets a clear error or a failure in the status resource, nothing stored changes,
and the good objects of the same add are kept.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import event, select
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from jirga.access import Viewer, admin
from jirga.access.auth import implicit_admin
from jirga.db import Store, open_store
from jirga.db.schema import Organisation, SharingGroup
from jirga.db.share_schema import StixObject
from jirga.model.tlp import TLP2_MARKING_IDS
from jirga.share import inbox, sync
from jirga.store.taxii import OPEN_COLLECTION, group_collection_id
from jirga.web.app import create_app
from tests.conftest import ROOT
from tests.webserver import serving, serving_medallion

PASSWORD = "correct horse battery staple"
MEDIA = "application/taxii+json;version=2.1"
GROUP = "QCCM"
GROUP_COLLECTION = group_collection_id(GROUP)
GROUP_ID_G = group_collection_id("G")


def stix(kind: str = "incident", *, tlp: str | None = "green", modified: str = "2026-01-02T03:04:05.000Z",
         ident: str | None = None, **extra) -> dict:
    """A STIX 2.1 object as a partner would send it."""
    obj = {"type": kind, "spec_version": "2.1", "id": ident or f"{kind}--{uuid.uuid4()}",
           "created": "2026-01-01T00:00:00.000Z", "modified": modified, "name": f"a {kind}", **extra}
    if tlp:
        obj["object_marking_refs"] = [TLP2_MARKING_IDS[tlp]]
    return obj


@dataclass
class Site:
    """A store with users of three organisations: the local one (amina, instance admin; bilal, analyst; vera,
    viewer), a partner in sharing group QCCM with it (pavel, analyst; petra, org admin) and an outsider in no group
    (olga, analyst)."""

    store: Store
    tokens: dict[str, str] = field(default_factory=dict)
    viewers: dict[str, Viewer] = field(default_factory=dict)
    url: str = ""

    def root(self, who: str = "amina") -> ApiRoot:
        return ApiRoot(f"{self.url}/taxii2/jirga/", auth=_Bearer(self.tokens[who]))

    def collection(self, collection_id: str, who: str = "amina") -> Collection:
        return Collection(f"{self.url}/taxii2/jirga/collections/{collection_id}/", auth=_Bearer(self.tokens[who]))

    def http(self, method: str, path: str, who: str | None = "amina", **kwargs) -> httpx.Response:
        headers = {"Accept": MEDIA, **kwargs.pop("headers", {})}
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return httpx.request(method, f"{self.url}/taxii2/jirga/{path}", headers=headers, timeout=30, **kwargs)

    def add(self, collection_id: str, body, who: str = "amina", **headers) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.http("POST", f"collections/{collection_id}/objects/", who, content=content,
                         headers={"Content-Type": MEDIA, **headers})


class _Bearer(httpx.Auth):
    """Bearer auth for both httpx and requests (taxii2-client)."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def make_site(store: Store) -> Site:
    site = Site(store)
    boss = implicit_admin(store)
    local = store.local_org_id()
    partner = admin.add_org(store, boss, "Partner")
    outsider = admin.add_org(store, boss, "Outsider")
    for name, role, org in (("amina", "instance_admin", local), ("bilal", "analyst", local), ("vera", "viewer", local),
                            ("pavel", "analyst", partner), ("petra", "org_admin", partner),
                            ("olga", "analyst", outsider)):
        user_id = admin.add_user(store, boss, name, role, PASSWORD, org)
        site.viewers[name] = Viewer(user_id, org, role, name)
        if name == "amina":
            boss = site.viewers[name]
        site.tokens[name] = admin.create_token(store, site.viewers[name])[1]
    admin.add_group(store, site.viewers["amina"], GROUP, ["Partner"])
    return site


@pytest.fixture
def site(database_url):
    store = open_store(database_url)
    site = make_site(store)
    with serving(create_app(store=store)) as url:
        site.url = url
        yield site
    store.close()


def stored_rows(store: Store) -> list[tuple]:
    with store.session() as session:
        return [tuple(row) for row in session.execute(
            select(StixObject.collection, StixObject.stix_id, StixObject.version, StixObject.body,
                   StixObject.owner_org_id, StixObject.tlp, StixObject.sharing_group_id).order_by(StixObject.id))]


# 1. taxii2-client against Jirga's server


def test_taxii_client_discovery_collections_and_api_root(site):
    server = Server(f"{site.url}/taxii2/", user="amina", password=PASSWORD)  # HTTP Basic
    assert server.title == "Jirga" and len(server.api_roots) == 1
    root = server.default
    assert root.url == f"{site.url}/taxii2/jirga/"
    assert root.versions == [MEDIA] and root.max_content_length == 10 * 1024 * 1024
    assert [(c.id, c.can_read, c.can_write) for c in root.collections] == [
        (OPEN_COLLECTION, True, True), (GROUP_COLLECTION, True, True)]
    assert [(c.id, c.can_write) for c in site.root("vera").collections] == [(OPEN_COLLECTION, False),
                                                                          (GROUP_COLLECTION, False)]
    assert [c.id for c in site.root("olga").collections] == [OPEN_COLLECTION]  # not in the group
    assert site.collection(GROUP_COLLECTION, "pavel").title == f"Sharing group {GROUP}"


def test_taxii_client_adds_pages_and_reads_status(site):
    group = site.collection(GROUP_COLLECTION, "bilal")
    objects = [stix(tlp="amber", name=f"incident {i}") for i in range(25)]
    status = group.add_objects({"objects": objects})
    assert (status.status, status.total_count, status.success_count, status.failure_count) == ("complete", 25, 25, 0)
    again = site.root("bilal").get_status(status.id)
    assert again.success_count == 25 and {s["id"] for s in again.successes} == {o["id"] for o in objects}
    with pytest.raises(Exception, match="404"):  # another organisation does not read our status
        site.root("pavel").get_status(status.id)

    pages = list(as_pages(site.collection(GROUP_COLLECTION, "pavel").get_objects, per_request=10))
    assert [len(page["objects"]) for page in pages] == [10, 10, 5]
    assert [page["more"] for page in pages] == [True, True, False]
    assert [o for page in pages for o in page["objects"]] == objects  # unchanged, in the order added
    manifest = list(as_pages(group.get_manifest, per_request=7))
    records = [record for page in manifest for record in page["objects"]]
    assert [r["id"] for r in records] == [o["id"] for o in objects]
    assert {(r["version"], r["media_type"]) for r in records} == {("2026-01-02T03:04:05.000Z",
                                                                   "application/stix+json;version=2.1")}
    added = [r["date_added"] for r in records]
    assert added == sorted(added) and len(set(added)) == 25  # every object its own moment, in order


def test_taxii_client_versions_and_filters(site):
    group = site.collection(GROUP_COLLECTION, "bilal")
    first = stix(tlp="amber", modified="2026-01-02T00:00:00.000Z")
    second = dict(first, modified="2026-02-02T00:00:00.000Z", name="corrected")
    report = stix("report", tlp="green", published="2026-01-01T00:00:00Z", object_refs=[first["id"]])
    assert group.add_objects({"objects": [second, report]}).success_count == 2
    assert group.add_objects({"objects": [first]}).success_count == 1  # an older version, added later

    assert group.get_object(first["id"])["objects"] == [second]  # the latest by default
    assert group.get_object(first["id"], version="first")["objects"] == [first]
    assert group.get_object(first["id"], version="2026-01-02T00:00:00Z")["objects"] == [first]
    assert len(group.get_object(first["id"], version="all")["objects"]) == 2
    assert group.object_versions(first["id"])["versions"] == ["2026-02-02T00:00:00.000Z", "2026-01-02T00:00:00.000Z"]
    assert [o["id"] for o in group.get_objects(type="report")["objects"]] == [report["id"]]
    assert group.get_objects(id=first["id"])["objects"] == [second]
    assert group.get_objects(spec_version="2.0") == {"more": False}
    assert len(group.get_objects(version="all")["objects"]) == 3
    listed = httpx.get(f"{site.url}/taxii2/jirga/collections/{GROUP_COLLECTION}/objects/",
                       headers={"Accept": MEDIA, "Authorization": f"Bearer {site.tokens['bilal']}"},
                       params={"match[version]": "all"})
    middle = listed.headers["X-TAXII-Date-Added-First"]
    assert listed.headers["X-TAXII-Date-Added-Last"] > middle
    later = group.get_objects(added_after=middle, version="all")["objects"]
    assert later == [report, first]  # strictly after the first one added


def test_taxii_an_outsider_sees_neither_the_groups_collection_nor_its_objects(site):
    amber = stix(tlp="amber")
    assert site.collection(GROUP_COLLECTION, "bilal").add_objects({"objects": [amber]}).success_count == 1
    assert site.collection(GROUP_COLLECTION, "pavel").get_object(amber["id"])["objects"] == [amber]
    for path in (f"collections/{GROUP_COLLECTION}/", f"collections/{GROUP_COLLECTION}/objects/",
                 f"collections/{GROUP_COLLECTION}/manifest/", f"collections/{GROUP_COLLECTION}/objects/{amber['id']}/",
                 f"collections/{GROUP_COLLECTION}/objects/{amber['id']}/versions/"):
        answer = site.http("GET", path, "olga")
        assert answer.status_code == 404, (path, answer.text)
        assert answer.headers["content-type"] == MEDIA
        assert answer.json()["http_status"] == "404" and "collection" in answer.json()["description"]
    assert site.add(GROUP_COLLECTION, {"objects": [stix(tlp="amber")]}, "olga").status_code == 404
    assert site.http("GET", f"collections/{OPEN_COLLECTION}/objects/", "olga").json() == {"more": False}


def test_taxii_delete_is_for_an_admin_of_the_authors_organisation(site):
    group = site.collection(GROUP_COLLECTION, "pavel")
    obj = stix(tlp="amber")
    group.add_objects({"objects": [obj, dict(obj, modified="2026-03-01T00:00:00.000Z")]})
    path = f"collections/{GROUP_COLLECTION}/objects/{obj['id']}/"
    assert site.http("DELETE", path, "pavel").status_code == 403  # an analyst
    assert site.http("DELETE", path, "amina").status_code == 403  # an admin, of another organisation
    assert site.http("DELETE", path, "vera").status_code == 403  # reads only
    assert site.http("DELETE", path + "?match[version]=first", "petra").status_code == 200
    assert site.collection(GROUP_COLLECTION, "amina").object_versions(obj["id"])["versions"] == [
        "2026-03-01T00:00:00.000Z"]
    assert site.http("DELETE", path, "petra").status_code == 200
    assert site.http("GET", path, "petra").status_code == 404
    assert site.http("DELETE", path, "petra").status_code == 404


def test_taxii_signs_in_with_basic_or_a_token_and_refuses_anything_else(site):
    basic = base64.b64encode(f"bilal:{PASSWORD}".encode()).decode()
    assert site.http("GET", "collections/", None, headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert site.http("GET", "collections/", None, headers={"Authorization": f"Token {site.tokens['bilal']}"}
                     ).status_code == 200
    for header in (None, "Basic " + base64.b64encode(b"bilal:wrong password").decode(), "Bearer jirga_nope",
                   "Basic !!!", "Digest x"):
        answer = site.http("GET", "collections/", None, headers={"Authorization": header} if header else {})
        assert answer.status_code == 401, header
        assert answer.headers["www-authenticate"].startswith("Basic") and answer.headers["content-type"] == MEDIA
        assert set(answer.json()) == {"title", "description", "http_status"}


@pytest.mark.parametrize("accept", ["application/json", "application/taxii+json;version=2.0", "text/html"])
def test_taxii_refuses_an_accept_header_it_cannot_meet_with_406(site, accept):
    answer = site.http("GET", "collections/", headers={"Accept": accept})
    assert answer.status_code == 406 and answer.json()["http_status"] == "406"


@pytest.mark.parametrize("content_type", ["application/json", "application/taxii+json;version=2.0", None])
def test_taxii_refuses_an_add_in_another_media_type_with_415(site, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    answer = site.http("POST", f"collections/{OPEN_COLLECTION}/objects/", content=b'{"objects": []}', headers=headers)
    assert answer.status_code == 415, answer.text
    assert stored_rows(site.store) == []


def test_taxii_a_viewer_reads_but_does_not_write(site):
    answer = site.add(OPEN_COLLECTION, {"objects": [stix()]}, "vera")
    assert answer.status_code == 403 and "analyst" in answer.json()["description"]


# Hostile adds: a clear error, nothing already stored changes, the good objects of the same add are kept.


def _deep(levels: int) -> dict:
    value: object = 1
    for _ in range(levels):
        value = {"a": value}
    return value


WHOLE_REFUSALS = [
    ("not JSON", b"{'objects': [", 400, "not JSON"),
    ("not UTF-8", b'{"objects": ["\xff"]}', 400, "not UTF-8"),
    ("NaN", b'{"objects": [NaN]}', 400, "not JSON"),
    ("too deep to parse", b'{"objects": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, "nested too deeply"),
    ("a list", b"[]", 422, "not a TAXII envelope"),
    ("a STIX object", json.dumps(stix()).encode(), 422, "not a TAXII envelope"),
    ("objects not a list", b'{"objects": {"a": 1}}', 422, "no list of 'objects'"),
    ("too large", b'{"objects": [' + b'"x",' * 3_000_000 + b'"x"]}', 413, "bytes"),
]


@pytest.mark.parametrize("body,status,words", [case[1:] for case in WHOLE_REFUSALS],
                         ids=[case[0] for case in WHOLE_REFUSALS])
def test_taxii_an_add_that_cannot_be_read_is_refused_whole_and_changes_nothing(site, body, status, words):
    site.add(OPEN_COLLECTION, {"objects": [stix()]})
    before = stored_rows(site.store)
    answer = site.add(OPEN_COLLECTION, body)
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"] == MEDIA and words in answer.json()["description"]
    assert stored_rows(site.store) == before


def test_taxii_a_body_over_the_limit_is_refused_before_it_is_read(site):
    host, port = site.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"POST /taxii2/jirga/collections/{OPEN_COLLECTION}/objects/ HTTP/1.1\r\nHost: {host}\r\n"
                           f"Authorization: Bearer {site.tokens['amina']}\r\nContent-Type: {MEDIA}\r\n"
                           f"Content-Length: {11 * 1024 * 1024}\r\n\r\n{{\"objects\": [".encode())
        answer = connection.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


def test_taxii_each_bad_object_fails_alone_and_the_good_ones_are_kept(site):
    kept = stix()
    site.add(OPEN_COLLECTION, {"objects": [kept]})
    before = stored_rows(site.store)
    unknown = {"type": "x-partner-thing", "id": f"x-partner-thing--{uuid.uuid4()}", "spec_version": "2.1",
               "anything": {"nested": [1, 2.5, "three", None, True]}, "ünïcode": "ناشناخته"}
    good = [stix(name="good one"), unknown, stix("report", published="2026-01-01T00:00:00Z",
                                                 object_refs=[kept["id"]])]
    bad = {
        "no type": {k: v for k, v in stix().items() if k != "type"},
        "no id": {k: v for k, v in stix().items() if k != "id"},
        "no spec_version": {k: v for k, v in stix().items() if k != "spec_version"},
        "an id of another type": stix(ident=f"report--{uuid.uuid4()}"),
        "not a UUID": stix(ident="incident--1234"),
        "a bad type": dict(stix(), type="Incident!"),
        "STIX 2.0": dict(stix(), spec_version="2.0"),
        "a bad timestamp": stix(modified="yesterday"),
        "modified before created": stix(modified="2025-01-01T00:00:00.000Z"),
        "too deep": dict(stix(), x_deep=_deep(40)),
        "a known type without its required properties": {k: v for k, v in stix().items() if k != "name"},
        "RED": stix(tlp="red"),
        "AMBER outside a group": stix(tlp="amber"),
        "a changed object under a stored version": dict(kept, name="rewritten"),
        "a string": "incident",
        "a number": 5,
    }
    answer = site.add(OPEN_COLLECTION, {"objects": good + list(bad.values())}, "bilal")
    assert answer.status_code == 202, answer.text
    status = answer.json()
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (
        len(good) + len(bad), len(good), len(bad))
    messages = [failure["message"] for failure in status["failures"]]
    for words in ("no 'type'", "no 'id'", "no 'spec_version'", "is not 'incident--' followed by a UUID",
                  "not a STIX type", "spec_version '2.0' is not supported", "not a STIX timestamp",
                  "is before created", "levels deep", "name", "TLP:RED, which never leaves",
                  "TLP:AMBER, which this collection does not hold", "another object is stored with this id",
                  "not a str", "not a int"):
        assert any(words in message for message in messages), (words, messages)
    after = stored_rows(site.store)
    assert after[:len(before)] == before  # nothing stored changed
    assert [row[1] for row in after[len(before):]] == [obj["id"] for obj in good]
    served = site.collection(OPEN_COLLECTION).get_object(unknown["id"])["objects"]
    assert served == [unknown]  # an unknown type is kept and served back unchanged


def test_taxii_the_same_version_twice_stores_nothing_new(site):
    objects = [stix(), stix("x-custom", tlp=None)]
    first = site.add(OPEN_COLLECTION, {"objects": objects}).json()
    before = stored_rows(site.store)
    again = site.add(OPEN_COLLECTION, {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}).json()
    assert first["success_count"] == again["success_count"] == 2
    assert {s.get("message") for s in again["successes"]} == {"already stored"}
    assert stored_rows(site.store) == before


def test_taxii_an_id_another_organisation_stores_is_refused(site):
    obj = stix(tlp="amber")
    site.add(GROUP_COLLECTION, {"objects": [obj]}, "bilal")
    hijack = dict(obj, modified="2027-01-01T00:00:00.000Z", name="ours now")
    status = site.add(GROUP_COLLECTION, {"objects": [hijack]}, "pavel").json()
    assert status["failure_count"] == 1 and "another organisation's object" in status["failures"][0]["message"]


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "many"}, {"next": "not-a-token"},
                                    {"added_after": "last week"}, {"match[version]": "newest"},
                                    {"match[id]": "x" * 301}])
def test_taxii_bad_filters_are_a_400(site, params):
    answer = site.http("GET", f"collections/{OPEN_COLLECTION}/objects/", params=params)
    assert answer.status_code == 400 and answer.json()["http_status"] == "400"


def test_taxii_pages_are_keyset_pages_never_offset(site):
    """A page costs the same at any depth: the query seeks (date_added, id) on the collection's index."""
    site.add(OPEN_COLLECTION, {"objects": [stix() for _ in range(30)]})
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(site.store.engine, "before_cursor_execute", keep)
    try:
        pages = list(as_pages(site.collection(OPEN_COLLECTION).get_objects, per_request=7))
    finally:
        event.remove(site.store.engine, "before_cursor_execute", keep)
    assert sum(len(page.get("objects", [])) for page in pages) == 30
    reads = [(s, p) for s, p in statements if "FROM stix_objects" in s and "LIMIT" in s]
    assert len(reads) == 5
    # SQLite's dialect always writes OFFSET: it must be 0 (the keyset does the skipping)
    assert all("OFFSET" not in s or p[-1] == 0 for s, p in reads), reads
    if site.store.dialect == "sqlite":
        with site.store.engine.connect() as connection:
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM stix_objects WHERE collection = ? AND (date_added, id) > (?, ?) "
                "ORDER BY date_added, id LIMIT 10", (OPEN_COLLECTION, "2026-01-01", 0)).all()
        assert "ix_stix_objects_collection_added" in str(plan) and "TEMP B-TREE" not in str(plan)


def test_taxii_the_planner_knows_every_table_and_a_bulk_load(site):
    """PostgreSQL plans with the statistics of a table's last ANALYZE, and autovacuum may not have run (or never
    will, on a table of a few rows such as sharing_group_members): with guessed sizes, a page of a partner's 10,000
    objects was a sort of the whole collection, 20 times slower (benchmarks/taxii_vs_medallion.py). The store
    analyzes the tables that have no statistics when it opens, and a table after a bulk add."""
    inbox.publish(site.store, site.viewers["amina"], [stix() for _ in range(1200)], collection_id=OPEN_COLLECTION)
    if site.store.dialect != "postgresql":
        return
    with site.store.engine.connect() as connection:
        sizes = dict(connection.exec_driver_sql(
            "SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema()").all())
    assert sizes["stix_objects"] >= 1200
    assert [table for table, rows in sizes.items() if rows < 0] == []


# Publishing our own objects


def test_taxii_publish_routes_by_marking_and_versions_by_modified(site):
    amina = site.viewers["amina"]
    with site.store.session() as session:
        group_id = session.scalar(select(SharingGroup.id).where(SharingGroup.name == GROUP))
    incident = stix(tlp="amber")
    done = inbox.publish(site.store, amina, [incident, stix(tlp="green"), stix(tlp="red"), stix(tlp=None)],
                         group_id=group_id)
    assert (done.stored, done.unchanged) == (2, 0)
    assert [why.split(": ", 1)[1] for _, why in done.refused] == [
        "TLP:RED is never shared with another instance", "it carries no TLP marking: say which collection it goes in"]
    assert inbox.publish(site.store, amina, [incident], group_id=group_id).unchanged == 1
    newer = dict(incident, modified="2026-06-01T00:00:00.000Z", name="corrected")
    assert inbox.publish(site.store, amina, [newer], group_id=group_id).stored == 1
    assert site.collection(GROUP_COLLECTION, "pavel").get_object(incident["id"])["objects"] == [newer]
    assert site.collection(OPEN_COLLECTION, "olga").get_objects()["objects"][0]["object_marking_refs"] == [
        TLP2_MARKING_IDS["green"]]
    rows = [row for row in stored_rows(site.store) if row[1] == incident["id"]]
    assert {(row[4], row[5], row[6]) for row in rows} == {(amina.org_id, "amber", group_id)}
    with pytest.raises(Exception, match="analyst"):
        inbox.publish(site.store, site.viewers["vera"], [stix()], collection_id=OPEN_COLLECTION)


# 2. Jirga's client against medallion


def jirga(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jirga.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=300)


def test_taxii_sync_pulls_from_and_pushes_to_medallion(tmp_path):
    remote_id = str(uuid.uuid4())
    theirs = [stix(tlp="green", name=f"medallion {i}") for i in range(12)] + [stix(tlp="red")]
    database = str(tmp_path / "jirga.db")
    store = open_store(database)
    ours = stix(tlp="green", name="ours")
    inbox.publish(store, implicit_admin(store), [ours], collection_id=OPEN_COLLECTION)
    store.close()
    with serving_medallion(tmp_path / "medallion", [{"id": remote_id, "title": "Feed", "can_read": True,
                                                      "can_write": True, "objects": copy.deepcopy(theirs)}],
                           page_size=5) as url:
        env = {"JIRGA_PEER_PASSWORD": "pass"}
        added = jirga("peer", "add", "med", url, "--user", "user", "--db", database, **env)
        assert added.returncode == 0, added.stderr
        pulled = jirga("sync", "pull", "med", "--collection", remote_id, "--into", OPEN_COLLECTION, "--db", database)
        assert pulled.returncode == 1, pulled.stderr  # the RED object is refused, and said so
        assert "13 objects, 12 new, 0 already there, 1 refused" in pulled.stdout
        assert "TLP:RED, which never leaves" in pulled.stderr
        again = jirga("sync", "pull", "med", "--collection", remote_id, "--into", OPEN_COLLECTION, "--db", database)
        assert "12 new" not in again.stdout and ", 0 new," in again.stdout, again.stdout
        store = open_store(database)
        assert {row[1] for row in stored_rows(store)} == {o["id"] for o in theirs[:12]} | {ours["id"]}
        store.close()

        # Push needs a collection of the same id there: medallion's own id is not ours, so make one.
        with serving_medallion(tmp_path / "second", [{"id": OPEN_COLLECTION, "title": "Open", "can_read": True,
                                                      "can_write": True}]) as second:
            assert jirga("peer", "add", "med2", second, "--user", "user", "--db", database, **env).returncode == 0
            pushed = jirga("sync", "push", "med2", "--db", database)
            assert pushed.returncode == 0, pushed.stderr
            assert "13 objects, 13 new" in pushed.stdout
            there = Collection(f"{second}collections/{OPEN_COLLECTION}/", user="user", password="pass")
            got = [o for page in as_pages(there.get_objects, per_request=5) for o in page.get("objects", [])]
            assert {o["id"] for o in got} == {o["id"] for o in theirs[:12]} | {ours["id"]}
            assert "0 objects" in jirga("sync", "push", "med2", "--db", database).stdout  # nothing new to send


# 3. Two Jirga instances


def two_instances(tmp_path):
    """A and B, each with its local organisation, the other registered as a partner, a sharing group G of both, and
    a sync user of B's organisation on A (and of A's on B) whose token the other instance keeps."""
    made = {}
    for here, there in (("A", "B"), ("B", "A")):
        store = open_store(str(tmp_path / f"{here}.db"))
        boss = implicit_admin(store)
        local = store.local_org_id()
        with store.session() as session:
            session.get(Organisation, local).name = f"Org {here}"
        admin_id = admin.add_user(store, boss, f"admin{here}", "instance_admin", PASSWORD, local)
        boss = Viewer(admin_id, local, "instance_admin", f"admin{here}")
        partner = admin.add_org(store, boss, f"Org {there}")
        admin.add_group(store, boss, "G", [f"Org {there}"])
        sync_id = admin.add_user(store, boss, f"sync{there}", "analyst", PASSWORD, partner)
        made[here] = {"store": store, "admin": boss, "admin_token": admin.create_token(store, boss)[1],
                      "sync_token": admin.create_token(store, Viewer(sync_id, partner, "analyst", f"sync{there}"))[1]}
    return made


def test_taxii_two_instances_share_through_group_g_and_pulling_twice_stores_nothing(tmp_path):
    made = two_instances(tmp_path)
    a, b = made["A"], made["B"]
    with a["store"].session() as session:
        g_on_a = session.scalar(select(SharingGroup.id).where(SharingGroup.name == "G"))
    shared = [stix(tlp="amber", name=f"shared {i}") for i in range(30)] + [stix(tlp="green")]
    secret = stix(tlp="red", name="never leaves A")
    done = inbox.publish(a["store"], a["admin"], [*shared, secret], group_id=g_on_a)
    assert done.stored == 31 and len(done.refused) == 1
    (tmp_path / "token").write_text(a["sync_token"])  # what A gave B
    with serving(create_app(store=a["store"])) as url_a:
        env = {"JIRGA_TOKEN": b["admin_token"]}
        added = jirga("peer", "add", "a", f"{url_a}/taxii2/jirga/", "--org", "Org A", "--token-file",
                      str(tmp_path / "token"), "--db", str(tmp_path / "B.db"), **env)
        assert added.returncode == 0, added.stderr
        first = jirga("sync", "pull", "a", "--db", str(tmp_path / "B.db"), **env)
        assert first.returncode == 0, first.stderr
        assert f"Sharing group G ({GROUP_ID_G}): 30 objects, 30 new" in first.stdout
        assert f"CLEAR and GREEN ({OPEN_COLLECTION}): 1 objects, 1 new" in first.stdout
        again = jirga("sync", "pull", "a", "--db", str(tmp_path / "B.db"), **env)
        assert again.returncode == 0 and ", 0 new," in again.stdout and " new," in again.stdout
        assert "30 new" not in again.stdout
        listed = jirga("peer", "list", "--format", "json", "--db", str(tmp_path / "B.db"), **env)
        assert json.loads(listed.stdout)[0]["signs in with"] == "token"
    rows = stored_rows(b["store"])
    with b["store"].session() as session:
        org_a_on_b = session.scalar(select(Organisation.id).where(Organisation.name == "Org A"))
    assert {row[1] for row in rows} == {o["id"] for o in shared}
    assert secret["id"] not in {row[1] for row in rows}
    assert {row[4] for row in rows} == {org_a_on_b}  # A's, as the peer names it
    assert {row[5] for row in rows} == {"amber", "green"}
    for instance in made.values():
        instance["store"].close()


def test_taxii_pull_resumes_from_its_cursor(tmp_path):
    made = two_instances(tmp_path)
    a, b = made["A"], made["B"]
    published = [stix(tlp="green", name=f"n{i}") for i in range(7)]
    inbox.publish(a["store"], a["admin"], published[:4], collection_id=OPEN_COLLECTION)
    with serving(create_app(store=a["store"])) as url_a:
        peer = sync.add_peer(b["store"], b["admin"], "a", f"{url_a}/taxii2/jirga/",
                             signin=sync.credential(token=a["sync_token"]))
        assert peer.org_id is None
        tally = sync.pull(b["store"], b["admin"], "a", collection=OPEN_COLLECTION)[0]
        assert (tally.received, tally.stored) == (4, 4)
        inbox.publish(a["store"], a["admin"], published[4:], collection_id=OPEN_COLLECTION)
        tally = sync.pull(b["store"], b["admin"], "a", collection=OPEN_COLLECTION)[0]
        assert (tally.received, tally.stored, tally.unchanged) == (4, 3, 1)  # the last one again, and the new ones
        with pytest.raises(Exception, match="cannot reach it"):
            bad = sync.add_peer(b["store"], b["admin"], "nowhere", "http://127.0.0.1:9/taxii2/jirga/",
                                signin=sync.credential(token="x"))
            sync.pull(b["store"], b["admin"], bad.name)
    assert {row[1] for row in stored_rows(b["store"])} == {o["id"] for o in published}
    for instance in made.values():
        instance["store"].close()


def test_taxii_commands_are_in_the_docs():
    text = (ROOT / "docs" / "sharing.md").read_text()
    for command in ("jirga peer add", "jirga peer list", "jirga sync pull", "jirga sync push", "jirga collections"):
        assert command in text


def test_taxii_request_timestamp_is_recent(site):
    status = site.add(OPEN_COLLECTION, {"objects": [stix()]}).json()
    moment = dt.datetime.strptime(status["request_timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 60
