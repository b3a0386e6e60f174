"""What an organisation shares, as STIX 2.1 objects built and checked by the `stix2` library.

| Jirga                    | STIX 2.1 (OASIS CTI STIX 2.1, section)                                              |
|--------------------------|-------------------------------------------------------------------------------------|
| organisation             | `identity` (4.5), identity_class organization, id identity--<organisation uuid>      |
| report                   | `report` (4.14): its text as description, its source and grade in the extension      |
| incident                 | `incident` (4.6), one per marking of its claims, with Jirga's extension (7.3)        |
| place                    | `location` (4.9); gazetteer id and precision in the extension                        |
| actor                    | `intrusion-set` (4.8) with the catalog's aliases                                     |
| relation, assessment     | `relationship` (5.1), `opinion` (4.12): see `jirga.share.stix_links`                   |
| TLP 2.0 marking          | the OASIS TLP 2.0 `marking-definition`s (7.2), referenced by `object_marking_refs`    |

Every object has exactly one TLP marking, so that its content never depends on who receives it. An incident whose
claims carry different markings (a TLP:GREEN wire report and a TLP:AMBER field report of the same attack) becomes
one `incident` per marking, each with only the claims of that marking and a summary computed from those claims
alone (the consensus of `jirga.fuse`): a partner that may see only the GREEN claims learns nothing from the AMBER
ones. Their ids derive from the incident's uuid and the marking, so they stay the same as the incident changes,
and they share the extension's `incident` (the uuid) so that a receiver keeps them together. Places and actors get
one object per marking too, for the same reason.

Only what may leave the instance is built (`access.rules.may_leave`): TLP:CLEAR, TLP:GREEN, and TLP:AMBER with a
sharing group. AMBER+STRICT, RED and AMBER without a group never become STIX. Objects are built without
`modified`: `jirga.share.publish` sets it when the content changed since the last published version.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import stix2

from jirga.access import Viewer
from jirga.db.schema import Claim, Incident, Organisation, Place, Report
from jirga.fuse.consensus import Consensus, Fact, consensus, figures
from jirga.model import tlp
from jirga.reference import catalog
from jirga.share import stix_links
from jirga.share.definitions import EXTENSION_ID, derived_id, stix_id, timestamp
from jirga.share.values import without_nulls
from jirga.store import sharing
from jirga.store.summary import facts_of

ACTOR_FIELDS = ("responsibility", "perpetrator", "against", "concerning")
ADVERSARIES = ("armed_group", "unresolved")  # actors that become intrusion-sets (parties and the like do not)
PLACE_FIELDS = ("gazetteer_id", "name", "precision", "country", "province_code", "province", "district", "city", "lat",
                "lon")


@dataclass(frozen=True)
class Built:
    """One object to publish (without `modified`) and the marking it carries on this instance."""

    obj: dict[str, Any]
    tlp: str
    group: int | None


Marking = tuple[str, int | None]


def build(session, viewer: Viewer) -> list[Built]:
    """Every object the viewer's organisation would publish now: its identity, its reports and its incidents'
    claims that may leave the instance, and the places and actors they refer to."""
    org = sharing.organisation(session, viewer.org_id)
    author = stix_id("identity", org.uuid)
    reports = {report.id: report for report in sharing.authored_reports(session, viewer)}
    partitions: dict[tuple[int, str, int | None], list[Claim]] = defaultdict(list)
    for claim in sharing.authored_claims(session, viewer):
        if claim.report_id in reports:
            partitions[(claim.incident_id, claim.tlp, claim.sharing_group_id)].append(claim)
    incidents = sharing.incidents(session, sorted({key[0] for key in partitions}))
    superseded = sharing.reports(session, [r.supersedes_id for r in reports.values() if r.supersedes_id])
    known = sharing.actors(session, {claim.value["actor_id"] for claims in partitions.values() for claim in claims
                                     if claim.field in ACTOR_FIELDS})
    adversaries = {actor_id for actor_id, actor in known.items() if actor.kind in ADVERSARIES}
    out = [Built(identity(org), "clear", None)]
    places: dict[Marking, set[str]] = defaultdict(set)
    actors: dict[Marking, set[str]] = defaultdict(set)
    told: dict[int, set[str]] = defaultdict(set)  # report id -> the incident objects its claims are in
    holding: dict[int, str] = {}  # claim id -> the incident object it is published in
    for (incident_id, level, group), claims in partitions.items():
        marking = (level, group)
        facts = facts_of(session, claims, viewer=viewer)
        # A claim the author's analysts dispute does not count for them: it does not leave either.
        disputed = {fact.claim_id for fact in facts if fact.verdict == "dispute"}
        claims = [claim for claim in claims if claim.id not in disputed]
        if not claims:
            continue
        facts = [fact for fact in facts if fact.claim_id not in disputed]
        obj = incident(incidents[incident_id], claims, facts, reports, marking, author, org, adversaries)
        out.append(Built(obj, level, group))
        place = obj["extensions"][EXTENSION_ID].get("place")
        if place:
            places[marking].add(place["gazetteer_id"])
        actors[marking].update(c.value["actor_id"] for c in claims if c.field in ACTOR_FIELDS
                               and c.value["actor_id"] in adversaries)
        for claim in claims:
            told[claim.report_id].add(obj["id"])
            holding[claim.id] = obj["id"]
    out += _links(session, viewer, reports, holding, known, actors, author, org)
    for report in reports.values():
        before = superseded.get(report.supersedes_id)
        out.append(Built(report_object(report, sorted(told[report.id]) or [author], before, author), report.tlp,
                         report.sharing_group_id))
    rows = sharing.places(session, {place for ids in places.values() for place in ids})
    for (level, group), ids in places.items():
        out += [Built(location(rows[place], (level, group), author, org), level, group) for place in sorted(ids)
                if place in rows]
    for (level, group), ids in actors.items():
        out += [Built(intrusion_set(known[actor], (level, group), author, org), level, group) for actor in sorted(ids)]
    return out


def _links(session, viewer: Viewer, reports: dict[int, Report], holding: dict[int, str], known: dict,
           actors: dict[Marking, set[str]], author: str, org: Organisation) -> list[Built]:
    """The relations read in the reports published, and the organisation's opinions on the claims it can point to
    (its own, in the incident objects published; a partner's, in the partner's incident stored here). The actors of
    each relation are published as intrusion-sets of its marking (added to `actors`, known by `known`)."""
    out = []
    relations = [r for r in sharing.authored_relations(session, viewer) if r.report_id in reports]
    known.update(sharing.actors(session, {end for r in relations for end in (r.subject_id, r.object_id)}))
    for relation in relations:
        marking = (relation.tlp, relation.sharing_group_id)
        actors[marking].update((relation.subject_id, relation.object_id))
        out.append(Built(stix_links.relationship(
            relation, reports[relation.report_id], intrusion_set_id(relation.subject_id, marking, org),
            intrusion_set_id(relation.object_id, marking, org), author, org), relation.tlp, relation.sharing_group_id))
    for assessment, claim in sharing.authored_assessments(session, viewer):
        ref = (sharing.incident_holding(session, claim.owner_org_id, claim.uuid) if claim.owner_org_id != org.id
               else holding.get(claim.id))
        if ref is not None:
            out.append(Built(stix_links.opinion(assessment, claim, ref, author, org), assessment.tlp,
                             assessment.sharing_group_id))
    return out


def _plain(obj: Any) -> dict[str, Any]:
    """The library's object as plain JSON data, without `modified` (set when it is published)."""
    data = json.loads(obj.serialize())
    data.pop("modified", None)
    return data


def _marking_refs(level: str) -> list[str]:
    return [tlp.TLP2_MARKING_IDS[level]]


def identity(org: Organisation) -> dict[str, Any]:
    """The organisation as the author of what it shares (TLP:CLEAR: partners must know whose objects they hold)."""
    author = stix_id("identity", org.uuid)
    return _plain(stix2.v21.Identity(id=author, created_by_ref=author, created=timestamp(org.created_at),
                                     name=org.name, identity_class="organization",
                                     object_marking_refs=_marking_refs("clear")))


def incident_id(incident_row: Incident, marking: Marking) -> str:
    level, group = marking
    return derived_id("incident", incident_row.uuid, level, group if group is not None else "")


def incident(row: Incident, claims: list[Claim], facts: list[Fact], reports: dict[int, Report], marking: Marking,
             author: str, org: Organisation, adversaries: set[str]) -> dict[str, Any]:
    """One marking's share of an incident: its claims and the consensus of those claims alone."""
    level = marking[0]
    agreed = consensus(facts)
    place = agreed.place
    what = (agreed.attack_type if agreed.attack_type not in (None, "unknown") else agreed.kind or row.kind)
    name = what.replace("_", " ").capitalize() + (f" in {place['name']}" if place else "")
    extension = {
        "extension_type": "property-extension",
        "incident": row.uuid,
        "kind": agreed.kind or row.kind,
        "attack_type": agreed.attack_type,
        "target_type": agreed.target_type,
        "date": {key: agreed.date[key] for key in ("start", "end", "precision", "text") if agreed.date.get(key)}
        if agreed.date else None,
        "place": {key: place.get(key) for key in PLACE_FIELDS} if place else None,
        "location_ref": location_id(place["gazetteer_id"], marking, org) if place else None,
        "killed": dict(zip(("low", "best", "high"), agreed.killed, strict=True)),
        "injured": dict(zip(("low", "best", "high"), agreed.injured, strict=True)),
        "victims": victims(facts),
        "claimed_by": [{"actor_id": actor_id, "actor": _actor_name(claims, actor_id), "mode": "claimed",
                        "intrusion_set_ref": intrusion_set_id(actor_id, marking, org) if actor_id in adversaries
                        else None} for actor_id in agreed.claimed_by],
        "conflicts": agreed.conflicts,
        "report_count": len({claim.report_id for claim in claims}),
        "claims": [claim_entry(claim, reports[claim.report_id]) for claim in claims],
    }
    return _plain(stix2.v21.Incident(
        id=incident_id(row, marking), created_by_ref=author, created=timestamp(row.created_at), name=name,
        description=_describe(name, agreed, len({claim.report_id for claim in claims})),
        object_marking_refs=_marking_refs(level), extensions={EXTENSION_ID: without_nulls(extension)}))


def _describe(name: str, agreed: Consensus, reports: int) -> str:
    parts = [name + (f", {agreed.date['start']}" if agreed.date else "")]
    for count, (low, best, high) in (("killed", agreed.killed), ("injured", agreed.injured)):
        if best is not None or low is not None:
            shown = best if best is not None else low
            span = f" ({low}-{high})" if low is not None and high is not None and low != high else ""
            parts.append(f"{shown}{span} {count}")
    return "; ".join(parts) + f". Told by {reports} report{'s' if reports != 1 else ''}."


def _actor_name(claims: list[Claim], actor_id: str) -> str:
    return next((c.value["actor"] for c in claims if c.field in ACTOR_FIELDS and c.value["actor_id"] == actor_id),
                actor_id)


def claim_entry(claim: Claim, report: Report) -> dict[str, Any]:
    """A claim with the report it came from, the characters it was read from, and that report's source with the
    author's Admiralty grade of it."""
    return {"id": claim.uuid, "report_ref": stix_id("report", report.uuid), "field": claim.field,
            "value": claim.value, "text": claim.text or None,
            "span": [claim.span_start, claim.span_end] if claim.span_start is not None else None,
            "sentence": [claim.sentence_start, claim.sentence_end] if claim.sentence_start is not None else None,
            "source": report.source.name, "reliability": report.reliability, "origin": claim.origin}


def victims(facts: list[Fact]) -> list[dict[str, Any]]:
    """Counts by victim category ("13 soldiers"), each the consensus of the reports that give that category."""
    by_category: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.field in ("killed", "injured") and isinstance(fact.value.get("subset"), str):
            value = {key: item for key, item in fact.value.items() if key != "subset"}
            by_category[(fact.field, fact.value["subset"])].append(
                Fact(fact.field, value, fact.source, fact.reliability, fact.published, report_id=fact.report_id,
                     claim_id=fact.claim_id))
    out = []
    for (count, category), group in sorted(by_category.items()):
        low, best, high = figures(group, count).triple
        out.append({"count": count, "category": category, "low": low, "best": best, "high": high})
    return out


def report_object(report: Report, object_refs: list[str], superseded: Report | None, author: str) -> dict[str, Any]:
    """A report with its whole text as the description, so that the claims' spans index into it."""
    first_line = next((line.strip() for line in report.text.splitlines() if line.strip()), "")
    extension = {"extension_type": "property-extension", "source": report.source.name,
                 "reliability": report.reliability, "revision": report.revision,
                 "supersedes_ref": stix_id("report", superseded.uuid) if superseded else None}
    published = report.published or report.ingested_at
    return _plain(stix2.v21.Report(
        id=stix_id("report", report.uuid), created_by_ref=author, created=timestamp(report.ingested_at),
        name=(report.title or first_line or f"Report {report.uuid}")[:300], description=report.text,
        published=timestamp(published), report_types=["threat-report"], object_refs=object_refs,
        lang=report.language or None,
        external_references=[{"source_name": report.source.name, "url": report.url}] if report.url else None,
        object_marking_refs=_marking_refs(report.tlp), extensions={EXTENSION_ID: without_nulls(extension)}))


def location_id(place_id: str, marking: Marking, org: Organisation) -> str:
    level, group = marking
    return derived_id("location", org.uuid, place_id, level, group if group is not None else "")


def location(place: Place, marking: Marking, author: str, org: Organisation) -> dict[str, Any]:
    extension = {"extension_type": "property-extension", "gazetteer_id": place.id, "precision": place.precision,
                 "district": place.district}
    coordinates = ({"latitude": place.lat, "longitude": place.lon}
                   if place.lat is not None and place.lon is not None else {})
    return _plain(stix2.v21.Location(
        id=location_id(place.id, marking, org), created_by_ref=author, created=timestamp(org.created_at),
        name=place.name, country=place.country, administrative_area=place.province_code or place.province or None,
        city=place.name if place.precision == "city" else None, **coordinates,
        object_marking_refs=_marking_refs(marking[0]), extensions={EXTENSION_ID: without_nulls(extension)}))


def intrusion_set_id(actor_id: str, marking: Marking, org: Organisation) -> str:
    level, group = marking
    return derived_id("intrusion-set", org.uuid, actor_id, level, group if group is not None else "")


def intrusion_set(actor, marking: Marking, author: str, org: Organisation) -> dict[str, Any]:
    """An armed group, with the names the catalog knows it by."""
    known = next((a for a in catalog.load_actors() if a.id == actor.id), None)
    aliases = [name for name in dict.fromkeys([*(known.aliases if known else ()), *(known.acronyms if known else ())])
               if name != actor.name]
    return _plain(stix2.v21.IntrusionSet(
        id=intrusion_set_id(actor.id, marking, org), created_by_ref=author, created=timestamp(org.created_at),
        name=actor.name, aliases=aliases or None,
        external_references=[{"source_name": stix_links.ACTOR_REFERENCE, "external_id": actor.id}],
        object_marking_refs=_marking_refs(marking[0])))
