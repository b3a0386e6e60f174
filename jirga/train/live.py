"""What analysts have verified in the live store, read as codings: for the agreement between two analysts, and as
the gold of an exercise built from the store. The claims and verdicts come from `jirga.store.verified`, already cut
to what the viewer may see; the measure and the gold's schema are the exercises' own (`jirga.train.agreement`).

The definitions (docs/training.md):
- an analyst **vouches for** a claim they coded by hand (origin "analyst", created by them) or whose latest
  assessment by them is "agree"; a claim they disputed last is not vouched for, whatever they said before;
- an analyst **verified an incident** when they vouch for at least one of its claims; their **coding** of it is
  one item made of the claims they vouch for: a set (claimed by, perpetrators, participants) is the union, a single
  value (place, date, killed, injured, attack type) the latest they vouched for;
- a claim is **verified** (for an exercise) when at least N analysts vouch for it and none disputed it last.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from jirga.errors import BadInput
from jirga.train.agreement import Agreement, agreement, as_gold
from jirga.train.exercises import MAX_REPORTS, ExerciseReportSpec, ExerciseSpec, check_name

SET_FIELDS = {"responsibility": "claimed_by", "perpetrator": "perpetrator", "participant": "participants"}
ITEM_FIELDS = ("place", "date", "killed", "injured", "attack_type", "claimed_by", "perpetrator", "participants")


def latest_verdicts(verdicts: list[dict]) -> dict[int, dict[str, dict]]:
    """claim id -> analyst -> their latest assessment of it (`verdicts` oldest first)."""
    latest: dict[int, dict[str, dict]] = defaultdict(dict)
    for verdict in verdicts:
        latest[verdict["claim_id"]][verdict["analyst"]] = verdict
    return latest


def vouched_by(claims: list[dict], verdicts: list[dict], analyst: str) -> list[dict]:
    """The claims `analyst` vouches for, in the order they vouched for them."""
    latest = latest_verdicts(verdicts)
    found = []
    for claim in claims:
        said = latest.get(claim["id"], {}).get(analyst)
        if said is not None and said["verdict"] != "agree":
            continue
        if said is not None:
            found.append((said["at"], said["id"], claim))
        elif claim["origin"] == "analyst" and claim["created_by"] == analyst:
            found.append((claim["at"], 0, claim))
    return [claim for *_, claim in sorted(found, key=lambda f: (f[0], f[1], f[2]["id"]))]


def item_of(kind: str, claims: list[dict]) -> dict:
    """One coded item, in the form `jirga extract` writes, from claims in order: later single values win."""
    item: dict = {"kind": kind}
    for claim in claims:
        name, value = claim["field"], claim["value"]
        if name == "place" and isinstance(value, dict):
            item["place"] = {k: value.get(k) for k in ("name", "city", "district", "province", "country")}
        elif name == "date" and isinstance(value, dict):
            item["date"] = {"start": value.get("start"), "end": value.get("end")}
        elif name in ("killed", "injured") and isinstance(value, dict) and not value.get("subset"):
            item[name] = {"best": value.get("best"), "low": value.get("low")}  # a part of the toll is no toll
        elif name == "attack_type" and value:
            item["attack_type"] = value
        elif name in SET_FIELDS:
            if name == "responsibility" and (not isinstance(value, dict) or value.get("mode") != "claimed"):
                continue
            said = value.get("actor") if isinstance(value, dict) else value
            names = item.setdefault(SET_FIELDS[name], [])
            if said and said not in names:
                names.append(said)
    return item


def _coding(item: dict) -> dict:
    return {"meetings" if item["kind"] == "meeting" else "incidents": [item]}


def _common(first: dict, second: dict) -> tuple[dict, dict]:
    """Both items cut to the fields both gave: an assessment speaks of the claims assessed, not of the fields left
    alone, so a field only one analyst said anything of is not a disagreement."""
    shared = {f for f in ITEM_FIELDS if f in first and f in second}
    return tuple({k: v for k, v in item.items() if k not in ITEM_FIELDS or k in shared} for item in (first, second))


@dataclass
class LiveAgreement:
    first: str
    second: str
    only_first: int  # incidents only the first analyst verified
    only_second: int
    both: int
    fields: list[Agreement]

    def as_dict(self) -> dict:
        return {"between": self.first, "and": self.second, "incidents": {
            "both": self.both, f"only {self.first}": self.only_first, f"only {self.second}": self.only_second},
            "fields": [a.as_dict() for a in self.fields]}


def live_agreement(found: dict, first: str, second: str) -> LiveAgreement:
    """Pairwise agreement (the exercises' measure) over the incidents both analysts verified, field by field.
    `found`: the claims and verdicts of `jirga.store.verified.analysts_claims`."""
    if first == second:
        raise BadInput(f"--between and --and both name {first[:100]!r}: agreement needs two analysts")
    by_incident: dict[int, list[dict]] = defaultdict(list)
    for claim in found["claims"]:
        by_incident[claim["incident_id"]].append(claim)
    codings: dict[str, dict[str, dict]] = {}
    counts = {"first": 0, "second": 0}
    for incident_id, claims in sorted(by_incident.items()):
        kind = claims[0]["incident_kind"]
        one, other = (vouched_by(claims, found["verdicts"], who) for who in (first, second))
        if one and other:
            pair = _common(item_of(kind, one), item_of(kind, other))
            codings[f"incident {incident_id}"] = {first: _coding(pair[0]), second: _coding(pair[1])}
        elif one or other:
            counts["first" if one else "second"] += 1
    return LiveAgreement(first, second, counts["first"], counts["second"], len(codings), agreement(codings))


# ---- exercises from the store ---------------------------------------------------------------------------------

def _verified(claim: dict, latest: dict[int, dict[str, dict]], min_agreed: int) -> bool:
    said = latest.get(claim["id"], {}).values()
    agreed = sum(1 for s in said if s["verdict"] == "agree")
    return agreed >= min_agreed and not any(s["verdict"] == "dispute" for s in said)


def _report_name(report: dict) -> str:
    source = re.sub(r"[^A-Za-z0-9]+", "-", report["source"]).strip("-").lower()[:40] or "report"
    return f"{report['id']}-{source}.txt"


def gold_document(report: dict, claims: list[dict], latest: dict[int, dict[str, dict]], min_agreed: int) -> dict:
    """One report's gold: each event of it with a verified claim in a matching incident is required, with the
    fields of its verified claims (a set such as the claimants only where every claim of it is verified); every
    other event it tells is optional, so that coding it costs nothing."""
    events: dict[tuple, list[dict]] = defaultdict(list)
    for claim in claims:
        events[(claim["incident_id"], claim["event"])].append(claim)
    required, optional = [], []
    for _, told in sorted(events.items()):
        kind = told[0]["incident_kind"]
        verified = [c for c in told if c["counted"] and _verified(c, latest, min_agreed)]
        if not verified:
            optional.append(item_of(kind, told))
            continue
        item, whole = item_of(kind, verified), item_of(kind, told)
        for name in SET_FIELDS.values():
            if name in whole and item.get(name) != whole[name]:
                item.pop(name, None)  # a claimant nobody vouched for would make the verified ones look like all
        required.append(item)
    gold = {"title": report["title"], "published": report["published"] and report["published"].isoformat()}
    for section, items in (("required", required), ("optional", optional)):
        restated = as_gold({"incidents": items})
        for group in ("incidents", "meetings"):
            gold.setdefault(group, {})[section] = restated[group]["required"]
    gold["relations"] = []
    return gold


def exercise_from_store(name: str, found: dict, min_agreed: int = 1, title: str | None = None) -> ExerciseSpec:
    """An exercise over the reports of `found` (`jirga.store.verified.verified_reports`) that hold a verified
    event, each with the gold made of what analysts verified in it, all released on day 0."""
    check_name(name)
    if isinstance(min_agreed, bool) or not isinstance(min_agreed, int) or min_agreed < 1:
        raise BadInput(f"--min-agreed {min_agreed!r}: a whole number of analysts, 1 or more")
    latest = latest_verdicts(found["verdicts"])
    by_report: dict[int, list[dict]] = defaultdict(list)
    for claim in found["claims"]:
        by_report[claim["report_id"]].append(claim)
    specs = []
    for report in found["reports"]:
        gold = gold_document(report, by_report.get(report["id"], []), latest, min_agreed)
        if gold["incidents"]["required"] or gold["meetings"]["required"]:
            specs.append(ExerciseReportSpec(_report_name(report), report["text"], gold, report["published"],
                                            str(report["title"] or "")[:500], 0))
    if not specs:
        raise BadInput(f"no report you may see holds an incident that at least {min_agreed} analyst"
                       f"{'s' if min_agreed > 1 else ''} verified with these filters; nothing to build an exercise of")
    if len(specs) > MAX_REPORTS:
        raise BadInput(f"{len(specs)} reports hold verified incidents; an exercise holds at most {MAX_REPORTS}: "
                       "narrow it with --from, --to, --region or --actor")
    return ExerciseSpec(name, str(title or f"Verified incidents ({len(specs)} reports)")[:300],
                        f"Built from incidents analysts verified in the store (at least {min_agreed} agreeing).",
                        specs)
