"""Figures an analyst can trust (issue 14): interval consensus, revisions and subsets, analysts' agreement read
right, undated reports said, and ingest that gives the same store whatever the workers and the input order."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from jirga.access import Viewer
from jirga.access.auth import implicit_admin
from jirga.db import open_store
from jirga.db.schema import Claim, Incident, Report, Source
from jirga.fuse.consensus import Fact, consensus
from jirga.fuse.grading import grade_all
from jirga.fuse.intervals import Interval, interval_of
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.store.decisions import assess
from jirga.store.present import figures as shown
from jirga.store.verification import verification
from tests.conftest import EXAMPLES, ingest_reports

DAY = dt.date(2016, 8, 9)


def figure(best, qualifier=None, **marks):
    """A machine claim's value: the figure the report settled on, with what the text says of it."""
    low, high = {"over": (best, None), "at_least": (best, None), "about": (None, None),
                 "nearly": (None, best)}.get(qualifier, (best, best))
    return {"low": low, "best": best, "high": high, "qualifier": qualifier, "text": str(best), "mentions": []} | marks


def fact(value, source, reliability="F", published=DAY, field="killed", **kw) -> Fact:
    return Fact(field, value, source, reliability, published, **kw)


# Intervals ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, interval", [
    (figure(72), Interval(72, 72)),
    (figure(70, "over"), Interval(70, None)),
    (figure(70, "at_least"), Interval(70, None)),
    (figure(100, "about"), Interval(90, 110)),
    (figure(5, "about"), Interval(4, 6)),
    (figure(40, "nearly"), Interval(36, 40)),
    ({"low": 24, "best": None, "high": 99, "qualifier": "vague", "mentions": []}, Interval(24, 99)),  # dozens
    ({"low": 1, "best": 62, "high": 62, "qualifier": None, "mentions": []}, Interval(62, 62)),  # a misread 1 beside
    ({"low": 60, "best": 70, "high": 80}, Interval(60, 80)),  # an analyst's coded range
    ({"low": None, "best": None, "high": None, "qualifier": "vague"}, None),  # "many"
])
def test_every_figure_is_an_interval(value, interval):
    assert interval_of(value) == interval


def test_more_than_70_and_72_agree_and_the_best_is_72():
    agreed = consensus([fact(figure(70, "over"), "AFP"), fact(figure(72), "Geo")])
    assert agreed.killed == (70, 72, 72) and agreed.conflicts == []


def test_over_100_is_a_floor_not_exactly_100():
    agreed = consensus([fact(figure(100, "over"), "Dawn", field="injured")])
    assert agreed.injured == (100, 100, None)  # no ceiling known
    incident = Incident(injured_low=100, injured_best=100, injured_high=None)
    assert shown(incident, "injured") == "≥100"


def test_a_report_whose_other_count_was_misread_gives_no_range_from_it():
    misread = {"low": 1, "best": 62, "high": 62, "qualifier": None, "text": "62",
               "mentions": [{"low": 1, "best": 1, "high": 1}, {"low": 62, "best": 62, "high": 62}]}
    agreed = consensus([fact(misread, "Dawn"), fact(figure(60, "about"), "Geo")])
    assert agreed.killed == (54, 62, 66) and agreed.conflicts == []


def test_a_disagreement_is_flagged_only_when_intervals_do_not_overlap_and_names_each_side():
    facts = [fact(figure(70, "over"), "AFP"), fact(figure(72), "Geo"), fact(figure(93), "AP")]
    agreed = consensus(facts)
    assert agreed.killed == (70, 72, 93)
    assert agreed.conflicts == ["killed: more than 70 (AFP), 72 (Geo) vs 93 (AP)"]
    assert consensus([fact(figure(90, "about"), "AP"), fact(figure(93), "Geo")]).conflicts == []


def test_floors_alone_give_the_highest_floor_and_leave_the_ceiling_open():
    agreed = consensus([fact(figure(141, "at_least"), "Dawn"), fact(figure(130, "over"), "Geo")])
    assert agreed.killed == (130, 141, None) and agreed.conflicts == []


# Revisions and subsets -----------------------------------------------------------------------------------------------

def test_an_official_revision_supersedes_the_earlier_figure_which_stays_shown():
    earlier = fact(figure(93), "AP", "B", DAY, claim_id=1)
    lowered = fact(figure(84, revision=True, official=True), "Dawn", "C", DAY + dt.timedelta(1), claim_id=2)
    agreed = consensus([earlier, lowered])
    assert agreed.killed == (84, 84, 84) and agreed.conflicts == []
    assert agreed.superseded == {1: "superseded by 84 (Dawn): an official revision"}
    assert any("93 (AP) superseded by 84 (Dawn)" in note for note in agreed.notes)


def test_a_revision_from_a_less_reliable_source_does_not_supersede_nor_does_an_earlier_one():
    earlier = fact(figure(93), "AP", "B", DAY)
    unofficial = fact(figure(84, revision=True), "Blog", "E", DAY + dt.timedelta(1))
    assert consensus([earlier, unofficial]).killed == (84, 93, 93)  # the B source still decides the best
    older = fact(figure(84, revision=True, official=True), "Dawn", "C", DAY - dt.timedelta(1))
    assert consensus([earlier, older]).killed == (84, 93, 93)


def test_a_later_report_of_the_same_source_replaces_its_figure_or_narrows_it():
    rising = [fact(figure(40), "Dawn", published=DAY), fact(figure(72), "Dawn", published=DAY + dt.timedelta(1))]
    assert consensus(rising).killed == (72, 72, 72)
    narrowing = [fact(figure(148, "at_least"), "Dawn", published=DAY),
                 fact(figure(130, "over"), "Dawn", published=DAY + dt.timedelta(300))]  # a background mention
    assert consensus(narrowing).killed == (148, 148, None)


def test_a_subset_count_never_becomes_the_total():
    facts = [fact(figure(170, "over"), "Dawn"), fact(figure(13) | {"subset": "soldiers"}, "Dawn"),
             fact(figure(13) | {"subset": "soldiers"}, "Geo")]
    agreed = consensus(facts)
    assert agreed.killed == (170, 170, None) and agreed.conflicts == []
    assert consensus(facts[1:]).killed == (None, None, None)  # parts alone give no total
    grades = grade_all(facts, agreed, {})
    assert "contradicted" not in grades["killed"].reason


# Analysts' decisions -------------------------------------------------------------------------------------------------

def test_an_agreement_pins_the_best_says_whose_and_settles_the_disagreement():
    facts = [fact(figure(70), "AFP"), fact(figure(72), "Geo"), fact(figure(1), "Blog"),
             fact(figure(73), "AP", verdict="agree", agreed_by="amina")]
    agreed = consensus(facts)
    assert agreed.killed[1] == 73 and not any(c.startswith("killed") for c in agreed.conflicts)
    assert agreed.notes[0] == "killed: 73 agreed by amina"
    assert "the sources disagree" in agreed.notes[1]
    grade = grade_all(facts, agreed, {})["killed"]
    assert grade.level == 1 and grade.reason == "agreed by amina"
    two = [*facts, fact(figure(70), "Dawn", verdict="agree", agreed_by="omar")]
    assert "analysts agreed with different figures" in consensus(two).conflicts[0]


# Order never matters -------------------------------------------------------------------------------------------------

QUALIFIERS = st.sampled_from([None, "over", "at_least", "about", "nearly"])
FIGURE_FACTS = st.builds(
    lambda best, qualifier, source, reliability, day, revision, official, subset, verdict, field: fact(
        figure(best, qualifier, **({"revision": True} if revision else {}), **({"official": True} if official else {}),
               **({"subset": "police"} if subset else {})),
        source, reliability, DAY + dt.timedelta(day), field, verdict=verdict,
        agreed_by="amina" if verdict == "agree" else None),
    st.integers(0, 300), QUALIFIERS, st.sampled_from(["AP", "Dawn", "Geo", "AFP"]), st.sampled_from("ABCF"),
    st.integers(0, 3), st.booleans(), st.booleans(), st.booleans(), st.sampled_from([None, None, "agree", "dispute"]),
    st.sampled_from(["killed", "injured"]))
OTHER_FACTS = st.one_of(
    st.builds(lambda t, s: fact(t, s, field="attack_type"), st.sampled_from(["bombing", "suicide_bombing"]),
              st.sampled_from(["AP", "Dawn"])),
    st.builds(lambda a, s: fact({"actor_id": a, "mode": "claimed"}, s, field="responsibility"),
              st.sampled_from(["ttp", "iskp"]), st.sampled_from(["AP", "Dawn"])),
    st.builds(lambda d, s: fact({"start": d, "end": d, "precision": "day"}, s, field="date"),
              st.sampled_from(["2016-08-08", "2016-08-09"]), st.sampled_from(["AP", "Dawn"])),
)


@pytest.mark.slow  # 300 generated examples
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FIGURE_FACTS, OTHER_FACTS), max_size=10), st.randoms(use_true_random=False))
def test_the_consensus_of_a_set_of_claims_does_not_depend_on_their_order(facts, rnd):
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    assert consensus(shuffled) == consensus(facts)


# In the store, on both backends ---------------------------------------------------------------------------------------

HOSPITAL = "A suicide bomber struck the emergency ward of the Civil Hospital in Quetta on Monday, "
TEXTS = {
    "AFP": HOSPITAL + "killing more than 70 people and wounding over 100, police said.",
    "Geo": "A suicide bombing at the Civil Hospital in Quetta on Monday killed 72 people, hospital officials said.",
    "AP": "A suicide bomber attacked the Civil Hospital in Quetta on Monday, killing 93 people.",
    "Dawn": "A suicide bomber attacked the Civil Hospital in Quetta on Monday. Officials first spoke of 93 dead. "
            "Officials later lowered the toll to 84.",
}


def ingest(store, *sources, published=DAY, reliability=None) -> list[str]:
    return ingest_reports(store, [IncomingReport(TEXTS[s], s, source=s, published=published) for s in sources],
                          reliability=reliability).said


def the_incident(store) -> Incident:
    with store.session() as session:
        found = list(session.scalars(select(Incident).where(Incident.status == "active", Incident.kind == "attack")))
        assert len(found) == 1, [(i.title, i.report_count) for i in found]
        session.expunge(found[0])
        return found[0]


def killed_claim(session, source: str) -> int:
    return session.scalar(select(Claim.id).join(Report, Report.id == Claim.report_id)
                          .join(Source, Source.id == Report.source_id)
                          .where(Claim.field == "killed", Source.name == source))


def test_stored_qualified_figures_agree(store):
    ingest(store, "AFP", "Geo")
    incident = the_incident(store)
    assert (incident.killed_low, incident.killed_best, incident.killed_high) == (70, 72, 72)
    assert (incident.injured_low, incident.injured_best, incident.injured_high) == (100, 100, None)
    assert not incident.has_conflict and shown(incident, "injured") == "≥100"


def test_stored_official_revision_replaces_the_earlier_toll(store):
    ingest(store, "AP", reliability="B")
    ingest(store, "Dawn", published=DAY + dt.timedelta(1), reliability="B")
    incident = the_incident(store)
    assert incident.killed_best == 84 and not incident.has_conflict
    with store.session() as session:
        panel = verification(session, session.get(Incident, incident.id), implicit_admin(store))
        ap = killed_claim(session, "AP")
    assert panel["superseded"][ap].startswith("superseded by 84 (Dawn)")


def test_stored_agreement_reads_right_in_the_panel(store):
    ingest(store, "AFP", "Geo", "AP")
    incident = the_incident(store)
    assert incident.has_conflict and incident.killed_best == 72
    viewer = Viewer(None, store.local_org_id(), "analyst", "amina")
    with store.session() as session:
        ap = killed_claim(session, "AP")
        assess(session, ap, "agree", viewer, "the hospital's list")
    with store.session() as session:
        row = session.get(Incident, incident.id)
        panel = verification(session, row, viewer)
        assert row.killed_best == 93 and not row.has_conflict
    assert panel["killed"]["best"] == 93 and panel["conflicts"] == []
    assert panel["notes"][0] == "killed: 93 agreed by amina"
    assert panel["credibility"]["killed"] == {"level": 1, "label": "1 (confirmed)", "reason": "agreed by amina"}


def test_undated_reports_are_said_and_a_date_in_the_text_is_used(store):
    undated = IncomingReport("A bomb killed five people in a market in Quetta on Tuesday.", "market.txt",
                             source="Dawn")
    datelined = IncomingReport("QUETTA, 14 August 2016 — A bomb killed five people at a bus stop in Quetta on "
                               "Tuesday, police said.", "bus.txt", source="Geo")
    ran = ingest_reports(store, [undated, datelined])
    summary, said = ran.summary, ran.said
    assert (summary.undated, summary.dated_from_text, summary.failed) == (1, 1, 0)
    assert "1 reports had no publication date: relative dates not resolved" in summary.line()
    assert any(line.startswith("market.txt: no publication date") for line in said)
    assert any(line.startswith("bus.txt: no publication date given; dated 2016-08-14") for line in said)
    with store.session() as session:
        published = dict(session.execute(select(Source.name, Report.published).join(Report.source)).all())
        dates = {c.value["start"] for c in session.scalars(select(Claim).where(Claim.field == "date"))}
    assert published == {"Dawn": None, "Geo": dt.date(2016, 8, 14)}
    assert dates == {"2016-08-09"}  # the Tuesday before the dateline; the undated report's Tuesday is nothing


# Determinism ---------------------------------------------------------------------------------------------------------

def example_reports() -> list:
    metadata = read_metadata(EXAMPLES / "reports" / "metadata.csv")
    items = list(read_inputs([str(EXAMPLES)]))
    return items, metadata


def snapshot(store) -> list:
    """The store as content, never ids: each incident by its reports and its summary, with every claim."""
    with store.session() as session:
        hashes = dict(session.execute(select(Report.id, Report.content_hash)).all())
        claims: dict[int, list] = {}
        for c in session.scalars(select(Claim)):
            value = json.dumps(c.value, sort_keys=True)  # PostgreSQL's JSONB keeps keys in its own order
            claims.setdefault(c.incident_id, []).append((hashes.get(c.report_id), c.field, value, c.span_start))
        out = []
        for i in session.scalars(select(Incident)):
            out.append((sorted(claims.get(i.id, [])), i.status, i.kind, i.title, str(i.date_start), i.place_id,
                        i.attack_type, i.target_type, i.killed_low, i.killed_best, i.killed_high, i.injured_low,
                        i.injured_best, i.injured_high, i.has_conflict, i.report_count))
        return sorted(out)


def test_ingest_gives_the_same_store_whatever_the_workers_and_the_input_order(database_url, databases, tmp_path):
    items, metadata = example_reports()
    shuffled = list(items)
    random.Random(14).shuffle(shuffled)
    snapshots = []
    for n, (workers, inputs) in enumerate([(1, items), (2, items), (2, shuffled)]):
        with databases.new("sqlite", tmp_path / f"run{n}") as url:
            store = open_store(database_url if n == 0 else url)
            try:
                ingest_reports(store, inputs, workers=workers, metadata=metadata, source="Jirga sample reports")
                snapshots.append(snapshot(store))
            finally:
                store.close()
    assert len(snapshots[0]) > 50
    assert snapshots[1] == snapshots[0]
    assert snapshots[2] == snapshots[0]
