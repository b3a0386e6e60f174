"""Situation assessment on SQLite and PostgreSQL: `jirga stats` and /api/v1/stats over the sample reports.

Each breakdown is computed twice: by the SQL sums `jirga stats` runs (`store.stats.sums_by`) and by counting the
listed incidents one by one in Python (`assess.aggregate.count`, what the situation report rests on); the two must
agree key for key, and both must add up to what `jirga incidents` lists."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from jirga.access.auth import implicit_admin
from jirga.assess.aggregate import Figure, Totals, change, count, previous_period, victim_rows, victim_totals
from jirga.assess.stats import BREAKDOWNS, compute
from jirga.db import open_store
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.store import stats as store_stats
from jirga.store.queries import IncidentFilter, QueryError, list_incidents
from tests.conftest import EXAMPLES, ingest_reports, run_jirga

REPORTS = EXAMPLES / "reports"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def samples(request, databases):
    """Every sample report, ingested by the local organisation (module scope: ingesting is the slow part)."""
    with databases.new(request.param) as url:
        store = open_store(url)
        ran = ingest_reports(store, read_inputs([str(REPORTS)], detect_language=False), source="Sample wire",
                             reliability="B", metadata=read_metadata(REPORTS / "metadata.csv"))
        errors = ran.said
        assert not errors
        yield store, url
        store.close()


def listed(store, where: IncidentFilter):
    with store.session() as session:
        viewer = implicit_admin(store)
        incidents = list_incidents(session, IncidentFilter(**{**where.__dict__, "limit": 10_000}), viewer=viewer)
        groups = store_stats.group_links(session, incidents, viewer)
        session.expunge_all()
    return incidents, groups


@pytest.mark.parametrize("where", [IncidentFilter(kind="attack"), IncidentFilter(),
                                   IncidentFilter(kind="attack", country="PK,AF", since="2016", until="2018"),
                                   IncidentFilter(actor="Islamic State")], ids=["attacks", "all", "PK+AF", "IS"])
def test_assess_stats_totals_are_the_sums_of_the_listed_incidents(samples, where):
    store, _ = samples
    incidents, _ = listed(store, where)
    assert incidents, "the samples should have incidents for this filter"
    with store.session() as session:
        total = compute(session, where, None, viewer=implicit_admin(store)).total
    assert total.incidents == len(incidents)
    for name in ("killed", "injured"):
        best = [getattr(i, f"{name}_best") for i in incidents]
        assert getattr(total, name).best == sum(b for b in best if b is not None)
        assert getattr(total, name).unknown == sum(1 for b in best if b is None)
        assert getattr(total, name).low <= getattr(total, name).best <= getattr(total, name).high
    assert total.conflicts == sum(1 for i in incidents if i.has_conflict)


@pytest.mark.parametrize("by", [key for key in BREAKDOWNS if key != "victim-category"])
@pytest.mark.parametrize("roll_up", [False, True])
def test_assess_each_breakdown_in_sql_counts_as_the_incidents_one_by_one(samples, by, roll_up):
    store, _ = samples
    where = IncidentFilter(kind="attack")
    incidents, groups = listed(store, where)
    with store.session() as session:
        sums = store_stats.sums_by(session, where, by, viewer=implicit_admin(store), roll_up=roll_up)
    in_sql = count([], by, {}, roll_up, sums)
    one_by_one = count(incidents, by, groups, roll_up)
    assert {key: _plain(t) for key, t in in_sql.items()} == {key: _plain(t) for key, t in one_by_one.items()}
    assert len(in_sql) > 1


def _plain(totals: Totals) -> Totals:
    return Totals(totals.incidents, totals.killed, totals.injured, totals.conflicts, totals.single_source)


def test_assess_a_groups_provinces_roll_up_into_the_group(samples):
    store, _ = samples
    with store.session() as session:
        viewer = implicit_admin(store)
        apart = {row.key: row.totals.incidents for row in compute(session, IncidentFilter(kind="attack"), "group",
                                                                   viewer=viewer).rows}
        rolled = {row.key: row.totals.incidents for row in compute(session, IncidentFilter(kind="attack"), "group",
                                                                    viewer=viewer, roll_up=True).rows}
    assert "iskp" in apart and "iskp" not in rolled  # Islamic State Khorasan Province counts as Islamic State
    assert rolled["islamic-state"] >= apart.get("islamic-state", 0) + 1
    assert rolled["islamic-state"] <= apart.get("islamic-state", 0) + apart["iskp"] + sum(
        n for key, n in apart.items() if key and key.startswith("is-"))


def test_assess_victim_categories_come_from_the_sources_counts_of_each_category(samples):
    store, _ = samples
    with store.session() as session:
        found = compute(session, IncidentFilter(kind="attack"), "victim-category", viewer=implicit_admin(store))
    categories = {row.key: row for row in found.rows}
    assert set(categories) - {None} <= {"civilians", "security_forces", "militants"} and len(categories) > 1
    rest = categories[None].totals.killed.best
    assert rest + sum(r.totals.killed.best for k, r in categories.items() if k) >= found.total.killed.best


def victims_from_claims(session, where: IncidentFilter, viewer) -> dict[int, dict]:
    """Victims by category as they were counted before the views held them: the consensus of the visible claims
    of each category, read one by one (the reference the per-view rows must equal)."""
    from sqlalchemy import select

    from jirga.access import visible
    from jirga.db.schema import Claim, Incident
    from jirga.fuse import victims
    from jirga.store.queries import incident_query
    from jirga.store.summary import facts_of

    matching = incident_query(where, viewer).with_only_columns(Incident.id).order_by(None)
    claims = [c for c in session.scalars(select(Claim).where(Claim.incident_id.in_(matching), visible(Claim, viewer))
                                         .order_by(Claim.incident_id, Claim.id)) if victims.is_victim_count(c)]
    by_incident: dict[int, list] = {}
    for claim, fact in zip(claims, facts_of(session, claims, viewer=viewer), strict=True):
        by_incident.setdefault(claim.incident_id, []).append((claim, fact))
    found = {i: victims.category_figures([c for c, _ in pairs], [f for _, f in pairs])
             for i, pairs in by_incident.items()}
    return {i: figures for i, figures in found.items() if figures}


@pytest.mark.parametrize("where", [IncidentFilter(kind="attack"), IncidentFilter(),
                                   IncidentFilter(kind="attack", country="PK", since="2016", until="2018")],
                         ids=["attacks", "all", "PK 2016-18"])
def test_assess_victim_categories_read_from_the_views_equal_the_claims_counted_one_by_one(samples, where):
    store, _ = samples
    viewer = implicit_admin(store)
    with store.session() as session:
        reference = victims_from_claims(session, where, viewer)
        found = compute(session, where, "victim-category", viewer=viewer)
        incidents = list_incidents(session, IncidentFilter(**{**where.__dict__, "limit": 10_000}), viewer=viewer)
        per_incident = store_stats.victim_figures(session, [i.id for i in incidents], viewer=viewer)
    assert reference, "the samples should count victims by category"
    assert per_incident == reference  # what the situation report reads
    expected = victim_rows(victim_totals(reference), found.total)
    assert [(r.key, r.totals.incidents, r.totals.killed, r.totals.injured) for r in found.rows] == [
        (r.key, r.totals.incidents, r.totals.killed, r.totals.injured) for r in expected]


def test_assess_migration_0012_backfills_the_views_groups_and_victims_as_the_writer_wrote_them(store):
    """Downgraded to 0009 (the views without their groups and victims) and upgraded again, a store of the sample
    reports, two organisations' markings mixed, has the same rows the writer wrote."""
    from alembic import command
    from sqlalchemy import select

    from jirga.db.database import alembic_config
    from jirga.db.schema import IncidentView, IncidentViewVictim, Organisation

    with store.session() as session:
        partner = Organisation(name="Partner")
        session.add(partner)
        session.flush()
        partner_id = partner.id
    items = list(read_inputs([str(REPORTS)], detect_language=False))
    metadata = read_metadata(REPORTS / "metadata.csv")
    for part, owner, tlp in ((items[::2], None, "amber"), (items[1::2], partner_id, "green")):
        ran = ingest_reports(store, part, owner=owner, source="Sample wire", reliability="B", metadata=metadata,
                             tlp=tlp)
        assert not ran.said

    # Analysts' verdicts on victim counts, which the backfill reads as the writer does, per view: the partner agrees
    # with one of its own (seen by everyone, as the claim is), the local organisation disputes one of its own.
    from jirga.access import Viewer
    from jirga.db.schema import Claim
    from jirga.fuse.victims import is_victim_count
    from jirga.store.decisions import assess

    with store.session() as session:
        counts = [c for c in session.scalars(select(Claim).where(Claim.field == "killed").order_by(Claim.id))
                  if is_victim_count(c)]
        local = implicit_admin(store)
        for org_id, viewer, verdict in ((partner_id, Viewer(None, partner_id, "analyst", "partner"), "agree"),
                                        (local.org_id, local, "dispute")):
            claim = next(c for c in counts if c.owner_org_id == org_id)
            assess(session, claim.id, verdict, viewer, "checked against the hospital's list")

    def kept() -> tuple[list, list]:
        with store.session() as session:
            return (sorted(tuple(row) for row in session.execute(select(IncidentViewVictim.__table__))),
                    sorted(tuple(row) for row in session.execute(
                        select(IncidentView.incident_id, IncidentView.org_id, IncidentView.group_ids))))

    written = kept()
    assert written[0] and any(groups for _, _, groups in written[1]), "the samples name victims and groups"
    assert {org for _, org, *_ in written[0]} - {0}, "some victims are seen by one organisation only"
    config = alembic_config(store.engine)
    command.downgrade(config, "0011")
    command.upgrade(config, "head")
    assert kept() == written


def test_assess_change_against_the_previous_quarter(samples):
    store, _ = samples
    with store.session() as session:
        viewer = implicit_admin(store)
        now = compute(session, IncidentFilter(kind="attack", since="2016-07", until="2016-09"), "country",
                      viewer=viewer)
        before = compute(session, IncidentFilter(kind="attack", since="2016-04", until="2016-06"), None, viewer=viewer)
    assert now.previous == (dt.date(2016, 4, 1), dt.date(2016, 6, 30))
    assert now.previous_total == before.total
    assert now.total.incidents > 0


def test_assess_figures_sum_low_best_high_and_say_when_high_is_a_floor():
    assert Figure.of(54, 62, 63) == Figure(54, 62, 63, 0, 0)
    assert Figure.of(170, 170, None) == Figure(170, 170, 170, 1, 0)  # "at least 170": no upper bound
    assert Figure.of(None, None, None) == Figure(0, 0, 0, 0, 1)  # no figure: not a zero
    total = Figure.of(54, 62, 63) + Figure.of(170, 170, None) + Figure.of(None, None, None)
    assert (total.text(), total.unknown) == ("232 (224–233+)", 1)


@pytest.mark.parametrize(("start", "end", "before"), [
    ((2016, 7, 1), (2016, 9, 30), ((2016, 4, 1), (2016, 6, 30))),  # a quarter: the quarter before
    ((2016, 1, 1), (2016, 12, 31), ((2015, 1, 1), (2015, 12, 31))),  # a year
    ((2016, 3, 1), (2016, 3, 31), ((2016, 2, 1), (2016, 2, 29))),  # a month, after a leap February
    ((2016, 1, 1), (2016, 2, 29), ((2015, 11, 1), (2015, 12, 31))),  # two months across a year
    ((2016, 7, 10), (2016, 7, 19), ((2016, 6, 30), (2016, 7, 9))),  # ten days: the ten before
])
def test_assess_the_previous_period_is_as_long(start, end, before):
    assert previous_period(dt.date(*start), dt.date(*end)) == (dt.date(*before[0]), dt.date(*before[1]))


def test_assess_change_is_none_against_nothing():
    one = Totals(2, Figure(best=10), Figure(best=0))
    assert change(one, Totals(1, Figure(best=5), Figure(best=0))) == {"incidents": 100.0, "killed": 100.0,
                                                                      "injured": None}
    assert change(one, Totals()) == {"incidents": None, "killed": None, "injured": None}


def test_assess_the_stats_command_prints_json_csv_and_refuses_a_bad_key(samples):
    _, url = samples
    done = run_jirga("stats", "--db", url, "--by", "province", "--from", "2016-07", "--to", "2016-09",
                     "--region", "PK", "--format", "json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["previous_period"] == {"from": "2016-04-01", "to": "2016-06-30"}
    assert {row["parent"] for row in found["rows"]} == {"PK"}
    assert sum(row["incidents"] for row in found["rows"]) == found["total"]["incidents"] > 0
    csv_out = run_jirga("stats", "--db", url, "--by", "month", "--format", "csv")
    assert csv_out.returncode == 0 and csv_out.stdout.splitlines()[0].startswith("key,label,parent,incidents")
    assert run_jirga("stats", "--db", url, "--by", "weather").returncode == 2
    late = run_jirga("stats", "--db", url, "--from", "2017", "--to", "2016")
    assert late.returncode == 2 and "before it starts" in late.stderr


def test_assess_an_unknown_breakdown_is_a_query_error(samples):
    store, _ = samples
    with store.session() as session, pytest.raises(QueryError, match="cannot break down by 'weather'"):
        compute(session, IncidentFilter(), "weather", viewer=implicit_admin(store))


def test_assess_jirga_export_writes_the_filtered_incidents_as_csv(samples, tmp_path):
    _, url = samples
    out = tmp_path / "pk.csv"
    done = run_jirga("export", "--format", "csv", "--db", url, "--region", "PK", "--kind", "attack", "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as written:
        rows = list(csv.DictReader(written))
    assert rows and {row["country_code"] for row in rows} == {"PK"} and f"{len(rows)} incidents" in done.stderr
    mixed = run_jirga("export", "--db", url, "--tlp", "green", "--region", "PK", "--out", str(tmp_path / "b.json"))
    assert mixed.returncode == 2 and "the filters apply to --format csv" in mixed.stderr


@pytest.mark.parametrize("by", ["province", "group", "victim-category"])
def test_assess_sectarian_violence_in_sql_is_the_rule_applied_one_by_one(samples, by):
    store, url = samples
    where = IncidentFilter(kind="attack")
    incidents, groups = listed(store, where)
    sectarian = [i for i in incidents if store_stats.is_sectarian(i, groups)]
    assert 0 < len(sectarian) < len(incidents), "the samples should have sectarian attacks and others"
    assert any(i.target_type == "religious" for i in sectarian)
    with store.session() as session:
        found = compute(session, where, by, viewer=implicit_admin(store), sectarian=True)
    assert found.total.incidents == len(sectarian)
    assert found.total.killed.best == sum(i.killed_best or 0 for i in sectarian)
    if by != "victim-category":
        one_by_one = count(sectarian, by, groups)
        assert {row.key: row.totals.incidents for row in found.rows} == {
            key: totals.incidents for (key, _), totals in one_by_one.items()}
    done = run_jirga("stats", "--db", url, "--sectarian", "--by", by, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["incidents"] == len(sectarian)
    assert json.loads(done.stdout)["sectarian"] is True


def test_assess_sectarian_is_a_religious_target_or_a_sectarian_group_or_one_of_its_parts():
    from types import SimpleNamespace

    police = SimpleNamespace(id=1, target_type="police")
    assert store_stats.is_sectarian(SimpleNamespace(id=2, target_type="religious"), {})
    assert store_stats.is_sectarian(police, {1: ["lej-alami"]})  # a splinter of Lashkar-e-Jhangvi
    assert not store_stats.is_sectarian(police, {1: ["ttp"]})
    assert not store_stats.is_sectarian(police, {2: ["lej"]})  # another incident's group
    assert {"ssp", "lej", "sipah-e-muhammad"} <= store_stats.sectarian_groups()
