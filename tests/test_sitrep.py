"""The situation report over the sample reports: the PDF's own text (pdftotext) holds the counts, the named groups,
the TLP marking in the header and footer of every page and footnotes whose claims are real and visible; its pages
are rendered to PNG (pdftoppm) into $JIRGA_TEST_OUTPUT/sitrep (else out/sitrep) for a person to look at. A user of
another organisation gets a report without what they may not see, with totals that change accordingly.

Org A stores the sample reports as TLP:GREEN (every organisation sees them) and a field note marked TLP:RED on an
attack in Mastung claimed by the Balochistan Liberation Army, which only org A may see."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from jirga.access import Viewer, admin
from jirga.access.auth import implicit_admin, sign_in_with_password
from jirga.assess import sitrep
from jirga.assess.stats import compute
from jirga.db import Store, open_store
from jirga.db.schema import Claim, Incident, Report
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import Ingest, IngestOptions
from jirga.store.queries import IncidentFilter
from tests.conftest import EXAMPLES, ROOT, ingest_reports, run_jirga

PASSWORD = "correct horse battery staple"
OUTPUT = Path(os.environ.get("JIRGA_TEST_OUTPUT") or ROOT / "out") / "sitrep"
PERIOD = IncidentFilter(kind="attack", since="2016-01-01", until="2016-12-31")
RED_NOTE = IncomingReport(
    "MASTUNG, Sep 12 - A roadside bomb killed 17 soldiers near Mastung on Monday, officials said. The Balochistan "
    "Liberation Army claimed responsibility for the attack.", "field-note.txt", title="Field note: Mastung convoy",
    source="Field office", published=dt.date(2016, 9, 13))
# Skipped without poppler, unless JIRGA_REQUIRE_POPPLER is set (CI), where that is a failure.
CLAIM_RUNS = r"claims? ((?:\d+(?:–\d+)? ?)+)"  # "claims 736–743 750" in the register
NEEDS_POPPLER = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")) and not os.environ.get("JIRGA_REQUIRE_POPPLER"),
    reason="pdftotext and pdftoppm (Debian poppler-utils: make browser) are missing")


@dataclass
class World:
    store: Store
    url: str
    owner: Viewer  # org A
    partner: Viewer  # org B
    red_incident: int
    red_claims: set[int]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    url = f"sqlite:///{tmp_path_factory.mktemp('sitrep') / 'jirga.db'}"
    store = open_store(url)
    boss = implicit_admin(store)
    admin.add_user(store, boss, "amina", "instance_admin", PASSWORD)
    amina = sign_in_with_password(store, "amina", PASSWORD)
    admin.add_org(store, amina, "Partner B")
    admin.add_user(store, amina, "bilal", "analyst", PASSWORD, "Partner B")
    bilal = sign_in_with_password(store, "bilal", PASSWORD)
    reports = EXAMPLES / "reports"
    for items, options in ((read_inputs([str(reports)], detect_language=False),
                            {"tlp": "green", "source": "Sample wire", "reliability": "B",
                             "metadata": read_metadata(reports / "metadata.csv")}),
                           ([RED_NOTE], {"tlp": "red"})):
        errors: list[str] = []
        Ingest(store, IngestOptions(workers=1, **options), errors.append, viewer=amina).run(items)
        assert not errors
    with store.session() as session:
        red_report = session.scalar(select(Report.id).where(Report.title == RED_NOTE.title))
        red_claims = set(session.scalars(select(Claim.id).where(Claim.report_id == red_report)))
        red_incident = session.scalar(select(Claim.incident_id).where(Claim.report_id == red_report,
                                                                      Claim.field == "killed"))
        assert session.get(Incident, red_incident).tlp == "red"
    yield World(store, url, amina, bilal, red_incident, red_claims)
    store.close()


ORGANISATION = "Şayād Research Centre, Kābul"  # names with diacritics, as many places and groups have


def build(world: World, viewer: Viewer) -> sitrep.Sitrep:
    with world.store.session() as session:
        return sitrep.build(session, PERIOD, viewer=viewer, organisation=ORGANISATION, base_url="http://jirga.test")


def numbers(runs: str) -> list[int]:
    """ "736–738 750" -> [736, 737, 738, 750]"""
    out = []
    for run in runs.split():
        first, _, last = run.partition("–")
        out += range(int(first), int(last or first) + 1)
    return out


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@NEEDS_POPPLER
def test_sitrep_pdf_says_the_counts_names_the_groups_marks_every_page_and_cites_real_claims(world):
    report = build(world, world.owner)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pdf = OUTPUT / "sitrep-2016-org-a.pdf"
    pdf.write_bytes(sitrep.to_pdf(report))
    for old in OUTPUT.glob("sitrep-2016-org-a-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(OUTPUT / "sitrep-2016-org-a")], check=True)
    pages = pages_of(pdf)
    assert len(pages) >= 3 and len(list(OUTPUT.glob("sitrep-2016-org-a-*.png"))) == len(pages)
    for number, page in enumerate(pages, 1):  # header and footer of every page
        assert page.count("TLP:RED") >= 2, f"page {number} lacks its marking"
    text = "\n".join(pages)
    flat = " ".join(text.split())

    with world.store.session() as session:
        total = compute(session, PERIOD, None, viewer=world.owner).total
    assert f"From 2016-01-01 to 2016-12-31, {total.incidents} attacks" in flat
    assert f"killed {total.killed.text()} people" in flat
    with world.store.session() as session:  # sectarian violence apart, as `jirga stats --sectarian` counts it
        sectarian = compute(session, PERIOD, None, viewer=world.owner, sectarian=True).total
    assert 0 < sectarian.incidents < total.incidents
    assert (f"Sectarian violence (attacks on religious targets or by sectarian groups): {sectarian.incidents} "
            f"incident{'s' if sectarian.incidents != 1 else ''}") in flat
    assert report.sectarian.total.killed.text() == sectarian.killed.text()
    assert "Sectarian violence by province" in flat
    for group in ("Balochistan Liberation Army", "Islamic State", "Jamaat-ul-Ahrar", "Tehrik-i-Taliban Pakistan"):
        assert group in flat, group
    assert "Mastung" in flat and "Khyber Pakhtunkhwa" in flat
    assert ORGANISATION in flat  # the diacritics came through, in the DejaVu fonts embedded (no fallback font)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu-Sans" in fonts and all("DejaVu" in line for line in fonts.splitlines()[2:]), fonts

    # Every footnote mark has its note, every note names incidents of the register, and the register's claims are
    # real claims of that incident: exactly those the notes rest on.
    digits = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")  # the PDF's footnote marks are superscript digits
    marks = {int(n.translate(digits)) for n in re.findall(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", flat[:flat.index("Notes: the incidents")])}
    notes = flat[flat.index("Notes: the incidents"):flat.index("Register of the incidents cited")]
    register = flat[flat.index("Register of the incidents cited"):]
    assert marks and max(marks) <= len(report.notes.notes)
    entries = re.split(r"#(\d+) ", register)[1:]
    claims_of = {int(incident): {n for found in re.findall(CLAIM_RUNS, text) for n in numbers(found)}
                 for incident, text in zip(entries[::2], entries[1::2], strict=True)}
    assert {n for found in re.findall(r"#(\d+(?:–\d+)?)", notes) for n in numbers(found)} <= set(claims_of)
    assert len(claims_of) >= total.incidents
    with world.store.session() as session:
        for incident, claims in claims_of.items():
            for claim in claims:
                row = session.get(Claim, claim)
                assert row is not None and row.incident_id == incident, (incident, claim)
    assert set().union(*claims_of.values()) == report.notes.claim_ids()
    assert "soldiers" in flat or "17" in flat


def test_sitrep_of_another_organisation_leaves_out_what_it_may_not_see(world):
    mine, theirs = build(world, world.owner), build(world, world.partner)
    assert (mine.tlp, theirs.tlp) == ("red", "green")  # the most restrictive of what each contains
    assert theirs.total.incidents == mine.total.incidents - 1
    with world.store.session() as session:
        red = session.get(Incident, world.red_incident)
        red_killed = red.killed_best
    assert red_killed == 17
    assert theirs.total.killed.best == mine.total.killed.best - red_killed
    cited = {incident for note in theirs.notes.notes for incident, _, _ in note.incidents}
    assert world.red_incident not in cited and not theirs.notes.claim_ids() & world.red_claims
    assert world.red_incident in {i for note in mine.notes.notes for i, _, _ in note.incidents}
    html = sitrep.to_html(theirs)
    for secret in ("Mastung", "Balochistan Liberation Army", "Field note", "TLP:RED"):
        assert secret not in html, secret
    assert "TLP:GREEN" in html and "TLP:RED" in sitrep.to_html(mine)


def test_sitrep_command_writes_html_and_refuses_a_report_without_a_period(world, tmp_path):
    out = tmp_path / "report.html"
    done = run_jirga("sitrep", "--db", world.url, "--as", "bilal", "--from", "2016-01", "--to", "2016-12",
                     "--region", "PK,AF", "--format", "html", "--out", str(out),
                     env={"JIRGA_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert "TLP:GREEN" in html and "Mastung" not in html and "Situation report, 2016-01-01 to 2016-12-31" in html
    missing = run_jirga("sitrep", "--db", world.url, "--to", "2016-12", "--out", str(out))
    assert missing.returncode == 2 and "--from" in missing.stderr


def test_sitrep_and_csv_through_the_api_show_each_user_only_what_they_may_see(world):
    from fastapi.testclient import TestClient

    from jirga.web.app import create_app

    client = TestClient(create_app(store=world.store, hosts=["testserver"]))
    tokens = {who: admin.create_token(world.store, viewer)[1] for who, viewer in (("a", world.owner),
                                                                                ("b", world.partner))}

    def get(who: str, path: str, **params):
        response = client.get(f"/api/v1{path}", params=params, headers={"Authorization": f"Bearer {tokens[who]}"})
        assert response.status_code == 200, response.text
        return response

    mine = get("a", "/sitrep", since="2016-01", until="2016-12")
    theirs = get("b", "/sitrep", since="2016-01", until="2016-12")
    assert "TLP:RED" in mine.text and "Mastung" in mine.text
    assert "Mastung" not in theirs.text and "TLP:GREEN" in theirs.text
    assert "script-src" not in theirs.headers["content-security-policy"]  # the page runs nothing
    assert get("b", "/sitrep", since="2016-01", until="2016-12", format="pdf").content.startswith(b"%PDF-")
    rows_a = get("a", "/export/incidents.csv", since="2016", until="2016").text.splitlines()
    rows_b = get("b", "/export/incidents.csv", since="2016", until="2016").text.splitlines()
    assert rows_a[0].startswith("event_id,incident_uuid,event_date") and len(rows_a) == len(rows_b) + 1
    red = next(line for line in rows_a if line.startswith(f"JIRGA{world.red_incident},"))
    assert "Balochistan Liberation Army" in red and ",17," in red and "TLP:RED" in red
    assert not any(line.startswith(f"JIRGA{world.red_incident},") for line in rows_b)
    stats_a, stats_b = (get(who, "/stats", since="2016", until="2016", by="group").json() for who in ("a", "b"))
    assert stats_a["total"]["incidents"] == stats_b["total"]["incidents"] + 1
    assert "balochistan-liberation-army" not in {row["key"] for row in stats_b["rows"]}
    assert client.get("/api/v1/sitrep", params={"until": "2016"},
                      headers={"Authorization": f"Bearer {tokens['b']}"}).status_code == 400


def test_export_rows_carry_precision_codes_and_never_a_formula():
    from types import SimpleNamespace

    from jirga.assess.export import row, to_csv

    place = SimpleNamespace(name="=HYPERLINK(\"http://x\")", precision="province", province="Balochistan",
                            district=None, lat=30.0, lon=66.0)
    incident = SimpleNamespace(id=7, uuid="u", date_start=dt.date(2016, 8, 1), date_end=dt.date(2016, 8, 31),
                               date_precision="month", kind="attack", attack_type="bombing", target_type=None,
                               country="PK", province_code="PK-BA", place=place, report_count=1, killed_best=3,
                               killed_low=3, killed_high=None, injured_best=None, injured_low=None,
                               injured_high=None, has_conflict=False, tlp="amber")
    values = row(incident, ["-Group"], ["Dawn"], "http://jirga.test/")
    assert (values["time_precision"], values["geo_precision"]) == (3, 3)
    assert values["latitude"] == values["longitude"] == ""  # a province is no point
    text = to_csv([values])
    assert "'=HYPERLINK" in text and ",'-Group," in text and "http://jirga.test/incidents/7" in text


def test_sitrep_refuses_a_period_with_more_incidents_than_one_report_should_read(world, monkeypatch):
    from jirga.store.queries import QueryError

    monkeypatch.setattr(sitrep, "MAX_INCIDENTS", 2)
    with world.store.session() as session, pytest.raises(QueryError, match="over 2 incidents in 2016-01-01"):
        sitrep.build(session, PERIOD, viewer=world.owner)


def test_sitrep_each_figure_of_a_breakdown_cites_exactly_the_incidents_it_counts(world):
    report = build(world, world.owner)
    with world.store.session() as session:
        incidents = {i.id: i for i in session.scalars(select(Incident))}
    checked = 0
    for section in [*report.sections, *report.sectarian.sections]:
        for row, cells in zip(section.rows, section.notes, strict=True):
            cited = {cell: {i for i, _, _ in report.notes.notes[number - 1].incidents} if number else set()
                     for cell, number in cells.items()}
            assert cited["incidents"] == set(row.totals.ids) and len(cited["incidents"]) == row.totals.incidents
            assert len(cited["conflicts"]) == row.totals.conflicts
            assert len(cited["single_source"]) == row.totals.single_source
            assert cited["killed"] == {i for i in row.totals.ids if incidents[i].killed_best is not None
                                       or incidents[i].killed_low is not None}
            for number in filter(None, cells.values()):
                note = report.notes.notes[number - 1]
                if note.within:  # written as the row's note less some: the two together are the row's incidents
                    outer = {i for i, _, _ in report.notes.notes[note.within - 1].incidents}
                    assert {i for i, _, _ in note.incidents} | set(note.less) == outer
                    assert not set(note.less) & {i for i, _, _ in note.incidents}
            checked += 1
    assert checked > 10


def test_sitrep_each_figure_of_the_victims_table_cites_exactly_the_incidents_it_counts(world):
    from jirga.store.stats import victim_figures

    report = build(world, world.owner)
    period = {i for i, _, _ in report.notes.notes[report.total_note - 1].incidents}
    with world.store.session() as session:
        incidents = {i.id: i for i in session.scalars(select(Incident))}
        figures = victim_figures(session, sorted(period), viewer=world.owner)
    rows = report.victims.rows
    assert [row.key for row in rows if row.key], "the samples should count victims by category in 2016"
    for row, cells in zip(rows, report.victims.notes, strict=True):
        cited = {cell: {i for i, _, _ in report.notes.notes[number - 1].incidents} if number else set()
                 for cell, number in cells.items()}
        if row.key is None:  # the rest of the toll: from the total's incidents, as the total's note
            assert cells["incidents"] is None
            assert cited["killed"] == ({i for i in period if incidents[i].killed_best is not None
                                        or incidents[i].killed_low is not None} if row.totals.killed.best else set())
            continue
        assert cited["incidents"] == set(row.totals.ids) and len(cited["incidents"]) == row.totals.incidents
        for name in ("killed", "injured"):
            assert cited[name] == {i for i in row.totals.ids if name in figures[i][row.key]}
        assert cited["killed"], "a category's killed are told by some incident"
    html = sitrep.to_html(report)
    table = html[html.index('data-testid="by-victim-category"'):]
    table = table[:table.index("</table>")]
    marks = re.findall(r'href="#fn-(\d+)"', table)
    assert len(marks) == sum(1 for cells in report.victims.notes for number in cells.values() if number)


PROVINCE_ONLY = IncomingReport(
    "QUETTA, Mar 5 - A bomb exploded on a road in Balochistan province on Saturday, killing six people, police said.",
    "province-only.txt", title="Province only", source="Wire", published=dt.date(2017, 3, 8))


@NEEDS_POPPLER
def test_sitrep_map_draws_an_incident_known_only_to_its_province_as_the_province(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'jirga.db'}")
    ingest_reports(store, [PROVINCE_ONLY], tlp="green", silent=True)
    with store.session() as session:
        (incident,) = session.scalars(select(Incident))
        assert (incident.place.precision, incident.province_code) == ("province", "PK-BA")
        report = sitrep.build(session, IncidentFilter(kind="attack", since="2017-03-01", until="2017-03-31"),
                              viewer=implicit_admin(store))
    store.close()
    assert '<g class="province-only" data-province="PK-BA">' in report.map  # shaded, with its count
    assert f'data-incident="{incident.id}"' not in report.map  # and no point anywhere
    assert [area for area, *_ in report.map_listed] == ["Balochistan (province), Pakistan"]  # and listed, noted
    pdf = tmp_path / "province.pdf"
    pdf.write_bytes(sitrep.to_pdf(report))
    assert "province only (shaded" in "".join(pages_of(pdf))
