"""What a TAXII add and `jirga sync pull` do with what they receive (issue 16): a Jirga object is verified against its
author's registered key and fused with our store, exactly as `jirga import` does; any other STIX object is kept and
served back unchanged, unverified, and never fused. Between real Jirga instances, each with its own database and its
own HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jirga.access import Viewer, admin
from jirga.access.auth import implicit_admin
from jirga.access.rules import Audience
from jirga.db import Store, open_store
from jirga.db.access_schema import AuditEntry
from jirga.db.schema import Claim, Organisation, Report
from jirga.db.share_schema import StixObject
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import Ingest, IngestOptions
from jirga.share import keys, publish, shared
from jirga.share.inbox import UNVERIFIED
from jirga.store.taxii import OPEN_COLLECTION
from jirga.web.app import create_app
from tests.conftest import run_jirga
from tests.test_fuse import HOSPITAL_A, HOSPITAL_B
from tests.test_share_stix import DAY, RED_TEXT, make_org
from tests.test_taxii import PASSWORD, make_site, stix
from tests.webserver import serving


@pytest.fixture
def site(database_url):
    """tests/test_taxii.py's site: three organisations' users, and the server."""
    store = open_store(database_url)
    made = make_site(store)
    with serving(create_app(store=store)) as url:
        made.url = url
        yield made
    store.close()


def flip_one_byte(text: str) -> str:
    """The object's text with one character of its name changed, as a corrupting or malicious relay would."""
    at = text.index('"name":"') + len('"name":"')
    return text[:at] + ("X" if text[at] != "X" else "Y") + text[at + 1:]


def test_taxii_a_byte_flipped_in_a_signed_object_is_refused_and_the_rest_of_the_add_is_stored(site, tmp_path):
    author = make_org(f"sqlite:///{tmp_path / 'partner.db'}", "Partner", tmp_path)  # the partner's own instance
    author.ingest([IncomingReport(HOSPITAL_A, "dawn", source="Dawn", published=DAY)], tlp="green")
    publish(author.store, author.viewer, key_dir=author.key_dir)
    texts = shared(author.store, author.viewer, Audience(tlp="green"))
    keys.register(site.store, site.viewers["amina"], "Partner", keys.card(author.store, author.viewer))
    author.store.close()
    signed = [json.loads(text) for text in texts]
    (incident,) = [obj for obj in signed if obj["type"] == "incident"]
    (report,) = [obj for obj in signed if obj["type"] == "report"]
    flipped = json.loads(flip_one_byte(json.dumps(incident, separators=(",", ":"), ensure_ascii=False)))
    indicator = stix("indicator", pattern="[ipv4-addr:value = '203.0.113.7']", pattern_type="stix",
                     valid_from="2026-01-01T00:00:00Z")  # a third-party client's, unsigned
    batch = [obj if obj is not incident else flipped for obj in signed] + [indicator]

    status = site.add(OPEN_COLLECTION, {"objects": batch}, "pavel").json()

    assert (status["total_count"], status["failure_count"]) == (len(batch), 1)
    (failure,) = status["failures"]
    assert failure["id"] == incident["id"] and "signature does not verify" in failure["message"]
    assert status["success_count"] == len(batch) - 1
    messages = {success["id"]: success.get("message", "") for success in status["successes"]}
    assert "verified" in messages[report["id"]] and messages[indicator["id"]] == UNVERIFIED
    partner_id = site.viewers["pavel"].org_id
    with site.store.session() as session:
        rows = {row.stix_id: row for row in session.scalars(select(StixObject))}
        assert incident["id"] not in rows  # refused: nothing of it is stored
        assert rows[report["id"]].author_org_id == partner_id  # verified: its author is known
        assert rows[indicator["id"]].author_org_id is None  # unverified
        assert session.scalar(select(func.count()).select_from(Report)
                              .where(Report.owner_org_id == partner_id)) == 1  # the partner's report joined the store
        refusals = session.scalars(select(AuditEntry.detail).where(AuditEntry.result == "denied")).all()
        assert any(incident["id"] in detail and "signature does not verify" in detail for detail in refusals)
    served = site.collection(OPEN_COLLECTION, "pavel").get_object(indicator["id"])["objects"]
    assert served == [indicator]  # kept and served back unchanged

    again = site.add(OPEN_COLLECTION, {"objects": [obj for obj in batch if obj is not flipped]}, "pavel").json()
    assert again["failure_count"] == 0 and {s.get("message") for s in again["successes"]} == {"already stored"}


@dataclass
class Instance:
    """One Jirga instance: its store, its admin (and token), the sync users of its partners and their tokens."""

    name: str
    path: Path
    store: Store
    admin: Viewer
    admin_token: str
    sync_tokens: dict[str, str]
    key_dir: Path

    def org_id(self, name: str) -> int:
        with self.store.session() as session:
            return session.scalar(select(Organisation.id).where(Organisation.name == name))

    def cli(self, *args: str):
        return run_jirga(*args, "--db", str(self.path), JIRGA_TOKEN=self.admin_token)


def make_instance(tmp: Path, name: str, partners: list[str]) -> Instance:
    path = tmp / f"{name}.db"
    store = open_store(str(path))
    local = store.local_org_id()
    with store.session() as session:
        session.get(Organisation, local).name = f"Org {name}"
    boss = implicit_admin(store)
    admin_id = admin.add_user(store, boss, f"admin{name}", "instance_admin", PASSWORD, local)
    boss = Viewer(admin_id, local, "instance_admin", f"admin{name}")
    tokens = {}
    for partner in partners:
        org = admin.add_org(store, boss, f"Org {partner}")
        user = admin.add_user(store, boss, f"sync{partner}", "analyst", PASSWORD, org)
        tokens[partner] = admin.create_token(store, Viewer(user, org, "analyst", f"sync{partner}"))[1]
    return Instance(name, path, store, boss, admin.create_token(store, boss)[1], tokens, tmp / f"keys-{name}")


def ingest(instance: Instance, text: str, source: str, **options) -> None:
    errors: list[str] = []
    run = Ingest(instance.store, IngestOptions(workers=1, **options), errors.append, viewer=instance.admin)
    assert not run.run([IncomingReport(text, source.lower(), source=source, published=DAY)]).failed, errors


def add_peer(here: Instance, there: Instance, url: str, *key: str) -> None:
    """`jirga peer add` on `here` for `there`'s server, with the token `there` gave `here`'s organisation."""
    token = here.path.with_suffix(f".{there.name}.token")
    token.write_text(there.sync_tokens[here.name])
    added = here.cli("peer", "add", there.name.lower(), f"{url}/taxii2/jirga/", "--org", f"Org {there.name}",
                     "--token-file", str(token), *key)
    assert added.returncode == 0, added.stderr


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """Four instances. A publishes a TLP:GREEN report of the hospital attack (and keeps a TLP:RED one); B, which has
    its own report of the attack, pulls from A; C pulls from A too and relays to D, which pulls from C alone. B and C
    register A's public key as they add A as a peer (`--key-file`, `--key`), D with `jirga key register`; nobody
    registered C's (it has none)."""
    tmp = tmp_path_factory.mktemp("network")
    a = make_instance(tmp, "A", ["B", "C"])
    b = make_instance(tmp, "B", ["A"])
    c = make_instance(tmp, "C", ["A", "D"])
    d = make_instance(tmp, "D", ["C"])
    keys.generate(a.store, a.admin, a.key_dir)
    ingest(a, HOSPITAL_A, "Dawn", tlp="green")
    ingest(a, RED_TEXT, "Field office", tlp="red")
    publish(a.store, a.admin, key_dir=a.key_dir)
    card = json.dumps(keys.card(a.store, a.admin))
    (tmp / "a.jwk").write_text(card)
    keys.register(d.store, d.admin, "Org A", json.loads(card))
    ingest(b, HOSPITAL_B, "Reuters")  # B's own report, under B's default marking
    pulls = {}
    with serving(create_app(store=a.store)) as url_a, serving(create_app(store=c.store)) as url_c:
        for here, there, url, key in ((b, a, url_a, ["--key-file", str(tmp / "a.jwk")]), (c, a, url_a, ["--key", card]),
                                      (d, c, url_c, [])):
            add_peer(here, there, url, *key)
            pulls[here.name] = here.cli("sync", "pull", there.name.lower())
        pulls["B again"] = b.cli("sync", "pull", "a")
    yield {"A": a, "B": b, "C": c, "D": d}, pulls
    for instance in (a, b, c, d):
        instance.store.close()


def partner_claims(instance: Instance, author: str) -> list[Claim]:
    with instance.store.session() as session:
        return list(session.scalars(select(Claim).join(Report, Report.id == Claim.report_id)
                                    .where(Report.owner_org_id == instance.org_id(author))))


def test_taxii_b_pulls_as_green_incident_with_a_as_its_verified_author(network):
    instances, pulls = network
    b = instances["B"]
    assert pulls["B"].returncode == 0, pulls["B"].stderr
    assert "signed by their author and verified" in pulls["B"].stdout
    org_a = b.org_id("Org A")
    with b.store.session() as session:
        incidents = session.scalars(select(StixObject).where(StixObject.type == "incident")).all()
        assert incidents and {row.author_org_id for row in incidents} == {org_a}  # A, verified
        assert {row.tlp for row in incidents} == {"green"}
        assert not session.scalar(select(func.count()).select_from(StixObject)
                                  .where(StixObject.body.contains("Nightjar")))  # TLP:RED never left A
        reports = session.scalars(select(Report).where(Report.owner_org_id == org_a)).all()
        assert [report.tlp for report in reports] == ["green"]
    claims = partner_claims(b, "Org A")
    assert claims and {claim.origin for claim in claims} == {"partner"}
    assert {claim.value["best"] for claim in claims if claim.field == "killed"} == {70}  # A's figure, as A read it


def test_taxii_pulling_twice_stores_nothing_new(network):
    _, pulls = network
    assert pulls["B again"].returncode == 0, pulls["B again"].stderr
    assert ", 0 new," in pulls["B again"].stdout and " 1 new" not in pulls["B again"].stdout


def test_taxii_a_partners_pulled_claims_join_our_own_incident_of_the_same_attack(network):
    instances, _ = network
    b = instances["B"]
    ours = partner_claims(b, "Org B")
    theirs = partner_claims(b, "Org A")
    assert ours and theirs
    assert {claim.incident_id for claim in ours + theirs} == {ours[0].incident_id}  # ONE incident


def test_taxii_an_object_relayed_by_a_third_instance_still_verifies_against_its_author(network):
    instances, pulls = network
    d = instances["D"]
    assert pulls["C"].returncode == 0 and pulls["D"].returncode == 0, pulls["D"].stderr
    assert "signed by their author and verified" in pulls["D"].stdout
    with d.store.session() as session:
        rows = session.scalars(select(StixObject)).all()
        assert rows and {row.author_org_id for row in rows} == {d.org_id("Org A")}  # A's, though C sent them
        assert {row.owner_org_id for row in rows} == {d.org_id("Org A")}
    assert partner_claims(d, "Org A")


def test_taxii_peer_add_refuses_a_bad_key_with_a_clear_error_and_adds_nothing(network, tmp_path):
    instances, _ = network
    b = instances["B"]
    card = keys.card(instances["A"].store, instances["A"].admin)
    token = tmp_path / "token"
    token.write_text("a token")
    bad = {"not JSON": ["--key", "{not json"],
           "a private key": ["--key", json.dumps(card | {"d": card["x"]})],
           "not Ed25519": ["--key", json.dumps(card | {"crv": "P-256"})],
           "a wrong kid": ["--key", json.dumps(card | {"kid": "abc"})],
           "no such file": ["--key-file", str(tmp_path / "missing.jwk")],
           "no organisation named": ["--key", json.dumps({k: v for k, v in card.items() if k != "organisation"})]}
    words = {"not JSON": "--key: not JSON", "a private key": "private key", "not Ed25519": "not an Ed25519 public key",
             "a wrong kid": "is not its thumbprint", "no such file": "--key-file",
             "no organisation named": "names no organisation"}
    for what, key in bad.items():
        done = b.cli("peer", "add", f"bad-{what.replace(' ', '-')}", "http://127.0.0.1:9/taxii2/jirga/",
                     "--token-file", str(token), *key)
        assert done.returncode == 2, (what, done.stderr)
        assert words[what] in done.stderr and "Traceback" not in done.stderr, (what, done.stderr)
    listed = json.loads(b.cli("peer", "list", "--format", "json").stdout)
    assert [peer["name"] for peer in listed] == ["a"]  # none of the bad ones was added
    assert len(keys.history(b.store, b.admin, "Org A")) == 1  # the one `peer add --key-file` registered
