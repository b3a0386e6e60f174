"""The triage list: sorting with paging that follows the sort, the quality filter, the actor filter by role, the
total of the whole filter, and each row's credibility and the fields its sources disagree on."""

from __future__ import annotations

import datetime as dt

import pytest

from jirga.assess.stats import total
from jirga.errors import QueryError
from jirga.model.report import IncomingReport
from jirga.store.queries import IncidentFilter, list_incidents
from jirga.store.triage import row_notes
from tests.conftest import ingest_reports, run_jirga
from tests.test_fuse import analyst
from tests.test_move_claim import phantom_reports
from tests.test_web_api import hospital_reports

# A report with no date anywhere: its incident is undated. And one from a source we grade B (usually reliable).
UNDATED = IncomingReport("Gunmen attack police post in Bannu\n\nGunmen attacked a police post in Bannu, killing two "
                         "officers and wounding four, a district official said.", "undated", source="Local radio")
GRADED = IncomingReport("Roadside bomb kills four soldiers in North Waziristan\n\nMIRANSHAH — A roadside bomb killed "
                        "four soldiers on patrol near Miranshah in North Waziristan on Saturday, the army said.",
                        "graded", source="Army press office", published=dt.date(2017, 5, 21))


@pytest.fixture
def triage(store):
    ingest_reports(store, hospital_reports() + phantom_reports(), silent=True)
    ingest_reports(store, [UNDATED])  # says that it has no publication date
    ingest_reports(store, [GRADED], reliability="B", silent=True)
    return store


def listed(store, **filters) -> list:
    with store.session() as session:
        return list_incidents(session, IncidentFilter(**({"limit": 100} | filters)), viewer=analyst(store))


@pytest.mark.parametrize("sort, ascending", [("killed", False), ("killed", True), ("injured", False),
                                             ("reports", False), ("date", True), ("date", False)])
def test_pages_of_any_order_follow_on_without_gaps_or_repeats(triage, sort, ascending):
    everything = listed(triage, sort=sort, ascending=ascending)
    values = [getattr(i, {"killed": "killed_best", "injured": "injured_best", "reports": "report_count",
                          "date": "date_start"}[sort]) for i in everything]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=not ascending) and values[:len(known)] == known  # unknown last
    paged = [i.id for offset in range(0, len(everything), 2)
             for i in listed(triage, sort=sort, ascending=ascending, offset=offset, limit=2)]
    assert paged == [i.id for i in everything] and len(set(paged)) == len(paged) == 6


def test_the_quality_filter_hides_undated_single_source_and_low_credibility_incidents(triage):
    assert len(listed(triage)) == 6
    dated = listed(triage, hide=("undated",))
    assert len(dated) == 5 and all(i.date_start for i in dated)
    assert [i.report_count for i in listed(triage, hide=("single_source",))] == [2]
    # Credible enough: the hospital (two outlets) and the army's report (a source graded B); every other incident
    # rests on one ungraded source (F), which can make it no better than doubtful.
    credible = {i.killed_best for i in listed(triage, hide=("low_credibility",))}
    assert credible == {70, 4}
    assert listed(triage, hide=("undated", "single_source", "low_credibility"))[0].killed_best == 70


def test_the_actor_filter_tells_who_did_it_from_who_is_named(triage):
    claimed = {i.killed_best for i in listed(triage, actor="Jamaat-ul-Ahrar", actor_role="perpetrator")}
    assert 70 in claimed
    assert listed(triage, actor="Jamaat-ul-Ahrar", actor_role="mentioned") == []
    with pytest.raises(QueryError, match="actor role 'victim'"):
        listed(triage, actor="TTP", actor_role="victim")


def test_the_total_counts_the_whole_filter_not_the_page(triage):
    with triage.session() as session:
        where = IncidentFilter(limit=2, offset=2, hide=("undated",))
        summed = total(session, where, viewer=analyst(triage))
    assert summed.incidents == 5
    assert summed.killed.best == 70 + 3 + 6 + 4  # the phantom gives no toll: counted apart, not as 0
    assert summed.killed.unknown == 1 and summed.killed.high == 74 + 3 + 6 + 4
    assert summed.killed.text() == "83 (83–87)"


def test_each_row_says_how_credible_it_is_and_what_its_sources_disagree_on(triage):
    incidents = listed(triage)
    with triage.session() as session:
        notes = row_notes(session, incidents, analyst(triage))
    hospital = next(i for i in incidents if i.report_count == 2)
    assert notes[hospital.id].disagree == ["killed", "responsibility"]
    assert (notes[hospital.id].graded, notes[hospital.id].credibility) == ("killed", 2)
    army = next(i for i in incidents if i.killed_best == 4)
    assert (notes[army.id].credibility, notes[army.id].disagree) == (3, [])  # one source, graded B
    phantom = next(i for i in incidents if i.killed_best is None and i.date_start)
    assert notes[phantom.id].graded == "date"


def test_the_command_sorts_filters_and_pages(triage, database_url):
    shown = run_jirga("incidents", "--sort", "killed", "--hide", "undated", "--hide", "single-source",
                      "--format", "json", "--db", database_url)
    assert shown.returncode == 0, shown.stderr
    assert '"killed_best": 70' in shown.stdout and '"killed_best": 3' not in shown.stdout
    second = run_jirga("incidents", "--sort", "killed", "--ascending", "--offset", "1", "--limit", "1", "--format",
                       "json", "--db", database_url)
    assert second.returncode == 0 and '"killed_best": 3,' in second.stdout  # after Bannu's 2
    wrong = run_jirga("incidents", "--actor-role", "perpetrator", "--db", database_url)
    assert wrong.returncode == 2 and "an actor role needs an actor" in wrong.stderr


def test_a_keyset_cursor_pages_only_the_newest_first_order(triage):
    with pytest.raises(QueryError, match="page other orders by offset"):
        listed(triage, sort="killed", after=(None, 3))
