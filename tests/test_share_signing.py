"""Signatures on shared objects (issue 16): canonical JSON, detached Ed25519 JWS, verification against the
author's registered key history (never the sender's), rotation, private keys kept outside the database, and the
registration of partners' keys (instance admins only, audited)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest
from sqlalchemy import select

from jirga.access import PermissionDenied, Viewer
from jirga.access.admin import add_user
from jirga.access.rules import Audience
from jirga.db.access_schema import AuditEntry
from jirga.db.share_schema import OrgKey, StixObject
from jirga.errors import BadInput, Conflict
from jirga.share import keys, signing
from jirga.share.canonical import canonical, loads
from jirga.share.definitions import SIGNATURE_EXTENSION_ID, timestamp
from tests.test_share_stix import HOSPITAL_A, hospital, objects, organisations, trust


@pytest.fixture
def orgs(tmp_path):
    yield from organisations(tmp_path)


OBJECT = {"type": "incident", "spec_version": "2.1", "id": "incident--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6a",
          "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Bombing in Quetta",
          "description": "Tötet 70 — Quetta", "extensions": {"extension-definition--x": {"extension_type": "x"}}}


def signer() -> signing.Signer:
    key = signing.generate()
    return signing.Signer(key, signing.thumbprint(key), "identity--0b8f2a4e-1c3d-4e5f-8a6b-7c8d9e0f1a2b")


def test_share_signing_canonical_json_is_sorted_compact_utf8():
    assert canonical({"b": 1, "a": ["é", 2.5, None]}) == '{"a":["é",2.5,null],"b":1}'.encode()
    with pytest.raises(BadInput, match="appears twice"):
        loads('{"a": 1, "a": 2}')
    with pytest.raises(BadInput, match="NaN is not a JSON number"):
        loads('{"a": NaN}')
    with pytest.raises(BadInput, match="lone surrogate"):
        canonical({"a": "\ud800"})
    with pytest.raises(BadInput, match="nested more than"):
        loads("[" * 50 + "]" * 50)


def test_share_signing_a_detached_jws_over_the_object_without_its_signature():
    by = signer()
    signed = signing.sign(OBJECT, by)
    extension = signed["extensions"][SIGNATURE_EXTENSION_ID]
    assert extension["alg"] == "Ed25519" and extension["kid"] == by.kid and ".." in extension["jws"]
    assert signed["created_by_ref"] == by.author and "extension-definition--x" in signed["extensions"]
    signing.verify(signed, by.key)
    signing.verify(json.loads(json.dumps(signed, indent=4)), by.key)  # layout does not matter, content does
    header = json.loads(__import__("base64").urlsafe_b64decode(extension["jws"].split(".")[0] + "=="))
    assert header == {"alg": "Ed25519", "kid": by.kid}
    for change in ({"name": "Bombing in Quetta "}, {"description": "Tötet 71 — Quetta"},
                   {"created_by_ref": "identity--1b8f2a4e-1c3d-4e5f-8a6b-7c8d9e0f1a2b"}, {"x_added": 1}):
        with pytest.raises(signing.SignatureError, match="does not verify"):
            signing.verify(signed | change, by.key)
    with pytest.raises(signing.SignatureError, match="does not verify"):
        signing.verify(signed, signer().key)  # another key
    unsigned = json.loads(signing.payload(signed))
    with pytest.raises(signing.SignatureError, match="not signed"):
        signing.verify(unsigned, by.key)


def test_share_signing_a_byte_flipped_in_a_signed_object_is_rejected_and_the_rest_kept(orgs):
    a, b = orgs("A"), orgs("B")
    trust(b, a)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    data = a.export(Audience(tlp="green")).decode()
    at = data.index("Civil Hospital in Quetta")
    flipped = data[:at] + "c" + data[at + 1:]  # "civil Hospital": one byte
    done = b.receive(flipped.encode())
    (where, why), = done.rejected
    assert where.startswith("report--") and "does not verify" in why
    assert done.stored == len(objects(data.encode())) - 7  # the six definitions and the altered report
    assert done.waiting > 0  # the incident's claims wait for their report ...
    done = b.receive(data.encode())
    assert not done.rejected and done.reports == 1 and done.claims > 0  # ... which joins them when it comes


def test_share_signing_a_relayed_object_verifies_against_its_author_not_the_relay(orgs):
    a, c, d = orgs("A"), orgs("C"), orgs("D")
    trust(c, a)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    assert not c.receive(a.export(Audience(tlp="green"))).rejected
    relayed = c.export(Audience(tlp="green"))  # C's own identity, and A's objects as A made them
    a_ids = {obj["id"] for obj in objects(a.export(Audience(tlp="green")))}
    trust(d, a)  # D knows A's key; not C's
    done = d.receive(relayed)
    assert [why for _, why in done.rejected] == [done.rejected[0][1]] and "is no organisation registered" in \
        done.rejected[0][1]  # C's identity: D has not registered C
    assert done.authors == {"A": done.stored} and done.claims > 0
    with d.store.session() as session:
        authors = set(session.scalars(select(StixObject.author_org_id)))
        assert authors == {d.org_id("A")}
        assert set(session.scalars(select(StixObject.stix_id))) <= a_ids
    tampered = relayed.decode().replace("killing 70 people", "killing 80 people").encode()
    e = orgs("E")
    trust(e, a)
    assert any("does not verify" in why for _, why in e.receive(tampered).rejected)  # a relay cannot alter


def test_share_signing_rotation_keeps_what_the_old_key_signed_valid(orgs):
    a, b = orgs("A"), orgs("B")
    trust(b, a)
    a.ingest([hospital(HOSPITAL_A, "Dawn")], tlp="green")
    assert not b.receive(a.export(Audience(tlp="green"))).rejected
    old = keys.signer(a.store, a.viewer, a.key_dir)
    rotated = keys.rotate(a.store, a.viewer, a.key_dir)
    assert rotated.retired == old.kid and not signing.key_path(a.key_dir, old.author.split("--")[1], old.kid).exists()
    a.ingest([hospital(HOSPITAL_A.replace("70 people", "71 people"), "Dawn")], tlp="green")  # a new version
    after = a.export(Audience(tlp="green"))
    kids = {obj["extensions"][SIGNATURE_EXTENSION_ID]["kid"] for obj in objects(after)
            if SIGNATURE_EXTENSION_ID in obj.get("extensions", {})}
    assert kids == {old.kid, rotated.kid}  # unchanged objects keep their first signature
    unknown = b.receive(after)  # B has not registered the new key yet
    assert unknown.rejected and all("has not registered" in why for _, why in unknown.rejected)
    trust(b, a)  # now it has; the old one is retired, not forgotten
    done = b.receive(after)
    assert not done.rejected and done.claims > 0 and done.unchanged > 0
    newcomer = orgs("C")  # a partner that joins after the rotation learns the retired key from A's card
    trust(newcomer, a)
    assert not newcomer.receive(after).rejected
    late = objects(after)[-1] | {"modified": timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))}
    forged = signing.sign(late, old)  # the old key, used after its retirement
    bundle = json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6c", "objects": [forged]})
    (_, why), = b.receive(bundle.encode()).rejected
    assert "retired" in why
    with b.store.session() as session:
        history = session.scalars(select(OrgKey).where(OrgKey.org_id == b.org_id("A")).order_by(OrgKey.id)).all()
        assert [k.key_id for k in history] == [old.kid, rotated.kid]
        assert history[0].retired_at is not None and history[1].retired_at is None


def test_share_signing_the_private_key_stays_in_its_file_readable_by_its_owner_only(orgs):
    a = orgs("A")
    with a.store.session() as session:
        (row,) = session.scalars(select(OrgKey)).all()
        assert '"d"' not in row.public_key and json.loads(row.public_key)["kid"] == row.key_id
    path = next(a.key_dir.rglob("*.jwk"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["d"]
    with pytest.raises(Conflict, match="already has a signing key"):
        keys.generate(a.store, a.viewer, a.key_dir)
    os.chmod(path, 0o644)
    with pytest.raises(BadInput, match="readable by other users"):
        keys.signer(a.store, a.viewer, a.key_dir)
    os.chmod(path, 0o600)
    assert keys.signer(a.store, a.viewer, a.key_dir).kid == row.key_id


def test_share_signing_registering_a_partners_key_is_checked_and_audited(orgs):
    a, b = orgs("A"), orgs("B")
    card = keys.card(a.store, a.viewer)
    with pytest.raises(BadInput, match="private key"):
        keys.register(b.store, b.viewer, "A", card | {"d": "secret"})
    with pytest.raises(BadInput, match="is not its thumbprint"):
        keys.register(b.store, b.viewer, "A", card | {"kid": "x" * 43})
    with pytest.raises(BadInput, match="this instance's own organisation"):
        keys.register(b.store, b.viewer, "B", card)
    from jirga.access.admin import add_org

    add_org(b.store, b.viewer, "A (wrong key)", fingerprint="SHA256:" + "y" * 43)
    with pytest.raises(BadInput, match="is not the fingerprint"):
        keys.register(b.store, b.viewer, "A (wrong key)", card)
    user = add_user(b.store, b.viewer, "boss", "instance_admin", "correct horse battery staple")
    boss = Viewer(user, b.viewer.org_id, "instance_admin", "boss")
    analyst = Viewer(add_user(b.store, boss, "vera", "analyst", "correct horse battery staple"), b.viewer.org_id,
                     "analyst", "vera")
    with pytest.raises(PermissionDenied, match="register partners' keys"):
        keys.register(b.store, analyst, "A", card)
    made = keys.register(b.store, boss, "A", card)
    assert made.kid == card["kid"]
    with pytest.raises(Conflict, match="registered already"):
        keys.register(b.store, boss, "A", card)
    with b.store.session() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.target_type == "org_key",
                                                           AuditEntry.actor.in_(("vera", "boss")))
                                  .order_by(AuditEntry.id)).all()
        assert [(e.actor, e.result) for e in entries] == [("vera", "denied"), ("boss", "ok")]
        assert "register key" in entries[1].detail
    assert keys.card(b.store, boss, "A")["identity"] == card["identity"]  # the partner's own STIX identity


def test_share_signing_a_viewer_may_not_publish_in_the_organisations_name(orgs):
    from jirga.share import publish

    a = orgs("A")
    user = add_user(a.store, a.viewer, "boss", "instance_admin", "correct horse battery staple")
    boss = Viewer(user, a.viewer.org_id, "instance_admin", "boss")
    vera = Viewer(add_user(a.store, boss, "vera", "viewer", "correct horse battery staple"), a.viewer.org_id,
                  "viewer", "vera")
    with pytest.raises(PermissionDenied, match="publish"):
        publish(a.store, vera, key_dir=a.key_dir)
    assert publish(a.store, boss, key_dir=a.key_dir).new == 1  # its identity: nothing else is shareable yet
