"""Relations between actors and analysts' assessments as STIX 2.1 (issue 16): a relation becomes a `relationship`
between the actors' intrusion-sets, an assessment an `opinion` on the incident that holds the claim; both signed,
both passing the OASIS validator, and a partner's relationship joins the receiver's store as the partner's relation."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from stix2validator import ValidationOptions, validate_instance

from jirga.access.rules import Audience
from jirga.db.schema import Claim, Relation
from jirga.db.share_schema import StixObject
from jirga.model.report import IncomingReport
from jirga.share import keys, signing
from jirga.share.definitions import EXTENSION_ID, SIGNATURE_EXTENSION_ID
from jirga.share.stix_links import CLAIM_REFERENCE, OPINIONS, REPORT_REFERENCE, opinion_of, reference
from jirga.store.decisions import assess
from tests.test_share_stix import objects, orgs, trust  # noqa: F401 (orgs is a fixture)

CHECKPOINT = ("Splinter faction says it attacked Peshawar checkpoint\n\nPESHAWAR — Jamaat-ul-Ahrar, a splinter faction "
              "of Tehreek-e-Taliban Pakistan, said it carried out Tuesday's attack on a police checkpoint in Peshawar "
              "that killed six officers and wounded nine others.")


def test_share_links_relations_and_assessments_travel_as_signed_relationships_and_opinions(orgs):  # noqa: F811
    a = orgs("A")
    b = orgs("B")
    a.ingest([IncomingReport(CHECKPOINT, "wire", source="Frontier wire", published=dt.date(2016, 8, 10))],
             tlp="green")
    with a.store.session() as session:
        killed = session.scalar(select(Claim).where(Claim.field == "killed"))
        assess(session, killed.id, "agree", a.viewer, "the police gave the same toll", "high")
    sent = objects(a.export(Audience(tlp="green")))
    by_id = {obj["id"]: obj for obj in sent}
    relationships = [obj for obj in sent if obj["type"] == "relationship"]
    (opinion,) = [obj for obj in sent if obj["type"] == "opinion"]
    assert {obj["relationship_type"] for obj in relationships} == {"splinter-of", "part-of"}
    for obj in [*relationships, opinion]:
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid and not result.errors, [str(e) for e in result.errors]
        assert SIGNATURE_EXTENSION_ID in obj["extensions"]
        signing.verify(obj, signing.read_public_jwk(keys.card(a.store, a.viewer)))
    for obj in relationships:
        ends = [by_id[obj["source_ref"]], by_id[obj["target_ref"]]]
        assert [end["type"] for end in ends] == ["intrusion-set", "intrusion-set"]
        assert [end["name"] for end in ends] == ["Jamaat-ul-Ahrar", "Tehrik-i-Taliban Pakistan"]
        assert by_id[reference(obj, REPORT_REFERENCE)]["type"] == "report"
        assert "splinter faction" in obj["description"]
    assert opinion["opinion"] == "strongly-agree" and opinion["confidence"] == 85
    assert opinion["explanation"] == "the police gave the same toll"
    (incident,) = opinion["object_refs"]
    claims = {c["id"]: c for c in by_id[incident]["extensions"][EXTENSION_ID]["claims"]}
    assert claims[reference(opinion, CLAIM_REFERENCE)]["field"] == "killed"

    trust(b, a)
    done = b.receive(json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6b",
                                 "objects": sent}).encode())
    assert not done.rejected and done.relations == 2
    with b.store.session() as session:
        rows = session.scalars(select(Relation).where(Relation.owner_org_id == b.org_id("A"))).all()
        assert {(r.subject_id, r.relation, r.object_id, r.origin, r.tlp) for r in rows} == {
            ("jamaat-ul-ahrar", "splinter_of", "ttp", "partner", "green"),
            ("jamaat-ul-ahrar", "part_of", "ttp", "partner", "green")}
        kept = session.scalar(select(StixObject).where(StixObject.stix_id == opinion["id"]))
        assert kept.author_org_id == b.org_id("A")  # kept, its author verified
    again = b.receive(json.dumps({"type": "bundle", "id": "bundle--6f4b7a6e-5b8e-4f4e-9b0a-1f2e3d4c5b6c",
                                  "objects": sent}).encode())
    assert again.stored == 0 and again.relations == 0


def test_share_links_opinions_map_both_ways():
    assert [opinion_of(v, c) for v, c in (("agree", "high"), ("agree", "low"), ("dispute", None),
                                          ("dispute", "high"))] == [
        "strongly-agree", "agree", "disagree", "strongly-disagree"]
    assert {value: OPINIONS.get(value) for value in ("strongly-agree", "agree", "neutral", "disagree",
                                                      "strongly-disagree")} == {
        "strongly-agree": "agree", "agree": "agree", "neutral": None, "disagree": "dispute",
        "strongly-disagree": "dispute"}
