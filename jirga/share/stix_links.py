"""Relations between actors and analysts' assessments as STIX 2.1, both directions (docs/sharing.md, the mapping).

- a **relation** between two actors (allied_with, splinter_of, ...) -> `relationship` (5.1) between the two actors'
  `intrusion-set`s, its type with hyphens (allied-with), the words it was read from as its description, and the report
  it was read in as an external reference (`jirga-report`, the report's STIX id);
- an analyst's **assessment** of a claim (agree, dispute) -> `opinion` (4.12) on the `incident` object that holds the
  claim, the claim as an external reference (`jirga-claim`, its id in the incident's extension); agree and dispute
  are agree and disagree, strongly so with high confidence, and the confidence is STIX's 0-100 scale (low 15,
  moderate 50, high 85). Received, strongly-agree and agree read as agree, disagree and strongly-disagree as dispute,
  and an opinion on a claim held here becomes its author's verdict on it (`jirga.store.partner`).

Both are signed and published like every object (`jirga.share.publish`), one marking each: a relationship carries its
relation's marking, an opinion its assessment's (which is the claim's). Only the latest assessment of each claim is
published, as one opinion whose id derives from the organisation and the claim, so a changed mind is a new version.
An organisation's own disputed claims do not leave at all (stix_out), so no opinion says so.
"""

from __future__ import annotations

import json
from typing import Any

import stix2

from jirga.db.schema import Assessment, Claim, Organisation, Relation, Report
from jirga.model import tlp
from jirga.share.definitions import derived_id, stix_id, timestamp

ACTOR_REFERENCE = "jirga-actor-catalog"  # the external reference naming an intrusion-set's actor in Jirga's catalog
REPORT_REFERENCE = "jirga-report"  # the external reference naming the report a relationship was read in
CLAIM_REFERENCE = "jirga-claim"  # the external reference naming the claim an opinion is about
CONFIDENCE = {"low": 15, "moderate": 50, "high": 85}  # STIX 2.1 appendix A, the None/Low/Med/High scale
OPINIONS = {"agree": "agree", "strongly-agree": "agree", "disagree": "dispute", "strongly-disagree": "dispute"}


def _plain(obj: Any) -> dict[str, Any]:
    data = json.loads(obj.serialize())
    data.pop("modified", None)
    return data


def relationship(relation: Relation, report: Report, source_ref: str, target_ref: str, author: str,
                 org: Organisation) -> dict[str, Any]:
    """A relation an organisation read in one of its reports, between the two actors' intrusion-sets."""
    quoted = (report.text[relation.span_start:relation.span_end].strip()
              if relation.span_start is not None and relation.span_end is not None else "")
    return _plain(stix2.v21.Relationship(
        id=derived_id("relationship", org.uuid, report.uuid, relation.subject_id, relation.relation,
                      relation.object_id, relation.tlp, relation.sharing_group_id or ""),
        created_by_ref=author, created=timestamp(relation.created_at),
        relationship_type=relation.relation.replace("_", "-"), source_ref=source_ref, target_ref=target_ref,
        description=quoted[:2000] or None,
        external_references=[{"source_name": REPORT_REFERENCE, "external_id": stix_id("report", report.uuid)}],
        object_marking_refs=[tlp.TLP2_MARKING_IDS[relation.tlp]]))


def opinion_of(verdict: str, confidence: str | None) -> str:
    strong = confidence == "high"
    if verdict == "agree":
        return "strongly-agree" if strong else "agree"
    return "strongly-disagree" if strong else "disagree"


def confidence_of(value: object, *, strong: bool) -> str | None:
    """A received opinion's confidence (STIX's 0-100) on our scale: 1-29 low, 30-69 moderate, 70-100 high (the
    None/Low/Med/High scale); without one, a strongly held opinion is high."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100:
        return "low" if value < 30 else "moderate" if value < 70 else "high"
    return "high" if strong else None


def opinion(assessment: Assessment, claim: Claim, incident_ref: str, author: str,
            org: Organisation) -> dict[str, Any]:
    """An analyst's latest verdict on a claim, as their organisation's opinion on the incident that holds it."""
    return _plain(stix2.v21.Opinion(
        id=derived_id("opinion", org.uuid, claim.uuid), created_by_ref=author, created=timestamp(assessment.created_at),
        opinion=opinion_of(assessment.verdict, assessment.confidence), explanation=assessment.reason or None,
        object_refs=[incident_ref], confidence=CONFIDENCE.get(assessment.confidence or ""),
        external_references=[{"source_name": CLAIM_REFERENCE, "external_id": claim.uuid}],
        object_marking_refs=[tlp.TLP2_MARKING_IDS[assessment.tlp]]))


def reference(obj: dict[str, Any], source_name: str) -> str | None:
    """The external id of the object's external reference of this source name (a received object's)."""
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and ref.get("source_name") == source_name and isinstance(ref.get("external_id"), str):
            return ref["external_id"]
    return None
