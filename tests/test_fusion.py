"""Claims of different organisations and markings fuse into one incident, and each organisation sees it, filters it
and counts it as the claims it may see tell (`IncidentView`), never by claims hidden from it.

Three organisations share one instance: a coordination cell whose own report is TLP:AMBER, a casualty monitor whose
report of the same attack is TLP:GREEN, and a research centre that owns nothing here. Both backends.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jirga.access import Viewer
from jirga.assess.stats import compute
from jirga.db.schema import Claim, Incident, IncidentView, Organisation
from jirga.model.report import IncomingReport
from jirga.store.queries import IncidentFilter, get_incident, list_incidents
from tests.conftest import ingest_reports

DAY = dt.date(2016, 8, 8)
# Our own wording of two accounts of one attack that disagree on the toll and on who claimed it.
CELL = ("QUETTA - A suicide bomber killed 70 people at the emergency ward of the Civil Hospital in Quetta on "
        "Monday, police said. Jamaat-ul-Ahrar claimed responsibility for the bombing.")
MONITOR = ("A suicide attack at the Civil Hospital in Quetta on 8 August 2016 killed 74 people, provincial officials "
           "said. The Islamic State group claimed the bombing through its Amaq news agency.")


@pytest.fixture
def three(store):
    with store.session() as session:
        orgs = [Organisation(name=name) for name in ("Cell", "Monitor", "Centre")]
        session.add_all(orgs)
        session.flush()
        ids = [org.id for org in orgs]
    cell, monitor, centre = (Viewer(None, org_id, "analyst", name) for org_id, name in
                             zip(ids, ("cell", "monitor", "centre"), strict=True))
    ingest_reports(store, [IncomingReport(CELL, "cell", source="Cell field office", published=DAY, tlp="amber")],
                   owner=cell.org_id, silent=True)
    ingest_reports(store, [IncomingReport(MONITOR, "monitor", source="Monitor", published=DAY, tlp="green")],
                   owner=monitor.org_id, silent=True)
    return store, cell, monitor, centre


def test_fusion_a_partners_green_account_joins_our_amber_incident(three):
    store, cell, monitor, _ = three
    with store.session() as session:
        attacks = session.scalars(select(Incident).where(Incident.kind == "attack")).all()
        assert len(attacks) == 1
        owners = set(session.scalars(select(Claim.owner_org_id).where(Claim.incident_id == attacks[0].id)))
        assert owners == {cell.org_id, monitor.org_id}


def test_fusion_each_organisation_sees_the_summary_of_the_claims_it_may_see(three):
    store, cell, monitor, centre = three
    seen = {}
    for viewer in (cell, monitor, centre):
        with store.session() as session:
            [incident] = list_incidents(session, IncidentFilter(kind="attack"), viewer=viewer)
            shown = get_incident(session, incident.id, viewer=viewer)
            seen[viewer.username] = (incident.killed_best, incident.has_conflict, shown.killed_best, shown.tlp,
                                     shown.owner_org_id)
    assert seen["cell"][1] is True  # 70 against 74: the cell sees both accounts
    # The AMBER account is the cell's alone: the others see the GREEN one, marked and owned as that one is.
    assert seen["monitor"] == seen["centre"] == (74, False, 74, "green", monitor.org_id)


@pytest.mark.parametrize("where, cell_finds, centre_finds", [
    (IncidentFilter(kind="attack", actor="Jamaat-ul-Ahrar"), 1, 0),  # only the AMBER report names it
    (IncidentFilter(kind="attack", actor="Islamic State"), 1, 1),
    (IncidentFilter(kind="attack", conflicts=True), 1, 0),  # the disagreement is between AMBER and GREEN
    (IncidentFilter(kind="attack", country="PK", since="2016-08", until="2016-08"), 1, 1),
])
def test_fusion_filters_match_what_the_viewer_sees_and_nothing_hidden(three, where, cell_finds, centre_finds):
    store, cell, _, centre = three
    for viewer, wanted in ((cell, cell_finds), (centre, centre_finds)):
        with store.session() as session:
            assert len(list_incidents(session, where, viewer=viewer)) == wanted, viewer.username
            counted = compute(session, where, None, viewer=viewer).total
            assert counted.incidents == wanted, viewer.username


def test_fusion_counts_by_group_name_only_the_claimants_the_viewer_may_see(three):
    store, cell, _, centre = three
    for viewer, wanted in ((cell, {"Jamaat-ul-Ahrar", "Islamic State"}), (centre, {"Islamic State"})):
        with store.session() as session:
            rows = compute(session, IncidentFilter(kind="attack"), "group", viewer=viewer).rows
            assert {row.label for row in rows if row.key} == wanted, viewer.username
    with store.session() as session:
        assert compute(session, IncidentFilter(kind="attack"), None, viewer=centre).total.killed.best == 74


def test_fusion_every_audience_has_one_view_and_the_cell_its_own(three):
    store, cell, _, _ = three
    with store.session() as session:
        [attack] = session.scalars(select(Incident.id).where(Incident.kind == "attack")).all()
        views = dict(session.execute(select(IncidentView.org_id, IncidentView.killed_best)
                                     .where(IncidentView.incident_id == attack)).all())
        # Everyone sees the GREEN account; the cell, which also sees its own AMBER one, has a view of its own.
        assert set(views) == {0, cell.org_id} and views[0] == 74
        assert session.scalar(select(func.count()).select_from(IncidentView)) >= 2
