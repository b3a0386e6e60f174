"""The store on SQLite and PostgreSQL: migrations, ingest, revisions, queries, search, re-extraction."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, update

from jirga.access.auth import implicit_admin
from jirga.db import StoreError, open_store
from jirga.db.database import HAND_MADE, alembic_config
from jirga.db.schema import Assessment, Base, Claim, Incident, Organisation, Relation, Report, Source
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import reextract
from jirga.store.browse import actor_record
from jirga.store.queries import IncidentFilter, QueryError, list_incidents, search_reports
from tests.conftest import EXAMPLES, ingest_reports, run_jirga

REPORTS = EXAMPLES / "reports"
# A few sample reports with what a reader codes from them (see examples/gold.yaml).
QUETTA_ACADEMY = "107_quetta_police_college_wire.txt"  # 2016-10-24, 61 killed, IS and LeJ-A both claim
SAMPLE = [QUETTA_ACADEMY, "101_peshawar_army_school_wire.txt", "104_lahore_gulshan_park_easter.txt",
          "102_zarb_e_azb_launch.txt", "103_charsadda_bacha_khan_university.txt"]


@pytest.fixture
def sample_dir(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in SAMPLE:
        shutil.copy(REPORTS / name, folder / name)
    shutil.copy(REPORTS / "metadata.csv", folder / "metadata.csv")
    return folder


def count(store, model) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_schema_matches_models_and_migrations_go_both_ways(store):
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, *_: not (name or "").startswith(HAND_MADE)}), Base.metadata)
    assert differences == []
    config = alembic_config(store.engine)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert count(store, Report) == 0


def test_a_store_knows_its_schema_head_and_refuses_a_newer_one(store):
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from jirga.db.database import SCHEMA_HEAD, schema_revision

    assert ScriptDirectory.from_config(alembic_config(store.engine)).get_current_head() == SCHEMA_HEAD
    assert schema_revision(store.engine) == SCHEMA_HEAD
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="9999"):
        open_store(store.engine.url.render_as_string(hide_password=False))


def test_cli_ingests_a_folder_and_a_second_run_changes_nothing(database_url, sample_dir):
    first = run_jirga("ingest", str(sample_dir), "--metadata", str(sample_dir / "metadata.csv"), "--db", database_url,
                      "--source", "Sample wire", "--reliability", "B")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("5 new, 0 unchanged, 0 updated, 0 failed")
    store = open_store(database_url)
    try:
        before = (count(store, Report), count(store, Claim), count(store, Incident))
        second = run_jirga("ingest", str(sample_dir), "--db", database_url, "--source", "Sample wire")
        assert second.stdout.startswith("0 new, 5 unchanged"), second.stdout + second.stderr
        assert (count(store, Report), count(store, Claim), count(store, Incident)) == before
        with store.session() as session:
            source = session.scalar(select(Source).where(Source.name == "Sample wire"))
            report = session.scalar(select(Report).where(Report.origin.endswith(QUETTA_ACADEMY)))
            assert report.source_id == source.id and report.reliability == "B"  # the ingesting organisation's grade
            assert report.published.isoformat() == "2016-10-25"
            assert report.title.startswith("Militants storm Quetta police academy")
            assert report.language == "en" and report.extractor_version
    finally:
        store.close()


def test_every_record_is_owned_by_the_local_organisation_and_marked_amber(store):
    ingest_reports(store, [IncomingReport((REPORTS / QUETTA_ACADEMY).read_text(), "academy")])
    with store.session() as session:
        local = session.scalar(select(Organisation).where(Organisation.is_local))
        for model in (Report, Incident, Claim, Relation):
            rows = session.execute(select(model.owner_org_id, model.tlp)).all()
            assert set(rows) <= {(local.id, "amber")}, model
        assert session.scalar(select(func.count()).select_from(Claim)) > 5


def test_markings_from_the_input_are_kept_and_only_made_stricter(store):
    text = (REPORTS / QUETTA_ACADEMY).read_text()
    ingest_reports(store, [IncomingReport(text, "partner", source="Partner", tlp="green")])
    ingest_reports(store, [IncomingReport(text, "partner", source="Partner B", tlp="green")], tlp="red")
    ingest_reports(store, [IncomingReport(text, "partner", source="Partner C", tlp="red")], tlp="green")
    with store.session() as session:
        marks = dict(session.execute(select(Source.name, Report.tlp).join(Report.source)).all())
        assert marks == {"Partner": "green", "Partner B": "red", "Partner C": "red"}
        assert set(session.scalars(select(Claim.tlp).join(Claim.report).where(Source.id == Report.source_id,
                                                                               Source.name == "Partner"))) == {"green"}


def test_changed_text_under_the_same_url_is_a_new_revision_and_old_claims_stay(store):
    me = implicit_admin(store)  # a store without users: the local organisation's admin
    text = (REPORTS / QUETTA_ACADEMY).read_text()
    url = "https://news.example/quetta-academy"
    day = dt.date(2016, 10, 25)
    first = ingest_reports(store, [IncomingReport(text, "v1", source="Wire", url=url, published=day)])
    assert (first.summary.new, first.summary.updated) == (1, 0)
    claims_before = count(store, Claim)
    revised = text.replace("61", "62")
    second = ingest_reports(store, [IncomingReport(revised, "v2", source="Wire", url=url, published=day)])
    assert (second.summary.new, second.summary.updated) == (0, 1)
    with store.session() as session:
        reports = session.scalars(select(Report).order_by(Report.revision)).all()
        assert [(r.revision, r.is_current) for r in reports] == [(1, False), (2, True)]
        assert reports[1].supersedes_id == reports[0].id
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.report_id == reports[0].id)) \
            == claims_before
        # The new revision's events join the incidents the old one told; only the current revision counts.
        listed = list_incidents(session, IncidentFilter(), viewer=me)
        assert {claim.report_id for i in listed for claim in i.claims} == {reports[0].id, reports[1].id}
        assert 62 in {i.killed_best for i in listed} and 61 not in {i.killed_best for i in listed}
        assert len(list_incidents(session, IncidentFilter(include_superseded=True), viewer=me)) == len(listed)
    third = ingest_reports(store, [IncomingReport(revised, "v2 again", source="Wire", url=url, published=day)])
    assert third.summary.unchanged == 1 and count(store, Report) == 2


def test_queries_resolve_aliases_countries_provinces_and_periods(store):
    me = implicit_admin(store)  # a store without users: the local organisation's admin
    ingest_reports(store, [IncomingReport((REPORTS / name).read_text(), name,
                                          published=dt.date.fromisoformat(published))
                           for name, published in [(QUETTA_ACADEMY, "2016-10-25"),
                                                   ("101_peshawar_army_school_wire.txt", "2014-12-16"),
                                                   ("104_lahore_gulshan_park_easter.txt", "2016-03-28")]])
    with store.session() as session:
        def titles(**where) -> set[str]:
            listed = list_incidents(session, IncidentFilter(**where), viewer=me)
            return {(i.place.name if i.place else "?") for i in listed}

        # Da'ish is the Islamic State; the Quetta academy attack was claimed by it.
        assert "Quetta" in titles(actor="Daesh")
        assert titles(actor="Daesh") == titles(actor="Islamic State") == titles(actor="ISIS")
        assert "Quetta" in titles(actor="Lashkar-e-Jhangvi al-Alami")
        assert "Peshawar" in titles(actor="TTP")
        assert titles(country="PK") == titles(country="Pakistan")
        assert titles(province="Balochistan") == titles(province="PK-BA") == {"Quetta"}
        assert "Lahore" in titles(province="Punjab", country="PK")
        assert titles(since="2016-10", until="2016-10") == {"Quetta"}
        assert "Peshawar" not in titles(since="2015")
        for bad in ({"since": "2016-13"}, {"country": "Atlantis"}, {"province": "Nowhere"},
                    {"actor": "Islamic Stat"}):
            with pytest.raises(QueryError):
                list_incidents(session, IncidentFilter(**bad), viewer=me)


def test_trend_counts_every_month_with_incidents_across_gaps(store):
    """The incident list's trend counts each month of the matching incidents, however far apart."""
    from jirga.assess.stats import compute

    me = implicit_admin(store)
    ingest_reports(store, [IncomingReport((REPORTS / name).read_text(), name,
                                          published=dt.date.fromisoformat(published))
                           for name, published in [(QUETTA_ACADEMY, "2016-10-25"),
                                                   ("101_peshawar_army_school_wire.txt", "2014-12-16"),
                                                   ("104_lahore_gulshan_park_easter.txt", "2016-03-28")]])
    with store.session() as session:
        def months(**where) -> list[tuple[str, int]]:
            rows = compute(session, IncidentFilter(kind="attack", **where), "month", viewer=me).rows
            return [(row.key, row.totals.incidents) for row in rows]

        # The Quetta report also tells of the hospital bombing there in August; the months between have none.
        assert months() == [("2014-12", 1), ("2016-03", 1), ("2016-08", 1), ("2016-10", 1)]
        assert months(country="PK", until="2016-06") == [("2014-12", 1), ("2016-03", 1)]
        assert months(actor="Islamic State") == [("2016-10", 1)]
        assert months(actor="BLA") == []
        assert actor_record(session, "islamic-state", viewer=me).by_year == [(2016, 1)]
        assert dict(actor_record(session, "ttp", viewer=me).by_year)[2014] == 1


def test_show_lists_each_claim_with_its_report_and_sentence(database_url, sample_dir):
    run_jirga("ingest", str(sample_dir / QUETTA_ACADEMY), "--published", "2016-10-25", "--db", database_url,
              check=True)
    listed = json.loads(run_jirga("incidents", "--db", database_url, "--format", "json", check=True).stdout)
    academy = next(i for i in listed if i["place"] == "Quetta")
    assert academy["killed_best"] == 61 and academy["date"] == "2016-10-24"
    shown = json.loads(run_jirga("show", str(academy["id"]), "--db", database_url, "--format", "json",
                                 check=True).stdout)
    claimants = {c["value"]["actor_id"] for c in shown["claims"] if c["field"] == "responsibility"}
    assert claimants == {"islamic-state", "lej-alami"}  # competing claims are both kept
    text = (REPORTS / QUETTA_ACADEMY).read_text()
    for claim in shown["claims"]:
        assert claim["report"]["published"] == "2016-10-25"
        if claim["span"] is not None:
            assert text[claim["span"][0]:claim["span"][1]] == claim["text"]
            assert " ".join(claim["text"].split()) in claim["sentence"]
    table = run_jirga("show", str(academy["id"]), "--db", database_url)
    assert "Lashkar-e-Jhangvi al-Alami (claimed)" in table.stdout
    for number in ("999999", "2147483648", "99999999999999999999"):  # beyond the id columns too (a 500 once)
        missing = run_jirga("show", number, "--db", database_url)
        assert missing.returncode == 1 and f"no incident {number}" in missing.stderr
    csv_out = run_jirga("incidents", "--db", database_url, "--format", "csv", "--country", "PK", check=True).stdout
    assert csv_out.splitlines()[0].startswith("id,uuid,kind,title,date")


@pytest.mark.parametrize("query", ['"', "AND", "hospital OR", "*", "'; DROP TABLE reports; --", "NEAR(", "üñí"])
def test_search_takes_any_text_literally(store, query):
    me = implicit_admin(store)  # a store without users: the local organisation's admin
    ingest_reports(store, [IncomingReport((REPORTS / QUETTA_ACADEMY).read_text(), "academy")])
    with store.session() as session:
        search_reports(session, query + " Quetta", viewer=me)
    assert count(store, Report) == 1


def test_search_finds_reports_by_words(store):
    me = implicit_admin(store)  # a store without users: the local organisation's admin
    ingest_reports(store, [IncomingReport((REPORTS / name).read_text(), name, title=name) for name in SAMPLE])
    with store.session() as session:
        hits = search_reports(session, "hospital Quetta", viewer=me)
        assert hits and hits[0].title == QUETTA_ACADEMY
        assert any("Quetta" in hit.snippet for hit in hits)
        assert search_reports(session, "Charsadda university", viewer=me)[0].title.startswith("103_")
        assert search_reports(session, "zanzibar", viewer=me) == []
        with pytest.raises(QueryError):
            search_reports(session, "?!", viewer=me)


def test_reextract_replaces_machine_claims_and_keeps_analysts_work(store):
    ingest_reports(store, [IncomingReport((REPORTS / name).read_text(), name) for name in SAMPLE[:2]])
    with store.session() as session:
        incident = session.scalars(select(Incident)).first()
        machine = session.scalars(select(Claim).where(Claim.incident_id == incident.id)).first()
        session.add(Assessment(claim_id=machine.id, verdict="agree", created_by="amina", reason="matches the police",
                               owner_org_id=incident.owner_org_id))
        session.add(Claim(incident_id=incident.id, report_id=machine.report_id, event="analyst", field="killed",
                          value={"low": 60, "best": 60, "high": 60}, origin="analyst", created_by="amina",
                          owner_org_id=incident.owner_org_id))
        session.execute(update(Report).values(extractor_version="jirga-rules/0.0.1"))
        assessed_id = machine.id
    machine_before = count(store, Claim) - 1
    done, failed = reextract(store, workers=1)
    assert (done, failed) == (2, 0)
    with store.session() as session:
        assert session.get(Claim, assessed_id).retired  # kept for the assessment, no longer counted
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.origin == "analyst")) == 1
        live = session.scalar(select(func.count()).select_from(Claim).where(Claim.origin == "machine", ~Claim.retired))
        assert live == machine_before
    assert reextract(store, workers=1) == (0, 0)  # nothing older left
    assert reextract(store, workers=1, force=True)[0] == 2


def test_bad_inputs_fail_one_by_one_and_store_nothing_partial(database_url, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(REPORTS / QUETTA_ACADEMY, folder / "good.txt")
    (folder / "broken.rss").write_text("<rss><channel><item><title>half")
    (folder / "bundle.json").write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": [{"x": 1}]}))
    (folder / "russian.txt").write_text("Взрыв в Кабуле унёс жизни двенадцати человек, сообщили в полиции города. "
                                        "Ответственность за нападение пока никто не взял на себя.")
    (folder / "empty.txt").write_text("   \n")
    result = run_jirga("ingest", str(folder), "http://127.0.0.1:9/unreachable", "--db", database_url)
    assert result.returncode == 1
    assert result.stdout.startswith("1 new, 0 unchanged, 0 updated, 5 failed"), result.stdout + result.stderr
    for name in ("broken.rss", "bundle.json", "russian.txt", "empty.txt", "127.0.0.1:9"):
        assert name in result.stderr
    assert "Russian" in result.stderr and "Traceback" not in result.stderr
    store = open_store(database_url)
    try:
        assert count(store, Report) == 1
    finally:
        store.close()


def test_bad_options_and_databases_are_named():
    assert "reliability" in run_jirga("ingest", "x.txt", "--reliability", "Z", "--db", "/tmp/x.db").stderr
    assert "TLP" in run_jirga("ingest", "x.txt", "--tlp", "purple", "--db", "/tmp/x.db").stderr
    unreachable = run_jirga("incidents", "--db", "postgresql://nobody@127.0.0.1:9/none")
    assert unreachable.returncode == 1 and "cannot open database" in unreachable.stderr
    with pytest.raises(StoreError):
        open_store("notadialect://x")


def test_the_readme_demo_stores_every_kind_of_bundled_input(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run_jirga("ingest", str(EXAMPLES), "--metadata", str(REPORTS / "metadata.csv"), "--source",
                       "Jirga sample reports", "--db", url)
    assert result.returncode == 0, result.stderr
    store = open_store(url)
    try:
        with store.session() as session:
            by_source = dict(session.execute(select(Source.name, func.count(Report.id)).join(Report.source)
                                             .group_by(Source.name)).all())
            assert by_source["Jirga sample reports"] >= 41  # the text reports (and pages naming no site)
            assert by_source["Frontier Security Wire"] == 3  # the feed's entries
            assert by_source["Khyber Conflict Research Centre"] >= 2  # the partner's STIX reports
            partner = select(Report.tlp).join(Report.source).where(Source.name == "Khyber Conflict Research Centre")
            assert set(session.scalars(partner)) == {"green"}
            assert session.scalar(select(func.count()).select_from(Incident)) >= 60
            me = implicit_admin(store)
            islamic_state = list_incidents(session, IncidentFilter(actor="Islamic State", limit=1000), viewer=me)
            assert any(i.place and i.place.name == "Khar" for i in islamic_state)  # from the partner bundle
    finally:
        store.close()


def test_store_refreshes_postgresqls_statistics_as_a_table_grows(store):
    """PostgreSQL plans with the sizes its last ANALYZE saw; a store refreshes them after a process has added
    1,000 rows to a table (or a tenth of it), not waiting for autovacuum, which may be off or a minute away."""
    if store.dialect != "postgresql":
        return

    def estimate() -> float:
        with store.engine.connect() as connection:
            return connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'organisations'::regclass").scalar()

    with store.session() as session:
        session.add_all(Organisation(name=f"Partner {n}") for n in range(1200))
    before = estimate()
    store.grew("organisations", 999)
    assert estimate() == before
    store.grew("organisations", 1)
    assert estimate() >= 1200 > before
