"""Sharing between instances, STIX side (issue 16): what an organisation publishes, as the OASIS validator and a
second instance read it; what each audience receives (never TLP:RED, never everyone by mistake); versions; and
a receiver that keeps a partner's valid objects, fuses its incidents with its own, and rejects each bad object
with its id and the reason.

Each test builds its organisations as separate stores (their own databases, as separate instances are), each with
its own key directory."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from stix2validator import ValidationOptions, validate_instance, validate_string

from jirga.access import Viewer
from jirga.access.admin import add_group, add_org
from jirga.access.auth import implicit_admin
from jirga.access.rules import Audience
from jirga.db import Store, open_store
from jirga.db.schema import Claim, Incident, Organisation, Report
from jirga.db.share_schema import StixObject
from jirga.errors import BadInput, GroupError
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.model.tlp import TLP2_MARKING_IDS
from jirga.pipeline.ingest import Ingest, IngestOptions
from jirga.share import audience, bundle_text, keys, publish, read_bundle, receive, shared, signing
from jirga.share.definitions import EXTENSION_ID, SIGNATURE_EXTENSION_ID, is_well_known, schema_digest
from jirga.store.queries import get_incident
from tests.conftest import EXAMPLES, run_jirga
from tests.test_fuse import HOSPITAL_A, HOSPITAL_B

REPORTS = EXAMPLES / "reports"
DAY = dt.date(2016, 8, 9)
RED_TEXT = ("Informant says commander Nightjar moved to Chaman\n\nCHAMAN — A source inside the group says its "
            "commander, known as Nightjar, moved to Chaman on Monday after the Quetta hospital bombing that killed 70 "
            "people.")


@dataclass
class Org:
    """One instance: its store, its local organisation acting as the implicit admin, its key directory."""

    name: str
    store: Store
    viewer: Viewer
    key_dir: Path

    def ingest(self, reports: list[IncomingReport], **options) -> None:
        errors: list[str] = []
        run = Ingest(self.store, IngestOptions(workers=1, **options), errors.append)
        assert not run.run(reports).failed, errors

    def org_id(self, name: str) -> int:
        with self.store.session() as session:
            return session.scalar(select(Organisation.id).where(Organisation.name == name))

    def export(self, who: Audience) -> bytes:
        publish(self.store, self.viewer, key_dir=self.key_dir)
        return bundle_text(shared(self.store, self.viewer, who)).encode("utf-8")

    def receive(self, data: bytes, **options):
        return receive(self.store, self.viewer, read_bundle(data), **options)


def make_org(url: str, name: str, tmp_path: Path, *, key: bool = True) -> Org:
    store = open_store(url)
    viewer = implicit_admin(store)
    with store.session() as session:
        session.get(Organisation, viewer.org_id).name = name
    org = Org(name, store, viewer, tmp_path / f"keys-{name}")
    if key:
        keys.generate(store, viewer, org.key_dir)
    return org


def trust(receiver: Org, author: Org) -> None:
    """The receiver registers the author's public key, as `jirga key register` does."""
    keys.register(receiver.store, receiver.viewer, author.name, keys.card(author.store, author.viewer))


def objects(data: bytes) -> list[dict]:
    return json.loads(data)["objects"]


def hospital(text: str, source: str) -> IncomingReport:
    return IncomingReport(text, source, source=source, published=DAY)


def organisations(tmp_path: Path):
    """`make(name[, url])` makes an organisation's instance (SQLite in tmp_path unless a URL is given); all are
    closed afterwards."""
    made: list[Org] = []

    def make(name: str, url: str | None = None, **options) -> Org:
        org = make_org(url or f"sqlite:///{tmp_path / (name + '.db')}", name, tmp_path, **options)
        made.append(org)
        return org

    yield make
    for org in made:
        org.store.close()


@pytest.fixture
def orgs(tmp_path):
    yield from organisations(tmp_path)


# What is published, as the OASIS validator reads it


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The bundled examples ingested by organisation A as TLP:GREEN, the hospital report as TLP:AMBER for a group
    with partner B, and a TLP:RED report; published."""
    tmp = tmp_path_factory.mktemp("library")
    org = make_org(f"sqlite:///{tmp / 'a.db'}", "A", tmp)
    partner = add_org(org.store, org.viewer, "B")
    add_group(org.store, org.viewer, "Quetta cell", ["B"])
    org.ingest(read_inputs([str(EXAMPLES)], detect_language=False), tlp="green", source="Sample wire",
               reliability="B", metadata=read_metadata(REPORTS / "metadata.csv"))
    with org.store.session() as session:
        group = session.scalar(select(func.min(StixObject.id)))  # nothing published yet
        assert group is None
    from jirga.access.rules import member_group

    with org.store.session() as session:
        group_id = member_group(session, org.viewer.org_id, "Quetta cell")
    org.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="amber", group=group_id, reliability="B")
    org.ingest([IncomingReport(RED_TEXT, "informant", source="Field office", published=DAY)], tlp="red")
    published = publish(org.store, org.viewer, key_dir=org.key_dir)
    yield org, group_id, partner, published
    org.store.close()


AUDIENCES = {"clear": Audience(tlp="clear"), "green": Audience(tlp="green"), "group": None}


@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_share_stix_every_exported_bundle_passes_the_oasis_validator(library, name):
    org, group_id, _, _ = library
    who = AUDIENCES[name] or Audience(group_id=group_id)
    text = bundle_text(shared(org.store, org.viewer, who))
    result = validate_string(text, ValidationOptions(version="2.1"))
    errors = [str(error) for error in result.errors or []]
    assert result.is_valid and not errors, errors[:5]
    # Best practices too: the only warnings left are that a report's link carries no hash of the page, which
    # Jirga does not keep (302), and that relations between groups (allied-with, splinter-of) are not among the
    # relationship types STIX suggests for intrusion-sets (202: STIX allows any; "related-to" would lose them).
    warnings = {str(w).split("{")[1][:3] for w in result.warnings or []}
    assert warnings <= {"302", "202"}, [str(w) for w in result.warnings][:5]
    assert all(str(w).startswith("relationship--") for w in result.warnings or [] if "{202}" in str(w))
    for obj in json.loads(text).get("objects", []):
        one = validate_instance(obj, ValidationOptions(version="2.1"))
        assert one.is_valid and not one.errors, (obj["id"], [str(e) for e in one.errors])


def test_share_stix_maps_reports_incidents_places_actors_and_organisations(library):
    org, _, _, published = library
    assert published.new > 50 and published.changed == 0
    found = objects(bundle_text(shared(org.store, org.viewer, Audience(tlp="green"))).encode())
    kinds = {obj["type"] for obj in found}
    assert {"identity", "report", "incident", "location", "intrusion-set", "marking-definition",
            "extension-definition"} <= kinds
    wedding = next(obj for obj in found if obj["type"] == "incident" and "Kabul" in obj["name"]
                   and obj["extensions"][EXTENSION_ID].get("date", {}).get("start") == "2019-08-17")
    ext = wedding["extensions"][EXTENSION_ID]
    assert ext["kind"] == "attack" and ext["attack_type"] == "suicide_bombing"
    assert ext["date"]["precision"] == "day" and ext["place"]["precision"] == "city"
    with org.store.session() as session:  # all its claims are TLP:GREEN: the summary is the stored one
        row = session.scalar(select(Incident).where(Incident.uuid == ext["incident"]))
        assert (ext["killed"]["best"], ext["injured"]["best"]) == (row.killed_best, row.injured_best) == (64, 182)
        assert ext["report_count"] == row.report_count
    assert {claim["field"] for claim in ext["claims"]} >= {"kind", "date", "place", "killed", "responsibility"}
    by_id = {obj["id"]: obj for obj in found}
    for claim in ext["claims"]:
        report = by_id[claim["report_ref"]]  # every claim's report travels with it
        assert claim["source"] == "Sample wire" and claim["reliability"] == "B"
        if "span" in claim:
            start, end = claim["span"]
            assert report["description"][start:end] == claim["text"]
    assert by_id[ext["location_ref"]]["extensions"][EXTENSION_ID]["precision"] == "city"
    claimed = next(actor for actor in ext["claimed_by"] if actor["actor_id"] == "iskp")
    assert "ISKP" in by_id[claimed["intrusion_set_ref"]]["aliases"]
    author = by_id[wedding["created_by_ref"]]
    assert author["type"] == "identity" and author["name"] == "A" and author["identity_class"] == "organization"
    assert wedding["object_marking_refs"] == [TLP2_MARKING_IDS["green"]]
    assert all(obj["extensions"][SIGNATURE_EXTENSION_ID]["kid"] for obj in found
               if obj.get("created_by_ref") == author["id"])


def test_share_stix_nothing_red_ever_leaves_and_amber_goes_to_its_group_only(library):
    org, group_id, _, _ = library
    with org.store.session() as session:
        assert session.scalar(select(func.count()).select_from(StixObject).where(StixObject.tlp == "red")) == 0
        red_report = session.scalar(select(Report.uuid).where(Report.tlp == "red"))
    green = bundle_text(shared(org.store, org.viewer, Audience(tlp="green")))
    group = bundle_text(shared(org.store, org.viewer, Audience(group_id=group_id)))
    everyone = bundle_text(shared(org.store, org.viewer, Audience(tlp="clear")))
    for text in (green, group, everyone):
        assert "Nightjar" not in text and red_report not in text
    markings = {name: {ref for obj in objects(text.encode()) if not is_well_known(obj["id"])
                       for ref in obj["object_marking_refs"]} for name, text in
                (("green", green), ("group", group), ("everyone", everyone))}
    level = {marking: name for name, marking in TLP2_MARKING_IDS.items()}
    assert {level[ref] for ref in markings["everyone"]} == {"clear"}
    assert {level[ref] for ref in markings["green"]} == {"clear", "green"}
    assert {level[ref] for ref in markings["group"]} == {"clear", "green", "amber"}
    assert "Civil Hospital in Quetta" in group and "Civil Hospital in Quetta" not in green


def test_share_stix_an_unknown_or_empty_group_shares_with_no_one(library, tmp_path):
    org, _, _, _ = library
    with pytest.raises(GroupError, match="no sharing group called 'Nobody'"):
        audience(org.store, org.viewer, group="Nobody")
    add_group(org.store, org.viewer, "Alone", [])
    with pytest.raises(GroupError, match="shares with no one"):
        audience(org.store, org.viewer, group="Alone")
    with pytest.raises(BadInput, match="only clear or green"):
        audience(org.store, org.viewer, tlp="amber")
    with pytest.raises(BadInput, match="say who receives it"):
        audience(org.store, org.viewer)


def test_share_stix_the_extension_schema_is_pinned_to_its_version():
    # Changing a schema means a new extension version (definitions.EXTENSION_VERSION and DEFINED) and new digests.
    assert schema_digest("jirga-extension.json") == PINNED["jirga-extension.json"]
    assert schema_digest("signature-extension.json") == PINNED["signature-extension.json"]


PINNED = {"jirga-extension.json": "f735a9dc4d53f01c83a62450fdf465cfeb9979eb1728810a92b0e6a356974c6d",
          "signature-extension.json": "ca79259d18c717664358eece68d59e6aea8931a281e06c35155235bf3d34ab55"}


# Two instances


def test_share_stix_round_trip_a_partners_incident_joins_ours_with_its_figures_and_author(orgs, database_url):
    a = orgs("A")
    b = orgs("B", database_url)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green", reliability="B")
    b.ingest([hospital(HOSPITAL_B, "Reuters")], tlp="green", reliability="A")
    trust(b, a)
    done = b.receive(a.export(Audience(tlp="green")))
    assert not done.rejected and done.authors == {"A": done.stored}
    assert done.reports == 1 and done.claims > 0 and len(done.incidents) == 1
    with b.store.session() as session:
        incident = get_incident(session, next(iter(done.incidents)), viewer=b.viewer)
        figures = {(c.report.source.name, c.value["best"]) for c in incident.claims if c.field == "killed"}
        assert figures == {("Reuters", 74), ("Dawn", 70)}  # side by side, in one incident
        assert incident.report_count == 2 and incident.killed_low == 70 and incident.killed_high == 74
        partner = {c.origin for c in incident.claims if c.report.owner_org_id == b.org_id("A")}
        assert partner == {"partner"}
        stored = session.scalars(select(StixObject).where(StixObject.type == "incident")).all()
        assert {row.author_org_id for row in stored} == {b.org_id("A")}
        assert session.scalar(select(func.count()).select_from(Report)
                              .where(Report.owner_org_id == b.org_id("A"))) == 1
    again = b.receive(a.export(Audience(tlp="green")))  # pulling twice stores nothing new
    assert again.stored == 0 and again.claims == 0 and not again.rejected


def test_share_stix_a_changed_incident_is_a_new_version_with_the_same_id(orgs):
    a = orgs("A")
    b = orgs("B")
    trust(b, a)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    first = {obj["id"]: obj for obj in objects(a.export(Audience(tlp="green"))) if obj["type"] == "incident"}
    b.receive(a.export(Audience(tlp="green")))
    a.ingest([hospital(HOSPITAL_B, "Reuters")], tlp="green")  # joins A's incident
    second = {obj["id"]: obj for obj in objects(a.export(Audience(tlp="green"))) if obj["type"] == "incident"}
    assert set(first) == set(second)  # the same id ...
    (key,) = first
    assert second[key]["modified"] > first[key]["modified"]  # ... a later version
    assert second[key]["created"] == first[key]["created"]
    claims = [version[key]["extensions"][EXTENSION_ID]["claims"] for version in (first, second)]
    assert len(claims[1]) > len(claims[0])
    done = b.receive(a.export(Audience(tlp="green")))
    assert not done.rejected and done.reports == 1
    with b.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1  # followed, not duplicated
        assert session.scalar(select(func.count()).select_from(StixObject).where(StixObject.stix_id == key)) == 2
        killed = sorted(v["best"] for v in session.scalars(select(Claim.value).where(Claim.field == "killed")))
        assert killed == [70, 74]
    replay = b.receive(json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6a",
                                   "objects": [first[key]]}).encode())
    assert replay.rejected == [(key, replay.rejected[0][1])] and "older version" in replay.rejected[0][1]


def test_share_stix_amber_needs_a_group_that_holds_author_and_receiver(orgs):
    a = orgs("A")
    b = orgs("B")
    trust(b, a)
    add_org(a.store, a.viewer, "B")
    add_group(a.store, a.viewer, "Quetta cell", ["B"])
    from jirga.access.rules import member_group

    with a.store.session() as session:
        group_a = member_group(session, a.viewer.org_id, "Quetta cell")
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="amber", group=group_a)
    data = a.export(audience(a.store, a.viewer, group="Quetta cell"))
    refused = b.receive(data)
    assert refused.stored == 1  # A's identity (TLP:CLEAR); the rest is TLP:AMBER
    assert refused.rejected and all("needs the sharing group" in why for _, why in refused.rejected)
    add_group(b.store, b.viewer, "Elsewhere", [])  # a group of B's without A
    with b.store.session() as session:
        elsewhere = member_group(session, b.viewer.org_id, "Elsewhere")
    wrong = b.receive(data, group=elsewhere)
    assert any("does not hold its author A" in why for _, why in wrong.rejected)
    add_group(b.store, b.viewer, "Quetta cell", ["A"])
    with b.store.session() as session:
        cell = member_group(session, b.viewer.org_id, "Quetta cell")
    done = b.receive(data, group=cell)
    assert not done.rejected and done.claims > 0
    with b.store.session() as session:
        rows = session.scalars(select(Report).where(Report.owner_org_id == b.org_id("A"))).all()
        assert [(r.tlp, r.sharing_group_id) for r in rows] == [("amber", cell)]


# What a receiver refuses


def signed(org: Org, obj: dict) -> dict:
    return signing.sign(obj, keys.signer(org.store, org.viewer, org.key_dir))


def test_share_stix_each_bad_object_is_rejected_with_its_id_and_reason_and_the_rest_kept(orgs):
    a = orgs("A")
    b = orgs("B")
    c = orgs("C")
    trust(b, a)
    trust(b, c)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    good = objects(a.export(Audience(tlp="green")))
    report = next(obj for obj in good if obj["type"] == "report")
    author = report["created_by_ref"]
    base = {"type": "incident", "spec_version": "2.1", "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z", "name": "x", "object_marking_refs": [TLP2_MARKING_IDS["green"]]}

    def made(number: int, **extra) -> dict:
        return base | {"id": f"incident--00000000-0000-4000-8000-{number:012d}"} | extra

    stray = signing.generate()
    unknown = signing.Signer(stray, signing.thumbprint(stray), author)
    bad = {
        "unsigned": made(1, created_by_ref=author),
        "claims A, signed by C": signed(c, made(2)) | {"created_by_ref": author},
        "unknown key": signing.sign(made(3), unknown),
        "red": signed(a, made(4, object_marking_refs=[TLP2_MARKING_IDS["red"]])),
        "unknown marking": signed(a, made(5, object_marking_refs=[
            "marking-definition--11111111-2222-4333-8444-555555555555"])),
        "not STIX 2.1": signed(a, made(6, created="yesterday")),
        "spec 2.0": signed(a, made(7)) | {"spec_version": "2.0"},
        "C's id": None,  # filled below: an id C's object has here already
        "altered": None,
        "bad extension": signed(a, made(8, extensions={EXTENSION_ID: {"extension_type": "property-extension",
                                                                       "incident": "x", "kind": "attack"}})),
        "deep": None,
    }
    claimed_by_c = signed(c, made(9))
    assert not b.receive(json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6a",
                                     "objects": [claimed_by_c]}).encode()).rejected
    bad["C's id"] = signed(a, made(9))
    bad["altered"] = signed(a, made(10)) | {"name": "y"}
    deep: dict = {"x": 1}
    for _ in range(60):
        deep = {"x": deep}
    bad["deep"] = signed(a, made(11, x_deep=deep))
    bundle = {"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6b", "objects": [*good, *bad.values()]}
    text = json.dumps(bundle)
    text = text.replace('"objects": [', '"objects": [{"type": "incident", "id": "incident--00000000-0000-4000-8000-'
                        '000000000012", "name": "a", "name": "b"}, ', 1)  # a key twice
    done = b.receive(text.encode())
    reasons = dict(done.rejected)
    expect = {
        "unsigned": "not signed", "claims A, signed by C": "signed with C's key",
        "unknown key": "has not registered", "red": "TLP:RED", "unknown marking": "does not know",
        "not STIX 2.1": "not valid STIX 2.1", "spec 2.0": "not STIX 2.1", "C's id": "another author's object",
        "altered": "does not verify", "bad extension": "does not follow its schema", "deep": "nested more than",
    }
    for name, obj in bad.items():
        assert expect[name] in reasons.get(obj["id"], ""), (name, reasons.get(obj["id"]))
    assert "appears twice" in reasons["incident--00000000-0000-4000-8000-000000000012"]
    assert len(done.rejected) == len(bad) + 1
    assert done.stored == len([obj for obj in good if not is_well_known(obj["id"])])
    assert done.claims > 0  # the valid ones were kept and fused


def test_share_stix_a_taxii_envelope_is_read_like_a_bundle():
    from jirga.share import read_envelope

    items = read_envelope(b'{"more": false, "objects": [{"type": "x-thing", "id": "x-thing--6f4b7a6e-5b8e-4f4e-9b0a-'
                          b'1f2e3d4c5b6a"}, 7]}')
    assert [item.where for item in items] == ["x-thing--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6a", "object 2"]
    with pytest.raises(BadInput, match="'objects' is not a list"):
        read_envelope(b'{"objects": {}}')


def test_share_stix_a_bundle_that_cannot_be_read_is_refused_whole():
    for data, why in ((b"\xff\xfe", "not valid UTF-8"), (b'{"type": "bundle", "objects": [', "not valid JSON"),
                      (b'{"type": "report"}', "not a STIX bundle"), (b"[" * 100_000, "not valid JSON")):
        with pytest.raises(BadInput, match=why):
            read_bundle(data, "b.json")


def test_share_stix_a_partners_object_is_stored_byte_for_byte(orgs):
    a = orgs("A")
    b = orgs("B")
    trust(b, a)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    data = a.export(Audience(tlp="green"))
    spaced = json.dumps(json.loads(data), indent=3, ensure_ascii=True).encode()  # another writer's layout
    done = b.receive(spaced)
    assert not done.rejected
    texts = [item.raw for item in read_bundle(spaced)]
    with b.store.session() as session:
        bodies = set(session.scalars(select(StixObject.body)))
    assert bodies <= set(texts) and len(bodies) == done.stored


def test_share_cli_export_and_import(tmp_path):
    a_db, b_db = tmp_path / "a.db", tmp_path / "b.db"
    env_a = {"JIRGA_ORGANISATION": "A"}
    report = tmp_path / "hospital.txt"
    report.write_text(HOSPITAL_A)
    for args in (("ingest", str(report), "--tlp", "green", "--published", "2016-08-09", "--db", str(a_db)),
                 ("key", "generate", "--db", str(a_db), "--key-dir", str(tmp_path / "keys"))):
        assert run_jirga(*args, env=env_a).returncode == 0
    card = run_jirga("key", "show", "--db", str(a_db), env=env_a)
    assert json.loads(card.stdout)["organisation"] == "A"
    (tmp_path / "a.jwk").write_text(card.stdout)
    out = tmp_path / "bundle.json"
    exported = run_jirga("export", "--tlp", "green", "--out", str(out), "--db", str(a_db), "--key-dir",
                         str(tmp_path / "keys"), env=env_a)
    assert exported.returncode == 0, exported.stderr
    nobody = run_jirga("export", "--group", "Nobody", "--out", str(tmp_path / "no.json"), "--db", str(a_db),
                       "--key-dir", str(tmp_path / "keys"), env=env_a)
    assert nobody.returncode == 2 and "no sharing group" in nobody.stderr and not (tmp_path / "no.json").exists()
    env_b = {"JIRGA_ORGANISATION": "B"}
    unknown = run_jirga("import", str(out), "--db", str(b_db), env=env_b)
    assert unknown.returncode == 1 and "is no organisation registered here" in unknown.stderr
    registered = run_jirga("key", "register", "A", "--key", str(tmp_path / "a.jwk"), "--db", str(b_db), env=env_b)
    assert registered.returncode == 0, registered.stderr
    flipped = out.read_text().replace("killing 70 people", "killing 07 people")
    (tmp_path / "flipped.json").write_text(flipped)
    done = run_jirga("import", str(tmp_path / "flipped.json"), "--db", str(b_db), env=env_b)
    assert done.returncode == 1 and "does not verify" in done.stderr
    assert done.stderr.count("jirga import: report--") == 1
    done = run_jirga("import", str(out), "--db", str(b_db), env=env_b)
    assert done.returncode == 0 and "verified authors A:" in done.stdout, done.stderr


def test_share_stix_a_partner_adding_its_own_objects_as_a_user_here_is_stored(orgs):
    """The TAXII add path: the one who sends is a partner's user on this instance, adding what that partner
    authored (the receiver is not the author, however the sender signs in)."""
    from jirga.access.admin import add_user

    a, b = orgs("A"), orgs("B")
    trust(b, a)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    boss = Viewer(add_user(b.store, b.viewer, "boss", "instance_admin", "correct horse battery staple"),
                  b.viewer.org_id, "instance_admin", "boss")
    partner = b.org_id("A")
    pavel = Viewer(add_user(b.store, boss, "pavel", "analyst", "correct horse battery staple", partner), partner,
                   "analyst", "pavel")
    done = receive(b.store, pavel, read_bundle(a.export(Audience(tlp="green"))), sender=partner)
    assert not done.rejected and done.authors == {"A": done.stored} and done.claims > 0


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(JSON_VALUES, max_size=4), st.sampled_from([None, 0, 2]), st.booleans())
def test_share_stix_reading_a_bundle_keeps_each_objects_exact_text(values, indent, ascii_only):
    """Whatever the writer's layout, each element of `objects` comes back parsed as written, with its exact text."""
    text = json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6a", "objects": values},
                      indent=indent, ensure_ascii=ascii_only)
    items = read_bundle(text.encode())
    assert [item.obj for item in items] == values
    assert all(json.loads(item.raw) == item.obj and item.raw in text for item in items)


def test_share_stix_a_signed_report_from_other_tools_is_read_by_our_extractor(orgs):
    """No Jirga extension, so no claims: its text goes through ingest like a STIX bundle's, the author as source."""
    a, b = orgs("A"), orgs("B")
    trust(b, a)
    title, _, body = HOSPITAL_A.partition("\n\n")
    plain = {"type": "report", "spec_version": "2.1", "id": "report--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6d",
             "created": "2016-08-09T10:00:00.000Z", "modified": "2016-08-09T10:00:00.000Z", "name": title,
             "description": body, "published": "2016-08-09T00:00:00Z", "report_types": ["threat-report"],
             "object_refs": ["identity--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6e"],
             "object_marking_refs": [TLP2_MARKING_IDS["green"]]}
    obj = signing.sign(plain, keys.signer(a.store, a.viewer, a.key_dir))
    done = b.receive(json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6f",
                                 "objects": [obj]}).encode())
    assert not done.rejected and done.stored == 1 and done.reports == 1
    with b.store.session() as session:
        report = session.scalar(select(Report).where(Report.owner_org_id == b.org_id("A")))
        assert report.source.name == "A" and report.tlp == "green" and report.published == DAY
        killed = session.scalars(select(Claim.value).where(Claim.report_id == report.id, Claim.field == "killed"))
        assert [value["best"] for value in killed] == [70]
