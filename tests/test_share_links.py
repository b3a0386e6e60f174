"""Relations between actors and analysts' assessments as STIX 2.1 (issue 16): a relation becomes a `relationship`
between the actors' intrusion-sets, an assessment an `opinion` on the incident that holds the claim; both signed,
both passing the OASIS validator, and a partner's relationship joins the receiver's store as the partner's relation."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from stix2validator import ValidationOptions, validate_instance

from jirga.access.rules import Audience
from jirga.db.schema import Assessment, Claim, Incident, IncidentHistory, Relation
from jirga.db.share_schema import StixObject
from jirga.model.report import IncomingReport
from jirga.share import keys, signing
from jirga.share.definitions import EXTENSION_ID, SIGNATURE_EXTENSION_ID
from jirga.share.stix_links import (
    CLAIM_REFERENCE,
    OPINIONS,
    REPORT_REFERENCE,
    confidence_of,
    opinion_of,
    reference,
)
from jirga.store.decisions import assess
from jirga.store.partner import add_partner_assessment
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
    assert again.stored == 0 and again.relations == 0 and again.opinions == 0
    with b.store.session() as session:  # A's verdict on its own claim, now on that claim at B
        (verdict,) = session.scalars(select(Assessment)).all()
        claim = session.get(Claim, verdict.claim_id)
        assert (claim.uuid, claim.owner_org_id) == (reference(opinion, CLAIM_REFERENCE), b.org_id("A"))
        assert (verdict.verdict, verdict.confidence, verdict.reason, verdict.owner_org_id, verdict.created_by,
                verdict.tlp, verdict.origin) == ("agree", "high", "the police gave the same toll", b.org_id("A"), "A",
                                                 "green", "partner")
    assert done.opinions == 1 and "1 verdicts on claims" in done.line()


def test_share_links_opinions_map_both_ways():
    assert [opinion_of(v, c) for v, c in (("agree", "high"), ("agree", "low"), ("dispute", None),
                                          ("dispute", "high"))] == [
        "strongly-agree", "agree", "disagree", "strongly-disagree"]
    assert {value: OPINIONS.get(value) for value in ("strongly-agree", "agree", "neutral", "disagree",
                                                      "strongly-disagree")} == {
        "strongly-agree": "agree", "agree": "agree", "neutral": None, "disagree": "dispute",
        "strongly-disagree": "dispute"}


def test_share_links_a_partners_dispute_of_our_claim_comes_back_as_its_verdict(orgs):  # noqa: F811
    """B reports an attack; A reads it, disputes B's toll and shares its opinion; at B the claim carries A's dispute
    and the incident's history says so, but B's consensus keeps the toll until an analyst at B decides."""
    a, b = orgs("A"), orgs("B")
    b.ingest([IncomingReport(CHECKPOINT, "wire", source="Frontier wire", published=dt.date(2016, 8, 10))],
             tlp="green")
    trust(a, b)
    assert not a.receive(b.export(Audience(tlp="green"))).rejected
    with a.store.session() as session:
        killed = session.scalar(select(Claim).where(Claim.field == "killed"))
        assess(session, killed.id, "dispute", a.viewer, "the hospital counted four", "moderate")
    trust(b, a)
    done = b.receive(a.export(Audience(tlp="green")))
    assert not done.rejected and done.opinions == 1
    with b.store.session() as session:
        (verdict,) = session.scalars(select(Assessment)).all()
        claim = session.get(Claim, verdict.claim_id)
        assert (claim.field, claim.owner_org_id, verdict.verdict, verdict.confidence) == (
            "killed", b.viewer.org_id, "dispute", "moderate")
        assert verdict.created_by == "A" and verdict.owner_org_id == b.org_id("A")
        history = session.scalars(select(IncidentHistory).where(
            IncidentHistory.incident_id == claim.incident_id, IncidentHistory.action == "assessed")).all()
        assert [(h.created_by, h.detail["verdict"], h.detail["origin"]) for h in history] == [("A", "dispute",
                                                                                                "partner")]
        assert verdict.origin == "partner" and session.get(Incident, claim.incident_id).killed_best == 6
        assess(session, claim.id, "dispute", b.viewer, "A's hospital count convinces us")
        assert session.get(Incident, claim.incident_id).killed_best is None  # B's own verdict counts


def test_share_links_a_partner_judges_only_claims_it_may_see_and_never_widens_a_marking(orgs):  # noqa: F811
    b = orgs("B")
    b.ingest([IncomingReport(CHECKPOINT, "note", source="Field note", published=dt.date(2016, 8, 10))], tlp="red")
    with b.store.session() as session:
        partner_id = b.org_id("B") + 1000  # an organisation that sees none of B's RED claims
        claim = session.scalar(select(Claim).where(Claim.field == "killed"))
        assert add_partner_assessment(session, partner_id, "Prying", claim.uuid, "dispute", None, "", "green",
                                      None) is None
        assert add_partner_assessment(session, partner_id, "Prying", "no-such-claim", "agree", None, "", "green",
                                      None) is None
        own = add_partner_assessment(session, b.viewer.org_id, "B", claim.uuid, "agree", None, "", "green", None)
        assert own is not None  # its own organisation may: marked as the claim (RED), not as the opinion said
        assert [(a.tlp, a.verdict) for a in session.scalars(select(Assessment))] == [("red", "agree")]


def test_share_links_received_confidence_reads_on_our_scale():
    assert [confidence_of(value, strong=False) for value in (None, 0, 15, 29, 30, 69, 70, 100, 101, "85", True)] == [
        None, None, "low", "low", "moderate", "moderate", "high", "high", None, None, None]
    assert confidence_of(None, strong=True) == "high"
