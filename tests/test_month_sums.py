"""The monthly counts kept ready (`jirga.store.month_sums`) equal the direct query over the views, for every
viewer, after every kind of change: ingest across markings, a merge, a split, a moved claim, a dismissal, undo, a
new revision, a withdrawn report; and the migration backfills them exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, func, select

from jirga.access import Viewer
from jirga.access.auth import implicit_admin
from jirga.db.database import alembic_config
from jirga.db.schema import Incident, MonthSum, MonthSumPart, Organisation, Report
from jirga.model.report import IncomingReport
from jirga.store import month_sums, stats
from jirga.store.decisions import dismiss, merge, move_claims, split, undo
from jirga.store.queries import IncidentFilter
from jirga.store.withdrawal import withdraw
from tests.conftest import ingest_reports
from tests.test_access import build, clear, worlds
from tests.test_fuse import HOSPITAL_A, HOSPITAL_B, MARKET, analyst
from tests.test_move_claim import claims_of, phantom_reports

FILTERS = [IncidentFilter(), IncidentFilter(kind="attack"), IncidentFilter(include_superseded=True),
           IncidentFilter(kind="arrest", include_superseded=True)]


def direct(session, where: IncidentFilter, by: str | None, viewer: Viewer, monkeypatch) -> list[tuple]:
    with monkeypatch.context() as patch:
        patch.setattr(month_sums, "serves", lambda *_: False)
        return stats.sums_by(session, where, by, viewer=viewer)


def viewers(store) -> list[Viewer]:
    """Each organisation's viewer, and one of no organisation (who sees what everyone sees)."""
    with store.session() as session:
        orgs = list(session.scalars(select(Organisation.id)))
    return [Viewer(None, None, "viewer", "nobody"), *(Viewer(None, org, "viewer", f"of {org}") for org in orgs)]


def assert_kept_equal_direct(store, monkeypatch) -> None:
    for viewer in viewers(store):
        with store.session() as session:
            for where in FILTERS:
                for by in ("month", None):
                    kept = stats.sums_by(session, where, by, viewer=viewer)
                    assert sorted(kept, key=repr) == sorted(direct(session, where, by, viewer, monkeypatch),
                                                            key=repr), (viewer, where, by)


def kept_rows(store) -> list[tuple]:
    with store.session() as session:
        return sorted(tuple(row) for row in session.execute(
            select(*(getattr(MonthSum, n) for n in (*month_sums.KEY, *month_sums.FIGURES))))
            if any(row[len(month_sums.KEY):]))


def test_the_kept_sums_serve_only_what_they_hold():
    assert month_sums.serves(IncidentFilter(kind="attack", include_superseded=True, limit=5, sort="killed"),
                             "month", False)
    assert month_sums.serves(IncidentFilter(), None, False)
    assert not month_sums.serves(IncidentFilter(), "month", True)  # sectarian
    assert not month_sums.serves(IncidentFilter(), "country", False)
    for choosing in ({"country": "PK"}, {"since": "2016"}, {"actor": "TTP"}, {"conflicts": True},
                     {"hide": ("undated",)}, {"min_id": 3}, {"after": (None, 5)}):
        assert not month_sums.serves(IncidentFilter(**choosing), "month", False), choosing


DAY = dt.date(2016, 8, 9)


def fused_attack(store) -> int:
    """Our TLP:AMBER account and a partner's TLP:GREEN one of the same attack fuse: we see it through our own view,
    the partner through everyone's; our view stands in for everyone's (a part taken away under our organisation).
    And a market bombing of ours. The partner's id."""
    with store.session() as session:
        partner = Organisation(name="Partner")
        session.add(partner)
        session.flush()
        partner_id = partner.id
    ingest_reports(store, [IncomingReport(HOSPITAL_A, "dawn", source="Dawn", published=DAY),
                           IncomingReport(MARKET, "geo", source="Geo", published=DAY)], silent=True)
    ingest_reports(store, [IncomingReport(HOSPITAL_B, "amaq", source="Amaq", published=DAY)], owner=partner_id,
                   tlp="green", silent=True)
    return partner_id


def test_the_kept_sums_equal_the_direct_query_through_every_change(store, monkeypatch):
    fused_attack(store)
    with store.session() as session:
        fused = session.scalars(select(MonthSumPart.incident_id).group_by(MonthSumPart.incident_id)
                                .having(func.count() > 1)).all()
        assert len(fused) == 1  # the hospital: a part under everyone, and ours standing in for it
        hospital = fused[0]
    assert_kept_equal_direct(store, monkeypatch)

    before = {row.id for row in store_incidents(store)}
    ingest_reports(store, phantom_reports(), silent=True)
    attack, phantom = sorted({row.id for row in store_incidents(store)} - before)
    assert_kept_equal_direct(store, monkeypatch)
    me = analyst(store)
    with store.session() as session:
        _, merged = merge(session, attack, phantom, me, "one bombing")
    assert_kept_equal_direct(store, monkeypatch)
    with store.session() as session:
        undo(session, merged.id, me, "two after all")
    assert_kept_equal_direct(store, monkeypatch)

    claim = next(c for c in claims_of(store, phantom) if c.field == "responsibility")
    with store.session() as session:
        _, moved = move_claims(session, claim.id, attack, me, "claims the bombing", whole_event=True)
    assert_kept_equal_direct(store, monkeypatch)
    with store.session() as session:
        undo(session, moved.id, me, "another bombing")
    assert_kept_equal_direct(store, monkeypatch)

    with store.session() as session:
        dawn = session.scalar(select(Report.id).where(Report.origin == "dawn"))
        new, _ = split(session, hospital, [dawn], me, "Dawn tells another")
        split_off = new.id
        dismiss(session, split_off, me, "not an incident")
    assert_kept_equal_direct(store, monkeypatch)

    # A new revision of a report supersedes an incident only the old one told; withdrawing it brings it back.
    url = "https://example.org/market"
    ingest_reports(store, [IncomingReport(MARKET.replace("Quetta", "Peshawar"), "v1", source="Wire", url=url,
                                          published=DAY)], silent=True)
    ingest_reports(store, [IncomingReport(MARKET.replace("Quetta", "Karachi").replace("Monday", "Sunday"), "v2",
                                          source="Wire", url=url, published=DAY)], silent=True)
    with store.session() as session:
        assert session.scalar(select(func.count()).where(Incident.status == "superseded")) == 1
    assert_kept_equal_direct(store, monkeypatch)
    with store.session() as session:
        latest = session.scalar(select(func.max(Report.id)))
    withdraw(store, implicit_admin(store), latest, "posted by mistake")
    with store.session() as session:
        amaq = session.scalar(select(Report.id).where(Report.origin == "amaq"))
    withdraw(store, implicit_admin(store), amaq, "the partner withdrew it")  # the partner's view goes
    assert_kept_equal_direct(store, monkeypatch)

    kept = kept_rows(store)
    with store.session() as session:
        month_sums.rebuild(session)
    assert kept_rows(store) == kept  # what the writer kept is what a count from scratch gives


def store_incidents(store) -> list[Incident]:
    with store.session() as session:
        return list(session.scalars(select(Incident)))


@pytest.mark.slow  # generated worlds, each built in the store
def test_the_kept_sums_equal_the_direct_query_in_generated_worlds(store, monkeypatch):
    @settings(max_examples=25 if store.dialect == "sqlite" else 10, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(worlds())
    def check(world) -> None:
        clear(store)
        build(store, world)
        assert_kept_equal_direct(store, monkeypatch)

    check()


def test_the_migration_backfills_the_kept_sums_exactly(store, monkeypatch):
    fused_attack(store)
    ingest_reports(store, phantom_reports(), silent=True)
    kept = kept_rows(store)
    assert kept
    config = alembic_config(store.engine)
    command.downgrade(config, "0010")
    command.upgrade(config, "head")
    assert kept_rows(store) == kept
    assert_kept_equal_direct(store, monkeypatch)
    with store.session() as session:  # and a store whose sums were lost counts from scratch
        session.execute(delete(MonthSum))
        month_sums.rebuild(session)
    assert kept_rows(store) == kept
