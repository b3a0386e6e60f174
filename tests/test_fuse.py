"""Clue verification: matching accounts, consensus without overwriting, Admiralty grades, analysts' decisions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from jirga.access import NotFound, PermissionDenied, Viewer
from jirga.db.schema import Claim, Incident
from jirga.fuse.consensus import Fact, consensus
from jirga.fuse.grading import grade_all, near_copies
from jirga.fuse.match import EventView, compare
from jirga.model.extraction import PlaceRef
from jirga.model.report import IncomingReport
from jirga.store.decisions import DecisionError, assess, history, merge, split, undo
from jirga.store.queries import IncidentFilter, list_incidents
from tests.conftest import ingest_reports, run_jirga

QUETTA = PlaceRef("Quetta", "city", "PK", "Balochistan", "PK-BA", "Quetta", gazetteer_id="PK-BA/quetta@city")
BALOCHISTAN = PlaceRef("Balochistan", "province", "PK", "Balochistan", "PK-BA", gazetteer_id="PK-BA")
MASTUNG = PlaceRef("Mastung", "city", "PK", "Balochistan", "PK-BA", "Mastung", gazetteer_id="PK-BA/mastung@city")
DAY = dt.date(2016, 8, 8)


def view(**fields) -> EventView:
    base = {"kind": "attack", "date_start": DAY, "date_end": DAY, "date_precision": "day", "place": QUETTA,
            "attack_type": "suicide_bombing", "target_type": "health", "killed": 70,
            "actors": frozenset({"jamaat-ul-ahrar"})}
    return EventView(**(base | fields))


def test_the_same_attack_told_differently_matches():
    other = view(killed=74, actors=frozenset({"islamic-state"}), place=BALOCHISTAN, date_start=DAY + dt.timedelta(1),
                 date_end=DAY + dt.timedelta(1))
    match = compare(view(), other)
    assert match.same, match.explain()
    assert set(match.features) == {"date", "place", "attack_type", "target", "actors", "killed"}


@pytest.mark.parametrize("change, why", [
    ({"date_start": DAY + dt.timedelta(7), "date_end": DAY + dt.timedelta(7)}, "7 days apart"),
    ({"place": MASTUNG}, "different places"),
    ({"kind": "arrest"}, "attack and arrest"),
])
def test_look_alikes_stay_apart(change, why):
    match = compare(view(), view(**change))
    assert not match.same and why in match.explain()


def test_same_city_same_day_different_attack_scores_below_the_threshold():
    other = view(attack_type="armed_assault", target_type="police", killed=3, actors=frozenset({"ttp"}))
    assert not compare(view(), other).same


def fact(field, value, source, reliability="F", published=DAY, **kw) -> Fact:
    return Fact(field, value, source, reliability, published, **kw)


def killed(best, low=None, high=None):
    return {"low": best if low is None else low, "best": best, "high": best if high is None else high}


def test_conflicting_figures_and_claims_are_kept_side_by_side():
    facts = [fact("killed", killed(70), "Dawn", "B"), fact("killed", killed(72), "Geo", "B"),
             fact("killed", killed(70, high=None), "AFP", "B"), fact("killed", killed(74), "Hospital", "C"),
             fact("killed", killed(40), "Dawn", "B", published=DAY - dt.timedelta(1)),
             fact("responsibility", {"actor_id": "jamaat-ul-ahrar", "mode": "claimed"}, "Dawn"),
             fact("responsibility", {"actor_id": "islamic-state", "mode": "claimed"}, "Amaq")]
    agreed = consensus(facts)
    # Dawn's earlier 40 is superseded by its own later 70; best from the B sources' figures
    assert agreed.killed == (70, 70, 74)
    assert any("40 (Dawn) superseded by 70 (Dawn)" in note for note in agreed.notes)
    assert agreed.claimed_by == ["islamic-state", "jamaat-ul-ahrar"]  # in a fixed order, whatever the input's
    # named side by side: those whose figure allows the best, then the others
    assert "killed: 70 (AFP, Dawn) vs 72 (Geo), 74 (Hospital)" in agreed.conflicts
    assert any("responsibility" in c for c in agreed.conflicts)
    disputed = [f if f.source != "Geo" else Fact(**{**f.__dict__, "verdict": "agree"}) for f in facts]
    assert consensus(disputed).killed[1] == 72  # an analyst's agreement outranks the sources


def test_credibility_counts_near_copies_once():
    wire = "A suicide bomber struck the emergency ward of the Civil Hospital in Quetta on Monday killing seventy " \
           "people including many lawyers who had gathered there after the killing of a bar association leader."
    texts = {1: wire, 2: wire + " Our correspondent adds that the city was tense.", 3: "Entirely different words "
             "describe the hospital blast in Quetta that left seventy dead, according to the provincial government."}
    copies = near_copies(texts)
    assert copies == {1: 1, 2: 1, 3: 3}
    facts = [fact("killed", killed(70), f"Outlet {i}", "B", report_id=i) for i in (1, 2, 3)]
    grades = grade_all(facts, consensus(facts), copies)
    assert grades["killed"].level == 2 and "counted once" in grades["killed"].reason
    facts.append(fact("killed", killed(70), "Outlet 4", "B", report_id=4))
    assert grade_all(facts, consensus(facts), copies | {4: 4})["killed"].level == 1
    lonely = [fact("killed", killed(70), "Unknown blog", "F", report_id=9)]
    assert grade_all(lonely, consensus(lonely), {9: 9})["killed"].level == 6


HOSPITAL_A = ("Suicide bomber kills 70 at Quetta hospital\n\nQUETTA — A suicide bomber struck the crowd at the "
              "Civil Hospital in Quetta on Monday, killing 70 people, most of them lawyers. Jamaat-ul-Ahrar, a "
              "faction of the Pakistani Taliban, claimed responsibility.")
HOSPITAL_B = ("Islamic State claims Quetta hospital attack\n\nThe Islamic State group said through its Amaq agency "
              "that it carried out Monday's suicide bombing at the Civil Hospital in Quetta, which killed 74 people.")
MARKET = ("Bomb kills three in Quetta market\n\nQUETTA — A bomb planted on a motorcycle exploded in a Quetta "
          "vegetable market on Monday, killing three people, police said. No group claimed the blast.")


def ingest(store, *texts_and_sources):
    ingest_reports(store, [IncomingReport(text, source, source=source, published=dt.date(2016, 8, 9))
                           for text, source in texts_and_sources], silent=True)


def analyst(store, name: str = "amina", role: str = "analyst", org: int | None = None) -> Viewer:
    return Viewer(None, org or store.local_org_id(), role, name)


def incidents(store) -> list[Incident]:
    with store.session() as session:
        return list_incidents(session, IncidentFilter(kind="attack"), viewer=analyst(store))


def test_reports_of_one_attack_become_one_incident_with_both_claims(store):
    ingest(store, (HOSPITAL_A, "Dawn"), (HOSPITAL_B, "Reuters"), (MARKET, "Geo"))
    found = incidents(store)
    hospital = [i for i in found if i.report_count == 2]
    assert len(hospital) == 1 and len(found) == 2, [(i.title, i.report_count) for i in found]
    assert (hospital[0].killed_low, hospital[0].killed_high) == (70, 74) and hospital[0].has_conflict
    with store.session() as session:
        claimed = {c.value["actor_id"] for c in session.scalars(select(Claim).where(
            Claim.incident_id == hospital[0].id, Claim.field == "responsibility"))}
        assert claimed == {"jamaat-ul-ahrar", "islamic-state"}
        joined = history(session, hospital[0].id, analyst(store))[-1]
        assert joined.action == "joined" and "score" in joined.detail["match"]


def test_analysts_dispute_merge_split_and_undo(store):
    ingest(store, (HOSPITAL_A, "Dawn"), (HOSPITAL_B, "Reuters"), (MARKET, "Geo"))
    hospital = next(i for i in incidents(store) if i.report_count == 2)
    market = next(i for i in incidents(store) if i.report_count == 1)
    with store.session() as session:
        figure = session.scalar(select(Claim).where(Claim.incident_id == hospital.id, Claim.field == "killed",
                                                    Claim.value["best"].as_integer() == 74))
        assess(session, figure.id, "dispute", analyst(store), "the hospital counted the bomber")
        assert session.get(Incident, hospital.id).killed_high == 70  # the disputed figure no longer counts
        with pytest.raises(DecisionError):
            assess(session, figure.id, "agree", analyst(store), " ")  # a reason is required
    with store.session() as session:
        reports = sorted({c.report_id for c in session.get(Incident, hospital.id).claims})
        new, entry = split(session, hospital.id, [reports[1]], analyst(store), "Amaq claims are often opportunistic")
        split_entry, new_id = entry.id, new.id
        assert session.get(Incident, hospital.id).report_count == 1
    ingest(store, (HOSPITAL_B + " Police confirmed it.", "Reuters"))  # a revision-like report joins, never undoes
    with store.session() as session:
        undo(session, split_entry, analyst(store), "the split was a mistake")
        assert session.get(Incident, hospital.id).report_count >= 2
        left = session.get(Incident, new_id)
        assert left.status == "merged" or left.claims  # emptied, or kept for a report that joined it meanwhile
    with store.session() as session:
        keep, entry = merge(session, hospital.id, market.id, analyst(store, "bilal"), "testing a merge")
        assert keep.report_count == 4 or keep.report_count >= 3
        undo(session, entry.id, analyst(store, "bilal"), "they are different attacks")
        assert session.get(Incident, market.id).status == "active"
        actions = [h.action for h in history(session, hospital.id, analyst(store))]
        assert actions[:2] == ["created", "joined"] and {"assessed", "split", "undone", "merged"} <= set(actions)
        assert session.scalar(select(func.count()).select_from(Incident).where(Incident.status == "active")) >= 2


def test_the_commands_show_conflicts_and_record_decisions(database_url, tmp_path):
    for name, text in (("dawn.txt", HOSPITAL_A), ("reuters.txt", HOSPITAL_B), ("geo.txt", MARKET)):
        (tmp_path / name).write_text(text)
        run_jirga("ingest", str(tmp_path / name), "--source", name[:-4], "--published", "2016-08-09", "--db",
                  database_url, check=True)
    conflicts = json.loads(run_jirga("incidents", "--conflicts", "--format", "json", "--db", database_url,
                                     check=True).stdout)
    assert [c["reports"] for c in conflicts] == [2]
    hospital = conflicts[0]["id"]
    shown = json.loads(run_jirga("show", str(hospital), "--format", "json", "--db", database_url, check=True).stdout)
    checked = shown["verification"]
    assert set(checked["claimed_by"]) == {"jamaat-ul-ahrar", "islamic-state"}
    assert checked["killed"] == {"low": 70, "best": 70, "high": 74}
    assert checked["credibility"]["killed"]["level"] == 2  # 70 and 74 from two independent outlets: probably true
    figure = next(c for c in shown["claims"] if c["field"] == "killed" and c["value"]["best"] == 74)
    assessed = run_jirga("assess", str(figure["id"]), "dispute", "--reason", "counted the bomber", "--db", database_url)
    assert assessed.returncode == 0, assessed.stderr
    again = json.loads(run_jirga("show", str(hospital), "--format", "json", "--db", database_url).stdout)
    assert again["killed_high"] == 70
    no_reason = run_jirga("merge", str(hospital), str(hospital), "--reason", "x", "--db", database_url)
    assert no_reason.returncode == 1 and "cannot be merged with itself" in no_reason.stderr
    history = run_jirga("history", str(hospital), "--db", database_url, check=True).stdout
    assert "assessed" in history and "joined" in history


def test_reextraction_keeps_an_analysts_merge(store):
    from jirga.pipeline.ingest import reextract

    ingest(store, (HOSPITAL_A, "Dawn"), (MARKET, "Geo"))
    hospital, market = sorted(incidents(store), key=lambda i: -(i.killed_best or 0))
    with store.session() as session:
        merge(session, hospital.id, market.id, analyst(store), "one attack in two places of one street, as learned")
    assert reextract(store, workers=1, force=True) == (2, 0)
    with store.session() as session:
        kept = session.get(Incident, hospital.id)
        assert kept.report_count == 2 and session.get(Incident, market.id).status == "merged"
        assert [h.action for h in history(session, hospital.id, analyst(store))][-2:] == ["reextracted"] * 2


def test_deciding_needs_an_analyst_who_can_see_the_incident(store):
    ingest(store, (HOSPITAL_A, "Dawn"), (MARKET, "Geo"))
    first, second = (i.id for i in incidents(store))
    with store.session() as session:
        from jirga.db.schema import Organisation

        partner = Organisation(name="Partner")
        session.add(partner)
        session.flush()
        partner_id = partner.id
    with store.session() as session, pytest.raises(PermissionDenied):
        merge(session, first, second, analyst(store, "vera", role="viewer"), "viewers only read")
    with store.session() as session, pytest.raises(NotFound):  # TLP:AMBER, no sharing group: not theirs to see
        merge(session, first, second, analyst(store, "pavel", org=partner_id), "not ours")
    with store.session() as session:
        assert history(session, first, analyst(store, "pavel", org=partner_id)) is None


def test_claims_of_every_audience_fuse_and_a_merge_stays_within_one(store):
    """A partner's GREEN report and our AMBER one of the same attack become one incident, and an open report from
    anyone joins it (each organisation then sees it through its own view: tests/test_fusion.py); an analyst's merge
    stays within one audience, since it would move claims the analyst may not see."""
    ingest_reports(store, [IncomingReport(HOSPITAL_A, "ours", source="Dawn", published=dt.date(2016, 8, 9))],
                   tlp="amber", silent=True)
    ingest_reports(store, [IncomingReport(HOSPITAL_B, "partner", source="Reuters", published=dt.date(2016, 8, 9),
                                          tlp="green")], silent=True)
    ingest_reports(store, [IncomingReport(HOSPITAL_A.replace("70", "71"), "open", source="AFP",
                                          published=dt.date(2016, 8, 9), tlp="clear")], silent=True)
    [attack] = incidents(store)
    assert (attack.tlp, attack.report_count) == ("amber", 3)  # marked as the strictest of its claims
    # The market bombing of another day, told in a GREEN report: an incident of another audience.
    ingest_reports(store, [IncomingReport(MARKET, "market", source="Geo", published=dt.date(2016, 9, 20),
                                          tlp="green")], silent=True)
    market = next(i for i in incidents(store) if i.id != attack.id)
    with store.session() as session, pytest.raises(DecisionError, match="different organisations"):
        merge(session, attack.id, market.id, analyst(store), "same attack")
