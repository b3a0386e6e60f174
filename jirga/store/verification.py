"""The verification panel of one incident: consensus, conflicts, Admiralty credibility of each fact."""

from __future__ import annotations

from jirga.fuse.consensus import consensus
from jirga.fuse.grading import grade_all, near_copies
from jirga.store.summary import facts_of


def verification(session, incident, viewer) -> dict:
    """The consensus, its conflicts and the credibility of each fact, for `jirga show` and the web app: of the
    claims and analysts' verdicts `viewer` may see."""
    facts = facts_of(session, incident.claims, viewer=viewer)
    agreed = consensus(facts)
    texts = {c.report_id: c.report.text for c in incident.claims if c.report is not None}
    copies = near_copies(texts)
    grades = grade_all(facts, agreed, copies)
    return {"conflicts": agreed.conflicts, "notes": agreed.notes, "superseded": agreed.superseded,
            "claimed_by": agreed.claimed_by,
            "killed": dict(zip(("low", "best", "high"), agreed.killed, strict=True)),
            "injured": dict(zip(("low", "best", "high"), agreed.injured, strict=True)),
            "credibility": {name: {"level": g.level, "label": g.label, "reason": g.reason}
                            for name, g in grades.items()},
            "near_copies": sorted({(a, b) for a, b in copies.items() if a != b})}
