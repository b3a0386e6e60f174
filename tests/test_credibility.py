"""The low-credibility filter reads columns of the incident views (jirga.store.credibility): it hides exactly the
incidents the subquery it replaced hid, for every viewer and after a source is graded again, and migration 0013
backfills those columns exactly as the writer writes them. Both backends."""

from __future__ import annotations

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, delete, func, or_, select, update

from jirga.access import visible
from jirga.db.database import alembic_config
from jirga.db.schema import Assessment, Claim, Incident, IncidentView, Report, SourceGrade
from jirga.store.credibility import BASIS_COLUMNS
from jirga.store.queries import IncidentFilter, list_incidents
from jirga.store.summary import claim_rows, summarize
from tests.test_access import World, build, clear, worlds


def old_credible(viewer):
    """The filter as it was before the views carried its basis: a subquery per incident (kept as the oracle)."""
    told = and_(Claim.incident_id == Incident.id, ~Claim.retired, visible(Claim, viewer))
    sources = (select(func.count(func.distinct(Report.source_id))).select_from(Claim)
               .join(Report, Report.id == Claim.report_id).where(told, Report.is_current).scalar_subquery())
    trusted = (select(Claim.incident_id).join(Report, Report.id == Claim.report_id)
               .join(SourceGrade, and_(SourceGrade.source_id == Report.source_id,
                                       SourceGrade.org_id == Report.owner_org_id))
               .where(~Claim.retired, visible(Claim, viewer), Report.is_current,
                      SourceGrade.reliability.in_(("A", "B", "C"))))
    analysts = select(Claim.incident_id).where(Claim.origin == "analyst", ~Claim.retired, visible(Claim, viewer))
    agreed = select(Assessment.incident_id).where(Assessment.verdict == "agree", visible(Assessment, viewer))
    return or_(and_(IncidentView.report_count > 1, sources >= 2), Incident.id.in_(trusted),
               Incident.id.in_(analysts), Incident.id.in_(agreed))


def listed(session, viewer, hide=("low_credibility",)) -> set[int]:
    where = IncidentFilter(include_superseded=True, limit=1000, hide=hide)
    return {incident.id for incident in list_incidents(session, where, viewer=viewer)}


def oracle(session, viewer) -> set[int]:
    everything = listed(session, viewer, hide=())
    return set(session.scalars(select(Incident.id).join(IncidentView, and_(IncidentView.incident_id == Incident.id))
                               .where(Incident.id.in_(everything), old_credible(viewer)))) if everything else set()


@st.composite
def changes(draw, built):
    """What analysts and partners add to a built world: reports sharing a source, grades, analysts' claims and
    agreements, each with a marking of the world's."""
    reports, claims, orgs = sorted(built.reports), sorted(built.claims), built.org_ids
    marking = st.tuples(st.sampled_from(orgs), st.sampled_from(["clear", "green", "amber", "amber+strict", "red"]),
                        st.sampled_from([None, *built.members]))
    return {
        "same_source": draw(st.lists(st.sampled_from(reports), max_size=3)),
        "not_current": draw(st.lists(st.sampled_from(reports), max_size=1)),
        "grades": draw(st.lists(st.tuples(st.sampled_from(orgs), st.sampled_from(reports), st.sampled_from("ABCDEF")),
                                max_size=4)),
        "agree": draw(st.lists(st.tuples(st.sampled_from(claims), marking, st.sampled_from(["agree", "dispute"])),
                               max_size=2)) if claims else [],
        "analyst": draw(st.lists(st.tuples(st.sampled_from(sorted(built.incidents)), marking), max_size=2))
        if built.incidents else [],
    }


def apply(store, built, change) -> None:
    with store.session() as session:
        first = session.get(Report, min(built.reports)).source_id
        session.execute(update(Report).where(Report.id.in_(change["same_source"])).values(source_id=first))
        session.execute(update(Report).where(Report.id.in_(change["not_current"])).values(is_current=False))
        for org, report, grade in change["grades"]:
            source = session.get(Report, report).source_id
            session.merge(SourceGrade(org_id=org, source_id=source, reliability=grade))
        for claim_id, (owner, tlp, group), verdict in change["agree"]:
            claim = session.get(Claim, claim_id)
            session.add(Assessment(claim_id=claim_id, incident_id=claim.incident_id, verdict=verdict,
                                   created_by="amina", owner_org_id=owner, tlp=tlp, sharing_group_id=group))
        for incident_id, (owner, tlp, group) in change["analyst"]:
            session.add(Claim(incident_id=incident_id, report_id=None, event="incident-1", field="killed",
                              value={"low": 9, "best": 9, "high": 9}, text="9", origin="analyst",
                              created_by="amina", owner_org_id=owner, tlp=tlp, sharing_group_id=group))
        session.flush()
        for incident in session.scalars(select(Incident)):  # the writer, as after any decision
            summarize(session, incident, claim_rows(session, incident.id))


def basis_rows(store) -> list[tuple]:
    with store.session() as session:
        return [tuple(row) for row in session.execute(
            select(IncidentView.incident_id, IncidentView.org_id,
                   *(getattr(IncidentView, name) for name in BASIS_COLUMNS))
            .order_by(IncidentView.incident_id, IncidentView.org_id))]


@pytest.mark.slow  # generated worlds, each built in the store and migrated down and up again
def test_the_filter_hides_what_the_subquery_hid_and_the_migration_backfills_what_the_writer_writes(store):
    @settings(max_examples=12 if store.dialect == "sqlite" else 6, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(worlds(), st.data())
    def check(world, data) -> None:
        with store.session() as session:  # what test_access's clear() does not know of
            session.execute(delete(Assessment))
            session.execute(delete(SourceGrade))
        clear(store)
        built = build(store, world)
        apply(store, built, data.draw(changes(built)))
        with store.session() as session:
            for viewer in built.viewers:
                assert listed(session, viewer) == oracle(session, viewer), viewer
        written = basis_rows(store)
        config = alembic_config(store.engine)
        command.downgrade(config, "0012")
        command.upgrade(config, "head")
        assert basis_rows(store) == written

    check()


def test_grading_a_source_again_changes_the_filter_at_once(store):
    from tests.conftest import ingest_reports
    from tests.test_fuse import analyst
    from tests.test_triage import GRADED

    ingest_reports(store, [GRADED], silent=True)  # its source ungraded: F
    me = analyst(store)
    with store.session() as session:
        assert listed(session, me) == set()
        source = session.scalar(select(Report.source_id))
        session.add(SourceGrade(org_id=me.org_id, source_id=source, reliability="B"))
    with store.session() as session:
        assert len(listed(session, me)) == 1 == len(oracle(session, me))
        session.execute(update(SourceGrade).values(reliability="D"))
    with store.session() as session:
        assert listed(session, me) == set() == oracle(session, me)


def test_one_source_carried_by_two_organisations_is_credible_when_either_grades_it_well(store):
    world = World(orgs=2, groups=[], users=[(0, "analyst"), (1, "analyst")], reports=[(0, "green", None),
                                                                                         (1, "green", None)],
                  incidents=[((0, "green", None), [((0, "green", None), 0, False), ((1, "green", None), 1, False)])])
    built = build(store, world)
    apply(store, built, {"same_source": sorted(built.reports), "not_current": [], "agree": [], "analyst": [],
                         "grades": [(built.org_ids[1], max(built.reports), "B")]})
    (incident_id, _, corroborated, source, grader), = basis_rows(store)
    assert (corroborated, grader) == (False, None) and source is not None  # one source, two organisations grading
    with store.session() as session:
        for viewer in built.viewers:
            assert listed(session, viewer) == {incident_id} == oracle(session, viewer)
