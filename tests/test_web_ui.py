"""The web app in a real browser: Debian's chromium driven by Playwright, against uvicorn serving a SQLite store.

Two organisations: the local one (A) with the analyst amina, and Partner B with the analyst bilal. Org A stores
wire reports marked TLP:GREEN (everyone may see them) and a field note marked TLP:RED about the Quetta police
college attack, which only org A may see. Each test opens a fresh browser context; a user signs in through the
login form once, and later tests start from that user's cookies. The tests share one store, so each works on
incidents of its own. Screenshots of the main pages go to $JIRGA_TEST_OUTPUT, else out/screenshots.

Playwright never downloads a browser here: chromium comes from apt (make browser). Without it the tests skip,
unless JIRGA_REQUIRE_BROWSER is set (CI), where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from jirga.access import admin
from jirga.access.auth import implicit_admin, sign_in_with_password
from jirga.db import Store, open_store
from jirga.db.schema import Claim, Incident, Organisation, Report
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.web.app import create_app
from tests.conftest import EXAMPLES, ROOT, ingest_reports
from tests.webserver import serving

pytestmark = pytest.mark.slow  # a real browser: seconds a page

PASSWORD = "correct horse battery staple"
REPORTS = EXAMPLES / "reports"
SCREENSHOTS = Path(os.environ.get("JIRGA_TEST_OUTPUT") or ROOT / "out" / "screenshots")

# Org A's green reports: the sample wires, and a second wire on the Kabul wedding bombing that gives another toll
# (80 against 63), so the incident has two killed figures for an analyst to weigh.
GREEN_FILES = ["101_peshawar_army_school_wire.txt", "107_quetta_police_college_wire.txt",
               "110_dangara_cyclists_tajikistan.txt", "113_kabul_wedding_hall_bombing.txt"]
SECOND_WIRE = IncomingReport(
    "KABUL, Aug 18 - A suicide bomber killed 80 people at a wedding hall in Kabul on Saturday night, hospital "
    "officials said.", "second-wire.txt", title="Kabul wedding toll disputed", source="Second wire",
    published=dt.date(2019, 8, 18))
RED_NOTE = IncomingReport(
    "QUETTA, Oct 25 - Our field office reports that gunmen killed 97 police cadets at the police training college "
    "in Quetta on Monday night.", "field-note.txt", title="Field note: Quetta cadets", source="Field office",
    published=dt.date(2016, 10, 25))


@dataclass
class Site:
    url: str
    store: Store
    org_a: str  # the local organisation's name
    red_report: int
    red_incident: int
    red_claim: int
    wedding: int  # the Kabul wedding incident: two wires, tolls 63 and 80
    quetta_green: int  # the Quetta police college incident as the green wire tells it


def _ingest(store: Store, items, tlp: str, **options) -> None:
    ran = ingest_reports(store, items, tlp=tlp, **options)
    assert not ran.said and ran.summary.failed == 0, ran.said


def _report(store: Store, title: str) -> Report:
    with store.session() as session:
        report = session.scalar(select(Report).where(Report.title == title))
        session.expunge(report)
        return report


def _incident_of(store: Store, report: Report, field: str = "killed") -> int:
    with store.session() as session:
        return session.scalar(select(Claim.incident_id).where(Claim.report_id == report.id, Claim.field == field))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('web') / 'jirga.db'}")
    # Users: the first must be an instance admin (made by the implicit admin of a store without users).
    boss = implicit_admin(store)
    admin.add_user(store, boss, "boss", "instance_admin", PASSWORD)
    boss = sign_in_with_password(store, "boss", PASSWORD)
    admin.add_org(store, boss, "Partner B")
    admin.add_user(store, boss, "amina", "analyst", PASSWORD)  # the boss's own (local) organisation
    admin.add_user(store, boss, "bilal", "analyst", PASSWORD, "Partner B")
    admin.add_user(store, boss, "wanda", "analyst", PASSWORD)  # org A again: her watchlist badge is hers alone

    metadata = read_metadata(REPORTS / "metadata.csv")
    _ingest(store, read_inputs([str(REPORTS / name) for name in GREEN_FILES]), "green", source="Wire",
            metadata=metadata)
    _ingest(store, [SECOND_WIRE], "green")
    _ingest(store, [RED_NOTE], "red")

    red = _report(store, RED_NOTE.title)
    red_incident = _incident_of(store, red)
    with store.session() as session:
        red_claim = session.scalar(select(Claim.id).where(Claim.report_id == red.id, Claim.field == "killed"))
        org_a = session.scalar(select(Organisation.name).where(Organisation.is_local))
    wedding = _incident_of(store, _report(store, SECOND_WIRE.title))
    assert wedding == _incident_of(store, _report(store, "Suicide bomber kills 63 at Kabul wedding"))
    quetta_green = _incident_of(store, _report(store, "Militants storm Quetta police academy, killing 61"))
    assert quetta_green == red_incident  # the red note joins the attack the green wire tells, seen apart by each

    with serving(create_app(store=store)) as url:
        yield Site(url, store, org_a, red.id, red_incident, red_claim, wedding, quetta_green)
    store.close()


def new_page(browser, site, **options):
    context = browser.new_context(base_url=site.url, **({"viewport": {"width": 1280, "height": 800}} | options))
    return context.new_page()


@pytest.fixture
def page(browser, site):
    """A fresh browser context: no cookies, every relative URL on the site."""
    page = new_page(browser, site)
    yield page
    page.context.close()


def sign_in(page, username: str, password: str = PASSWORD, then: str = "/incidents") -> None:
    """Through the login form, as a person does."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{then}")


@pytest.fixture(scope="module")
def sessions(browser, site) -> dict[str, dict]:
    """Each user's cookies after signing in once through the form: argon2 makes a sign-in take a second or so on
    a small machine, and only the tests about signing in and out need to repeat it."""
    return {}


@pytest.fixture
def page_as(browser, site, sessions):
    """page_as("amina"): a fresh context signed in as that user, on the incident list."""
    pages = []

    def open_as(username: str):
        if username not in sessions:
            page = new_page(browser, site)
            sign_in(page, username)
            sessions[username] = page.context.storage_state()
            page.context.close()
        page = new_page(browser, site, storage_state=sessions[username])
        pages.append(page)
        visit(page, "/incidents")
        expect(page.get_by_test_id("who")).to_have_text(username)
        return page

    yield open_as
    for page in pages:
        page.context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def field(page, name: str):
    """A form's field by its name (the labels overlap: "Source", "Source reliability")."""
    return page.locator(f'main [name="{name}"]')


def visit(page, path: str, status: int = 200):
    response = page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    return response


def expect_consensus(page, low: str, best: str, high: str, name: str = "killed") -> None:
    """The consensus table's row for `name` reads low, best, high (waiting for the page to say so)."""
    expect(page.get_by_test_id(f"consensus-{name}").locator("td.num")).to_have_text([low, best, high])


# Signing in and out


def test_sign_in_goes_where_the_user_was_going_and_shows_who_they_are(page, site):
    page.goto(f"/incidents/{site.wedding}")
    page.wait_for_url(re.compile(r"/login\?next="))  # not signed in: sent to the form, remembering where to
    screenshot(page, "login")
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/incidents/{site.wedding}")
    expect(page.get_by_test_id("who")).to_have_text("amina")
    expect(page.get_by_test_id("organisation")).to_have_text(site.org_a)
    expect(page.get_by_test_id("role")).to_have_text("analyst")


def test_wrong_password_shows_an_error_and_signs_nobody_in(page):
    page.goto("/login")
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong username or password")
    expect(page.get_by_label("Username")).to_have_value("amina")  # kept, so only the password is typed again
    assert not [c for c in page.context.cookies() if c["name"] == "jirga_session"]
    page.goto("/incidents")
    page.wait_for_url(re.compile(r"/login"))


def test_sign_out_ends_the_session(page):
    sign_in(page, "amina")
    session = next(c for c in page.context.cookies() if c["name"] == "jirga_session")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/incidents")
    page.wait_for_url(re.compile(r"/login\?next=(%2F|/)incidents"))
    # The old cookie is dead on the server too, not only forgotten by this browser.
    page.context.add_cookies([{"name": "jirga_session", "value": session["value"], "url": page.url}])
    page.goto("/incidents")
    page.wait_for_url(re.compile(r"/login"))


def test_the_other_organisation_shows_in_the_header(page_as):
    page = page_as("bilal")
    expect(page.get_by_test_id("organisation")).to_have_text("Partner B")
    expect(page.get_by_test_id("role")).to_have_text("analyst")


# Reading


def test_incident_list_shows_tlp_labels(page_as, site):
    page = page_as("amina")
    table = page.get_by_test_id("incidents")
    # Rows by their incident: another row may link to it too ("possible duplicate of #N").
    red_row = table.locator(f'tr[data-incident="{site.red_incident}"]')
    expect(red_row.locator(".tlp")).to_have_class(re.compile(r"\btlp-red\b"))
    expect(red_row.locator(".tlp")).to_have_text("TLP:RED")
    wedding_row = table.locator(f'tr[data-incident="{site.wedding}"]')
    expect(wedding_row.locator(".tlp")).to_have_class(re.compile(r"\btlp-green\b"))
    # The trend charts, loaded by HTMX after the page: attacks (never with meetings) and their killed, with axes.
    expect(page.get_by_role("img", name=re.compile(r"^Attacks per month, "))).to_be_visible()
    expect(page.locator(".trend svg.chart")).to_have_count(2)
    screenshot(page, "incidents")
    visit(page, f"/reports/{site.red_report}")
    expect(page.locator("h1 .tlp")).to_have_class(re.compile(r"\btlp-red\b"))


def test_actor_page_shows_the_actor_and_its_incidents(page_as):
    page = page_as("amina")
    visit(page, "/actors/islamic-state")
    expect(page.locator("h1")).to_have_text("Islamic State")
    expect(page.get_by_test_id("aliases")).to_contain_text("Daesh")
    expect(page.get_by_role("img", name="incidents per year")).to_be_visible()  # IS and its Khorasan province
    screenshot(page, "actor")
    page.get_by_role("link", name=re.compile("Incidents involving Islamic State")).click()
    page.wait_for_url(re.compile(r"/incidents\?actor=Islamic"))
    expect(page.get_by_test_id("incidents")).to_contain_text("Danghara")
    expect(page.get_by_test_id("incidents")).not_to_contain_text("Tehrik-i-Taliban")  # the school attack: not IS


# Adding reports, highlights, the claim panel


def test_pasted_report_is_highlighted_and_a_highlight_opens_its_claim(page_as):
    page = page_as("amina")
    visit(page, "/reports/new")
    screenshot(page, "add_report")
    field(page, "source").fill("Dawn")
    field(page, "title").fill("Blast at Gwadar port")
    field(page, "tlp").select_option("green")
    field(page, "text").fill(
        "GWADAR, May 3 - A bomb planted on a motorcycle killed 11 labourers near the port in Gwadar on Tuesday, "
        "police said. Fourteen others were injured.")
    page.get_by_role("button", name="Extract and store").click()
    page.wait_for_url(re.compile(r"/reports/\d+\?added=1"))
    expect(page.get_by_role("status")).to_contain_text("Stored and extracted")
    expect(page.locator("h1")).to_contain_text("Blast at Gwadar port")
    expect(page.locator("h1 .tlp")).to_have_text("TLP:GREEN")

    # Every coded field is a highlight in the text; the killed figure is the "11".
    text = page.get_by_test_id("report-text")
    expect(text.locator("mark[data-claim]").first).to_be_visible()
    killed = text.locator('mark[data-field="killed"]')
    expect(killed).to_have_text("11")

    # Clicking it loads what was coded from it into the side panel (HTMX), without leaving the page.
    reader_url = page.url
    killed.click()
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text("killed")
    expect(panel.get_by_test_id("panel-value")).to_have_text("11")
    expect(panel.locator("blockquote mark")).to_have_text("11")
    assert page.url == reader_url
    screenshot(page, "report")

    # From the reader to its incident: the consensus is the report's figure.
    incident_link = panel.get_by_role("link", name=re.compile(r"Incident \d+"))
    incident = re.search(r"\d+", incident_link.inner_text()).group()
    page.get_by_role("link", name="open").first.click()
    page.wait_for_url(f"**/incidents/{incident}")
    expect(page.locator("h1")).to_contain_text(f"Incident {incident}")
    expect_consensus(page, "11", "11", "11")
    expect(page.get_by_test_id("claims").locator('tr[data-field="killed"]')).to_contain_text("Dawn")


def test_uploaded_text_file_is_stored_and_extracted(page_as):
    page = page_as("amina")
    visit(page, "/reports/new")
    upload = REPORTS / "131_urumqi_morning_market.txt"
    field(page, "source").fill("Xinhua")
    field(page, "published").fill("2014-05-24")
    field(page, "upload").set_input_files(str(upload))
    page.get_by_role("button", name="Extract and store").click()
    page.wait_for_url(re.compile(r"/reports/\d+\?added=1"))
    expect(page.get_by_role("status")).to_contain_text("Stored and extracted")
    expect(page.locator(".meta")).to_contain_text("Xinhua")
    expect(page.get_by_test_id("report-text")).to_contain_text("Urumqi")
    expect(page.locator('mark[data-field="killed"]').first).to_be_visible()

    # The same file again is recognised, not stored twice: it leads to the same report.
    first = page.url.split("?")[0]
    visit(page, "/reports/new")
    field(page, "source").fill("Xinhua")
    field(page, "upload").set_input_files(str(upload))
    page.get_by_role("button", name="Extract and store").click()
    page.wait_for_url(re.compile(r"/reports/\d+"))
    assert page.url.split("?")[0] == first


def test_an_empty_form_is_refused_with_a_message(page_as):
    page = page_as("amina")
    visit(page, "/reports/new")
    field(page, "source").fill("Dawn")
    page.get_by_role("button", name="Extract and store").click()
    expect(page.get_by_role("alert")).to_contain_text("paste a report's text or choose a file")
    expect(field(page, "source")).to_have_value("Dawn")


# Deciding


def test_disputing_a_casualty_figure_changes_the_consensus(page_as, site):
    page = page_as("amina")
    visit(page, f"/incidents/{site.wedding}")
    # Two wires: 63 victims and the bomber who blew himself up, and 80. (The first wire's "fewer than 40" overnight
    # is a figure it superseded itself, so it makes no low: docs/clue-verification.md, Figures are intervals.)
    expect_consensus(page, "64", "64", "80")
    expect(page.get_by_test_id("conflict")).to_contain_text("killed")
    screenshot(page, "incident")

    second = page.get_by_test_id("claims").locator('tr[data-field="killed"]', has_text="Second wire")
    second.get_by_placeholder("why").fill("hospital count includes the wounded who later died elsewhere")
    second.get_by_role("button", name="Dispute").click()
    page.wait_for_url(re.compile(rf"/incidents/{site.wedding}#consensus"))

    # Only the first wire counts now: its figure, and no conflict left.
    expect_consensus(page, "64", "64", "64")
    expect(page.get_by_test_id("conflict")).to_have_count(0)
    second = page.get_by_test_id("claims").locator('tr[data-field="killed"]', has_text="Second wire")
    expect(second.locator(".assessment.dispute")).to_contain_text("disputed by amina")

    # Agreeing with it instead outranks every source: its figure becomes the best; the range is still the sources'.
    second.get_by_placeholder("why").fill("confirmed by the hospital's list of names")
    second.get_by_role("button", name="Agree").click()
    expect(second.locator(".assessment.agree")).to_contain_text("agreed by amina")  # the page has reloaded
    expect_consensus(page, "64", "80", "80")
    expect(page.get_by_test_id("consensus-note").first).to_have_text("killed: 80 agreed by amina")
    expect(page.get_by_test_id("conflict")).to_have_count(0)  # settled by the agreement, not flagged beside it


def test_a_phantom_claim_is_moved_to_its_attack_and_the_move_undone(page_as, site):
    from tests.test_move_claim import attack_and_phantom

    # A claim of responsibility the machine made an incident of; in Karachi, where the map shows nothing else.
    attack, phantom = attack_and_phantom(site.store, city="Karachi")
    page = page_as("amina")
    visit(page, f"/incidents/{phantom}")
    claimed = page.get_by_test_id("claims").locator('tr[data-field="responsibility"]')
    claimed.locator("summary", has_text="Move").click()
    claimed.get_by_placeholder("number or new").fill(str(attack))
    claimed.get_by_placeholder("reason for the move").fill("the statement claims Tuesday's bus stand bombing")
    claimed.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_url(f"**/incidents/{attack}")
    expect(page.get_by_test_id("facts")).to_contain_text("Jamaat-ul-Ahrar")  # claimed by, on the attack now
    expect(page.get_by_test_id("fact-killed")).to_contain_text("6")
    screenshot(page, "incident_claim_moved")
    visit(page, f"/incidents/{phantom}")  # emptied: its page leads to the attack
    page.wait_for_url(f"**/incidents/{attack}?merged={phantom}")

    page.locator("summary", has_text="History").click()
    moved = page.locator("tr", has_text=f"claim(s) from #{phantom}")
    moved.get_by_placeholder("why undo it").fill("another bombing after all")
    moved.get_by_role("button", name="Undo").click()
    page.wait_for_url(f"**/incidents/{phantom}")
    expect(page.get_by_test_id("facts")).to_contain_text("Jamaat-ul-Ahrar")
    visit(page, f"/incidents/{attack}")
    expect(page.get_by_test_id("facts")).not_to_contain_text("Jamaat-ul-Ahrar")


def test_coding_an_incident_by_hand_stores_the_analysts_claims(page_as):
    page = page_as("amina")
    visit(page, "/code")
    screenshot(page, "code")
    field(page, "kind").select_option("attack")
    field(page, "date").fill("2023-02-14")
    field(page, "place").fill("Turbat")
    field(page, "country").fill("PK")
    field(page, "attack_type").select_option("bombing")
    field(page, "perpetrators").fill("Balochistan Liberation Front")
    field(page, "killed_best").fill("5")
    field(page, "injured_best").fill("9")
    field(page, "source").fill("Turbat field office")
    field(page, "reliability").select_option("B")
    field(page, "text").fill("Five killed, nine hurt by a roadside bomb outside Turbat.")
    page.get_by_role("button", name="Store").click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))

    expect_consensus(page, "5", "5", "5")
    expect_consensus(page, "9", "9", "9", "injured")
    expect(page.locator(".meta").first).to_contain_text("Turbat")
    killed = page.get_by_test_id("claims").locator('tr[data-field="killed"]')
    expect(killed).to_have_count(1)
    expect(killed.locator(".chip")).to_contain_text("amina")  # the analyst's own claim, not the machine's
    expect(killed).to_contain_text("Turbat field office")


def test_coding_form_refuses_a_bad_figure_and_keeps_what_was_typed(page_as):
    page = page_as("amina")
    visit(page, "/code")
    field(page, "place").fill("Turbat")
    field(page, "killed_best").fill("many")
    field(page, "source").fill("Turbat field office")
    page.get_by_role("button", name="Store").click()
    expect(page.get_by_role("alert")).to_contain_text("a whole number of people")
    expect(field(page, "place")).to_have_value("Turbat")


# Watchlists


def badge_after(page, action, on: str) -> str:
    """The header's watchlist badge as the server sends it to the page at path `on` (HTMX loads it after the page,
    and says from where in HX-Current-URL), once `action` has run."""
    def loaded(response) -> bool:
        return (response.url.endswith("/watchlists/badge")
                and response.request.headers.get("hx-current-url", "").endswith(on))

    with page.expect_response(loaded) as badge:
        action()
    return badge.value.text()


def test_watchlist_marks_a_new_matching_incident(page_as, site):
    page = page_as("wanda")
    field(page, "actor").fill("Islamic State")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"actor=Islamic"))
    assert "new" not in badge_after(page, page.get_by_role("button", name="Watch this filter").click, "/watchlists")
    page.wait_for_url("**/watchlists")
    row = page.locator("table.list tbody tr", has_text="Islamic State")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_count(0)

    # A report claimed by the Islamic State arrives (an ingest run, not this browser).
    _ingest(site.store, read_inputs([str(REPORTS / "118_shiraz_shahcheragh_shrine.txt")]), "green",
            source="Wire", metadata=read_metadata(REPORTS / "metadata.csv"))
    shiraz = _incident_of(site.store, _report(site.store, "Iran lowers toll in Shiraz shrine attack claimed by IS"))

    page.reload()
    expect(page.get_by_test_id("watch-new")).to_have_text("1 new")  # in the header, on every page
    expect(row.locator(".badge")).to_have_text("1 new")
    row.get_by_role("link").click()
    new_row = page.locator("tr.new")
    expect(new_row).to_have_count(1)
    expect(new_row.locator(f'a[href="/incidents/{shiraz}"]').first).to_be_visible()
    expect(new_row.locator(".badge")).to_have_text("new")

    # Opened once, it is seen: the badge goes.
    assert "new" not in badge_after(page, page.reload, page.url.removeprefix(site.url))
    expect(page.locator("tr.new")).to_have_count(0)
    expect(page.get_by_test_id("watch-new")).to_have_count(0)


# TLP:RED stays with its organisation


def test_the_owner_sees_its_red_report(page_as, site):
    """The other side of the next test: the red claims are there for org A, so their absence below means something."""
    page = page_as("amina")
    visit(page, f"/incidents/{site.red_incident}")
    expect(page.get_by_test_id("claims")).to_contain_text("Field office")
    expect(page.get_by_test_id("claims")).to_contain_text("97")  # beside the green wire's 61
    visit(page, f"/reports/{site.red_report}")
    expect(page.get_by_test_id("report-text")).to_contain_text("97 police cadets")
    expect(page.locator("aside")).to_contain_text("armed assault")  # coded values read as words, not codes
    expect(page.locator("aside")).not_to_contain_text("armed_assault")
    visit(page, "/search?q=cadets")
    expect(page.locator("main")).to_contain_text("Field note: Quetta cadets")


def test_another_organisation_never_sees_a_red_claim(page_as, site):
    page = page_as("bilal")
    table = page.get_by_test_id("incidents")
    # The green wires are shared with everyone...
    expect(table.locator(f'a[href="/incidents/{site.quetta_green}"]').first).to_be_visible()
    expect(table.locator(f'a[href="/incidents/{site.wedding}"]').first).to_be_visible()
    # ...the red field note joined the same attack, but nothing of it shows: no RED label, not its toll.
    quetta_row = table.locator(f'tr[data-incident="{site.quetta_green}"]')
    expect(quetta_row.locator(".tlp")).to_have_text("TLP:GREEN")
    expect(table.locator(".tlp-red")).to_have_count(0)
    expect(table).not_to_contain_text("97")

    # The same attack as the green wire tells it: its figures, nothing of the field note.
    visit(page, f"/incidents/{site.quetta_green}")
    expect(page.get_by_test_id("claims")).to_contain_text("Militants storm Quetta police academy")
    expect(page.locator("main")).not_to_contain_text("Field office")
    expect(page.locator("main")).not_to_contain_text("97")

    # Straight to the red pages by URL: not found, as if they did not exist.
    for path in (f"/reports/{site.red_report}", f"/claims/{site.red_claim}/panel"):
        visit(page, path, status=404)
        expect(page.locator("h1")).to_have_text("Not found")
        expect(page.locator("body")).not_to_contain_text("cadets")

    visit(page, "/search?q=cadets")
    expect(page.locator("main")).not_to_contain_text("Field note")


# The map and the situation report


def csp_errors(page) -> list[str]:
    """The page's console messages about its Content-Security-Policy, gathered from now on."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def drawn_map(page):
    """The interactive map once its data has come (map.js marks it drawn)."""
    expect(page.locator("#incident-map[data-drawn=true]")).to_be_attached()
    return page.locator("#incident-map")


def test_the_map_draws_points_rings_and_areas_and_a_click_opens_the_incident(page_as, site):
    page = page_as("amina")
    errors = csp_errors(page)
    page.get_by_test_id("map-link").click()
    page.wait_for_url(re.compile(r"/incidents/map"))
    drawn = drawn_map(page)
    points = drawn.locator("path.incident")
    expect(points.first).to_be_visible()
    assert points.count() >= 3  # the green wires' attacks and the red field note, each placed in a city or district
    expect(drawn.locator("path.country").first).to_be_attached()  # the outlines, from the vendored Natural Earth
    assert drawn.locator("path.country").count() > 100
    expect(page.get_by_test_id("map-legend")).to_contain_text("dashed ring: known to the district only")
    data = page.evaluate("fetch(document.getElementById('incident-map').dataset.incidents).then(r => r.json())")
    assert {p["id"] for p in data["points"]} == {int(n) for n in points.evaluate_all(
        "paths => paths.map(p => p.dataset.incident)")}
    for point in data["points"]:  # never a false point: only towns, cities and districts are drawn
        with site.store.session() as session:
            assert session.get(Incident, point["id"]).place.precision in ("city", "district")
    legend = {entry["label"] for entry in data["legend"]}
    assert "Islamic State" in legend or "Tehrik-i-Taliban Pakistan" in legend, legend
    screenshot(page, "map")
    incident = points.first.get_attribute("data-incident")
    points.first.click()
    page.wait_for_url(re.compile(rf"/incidents/{incident}$"))
    expect(page.locator("h1")).to_contain_text(f"Incident {incident}")
    page.go_back()
    drawn_map(page)
    page.get_by_test_id("colour-attack-type").click()
    expect(drawn_map(page).locator("path.incident").first).to_be_visible()
    expect(page.get_by_test_id("map-legend")).to_contain_text("bombing")
    assert errors == []


PLACED = (  # one incident known to a city, one to its province only, one to its country only
    "PESHAWAR, Mar 7 - A suicide bomber killed nine people at a market in Peshawar on Monday, police said.",
    "QUETTA, Mar 5 - A bomb exploded on a road in Balochistan province on Saturday, killing six people, police said.",
    "ISLAMABAD, Mar 3 - Gunmen attacked a polio vaccination team in Pakistan on Thursday, killing four workers, "
    "officials said.",
)


def test_the_map_shades_the_province_or_country_an_incident_is_known_to_and_a_click_lists_it(browser, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'jirga.db'}")  # no users: the local organisation's implicit admin
    _ingest(store, [IncomingReport(text, f"placed-{n}.txt", title=f"Placed {n}", source="Wire",
                                   published=dt.date(2017, 3, 8)) for n, text in enumerate(PLACED)], "green")
    with store.session() as session:
        precision = {i.title: (i.place.precision, i.province_code) for i in session.scalars(select(Incident))}
    assert sorted(precision.values()) == [("city", "PK-KP"), ("country", None), ("province", "PK-BA")], precision
    with serving(create_app(store=store)) as url:
        page = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800}).new_page()
        errors = csp_errors(page)
        visit(page, "/incidents/map")
        drawn = drawn_map(page)
        expect(drawn.locator("path.incident")).to_have_count(1)  # Peshawar; neither Balochistan nor Pakistan
        expect(drawn.locator("path.country-only")).to_have_count(1)
        expect(drawn.locator('path.country-only[data-country="PK"]')).to_have_count(1)
        # Balochistan is drawn as the province (shaded, above its country), its borders among the faint others.
        expect(drawn.locator("path.province-only")).to_have_count(1)
        expect(drawn.locator('path.province-only[data-province="PK-BA"]')).to_have_count(1)
        assert drawn.locator("path.province").count() > 300
        expect(page.get_by_test_id("map-legend")).to_contain_text("shaded: known to the province only (1)")
        expect(page.get_by_test_id("map-areas")).to_have_count(0)  # nothing left to list beside the map
        screenshot(page, "map_province_only")
        drawn.locator('path.province-only[data-province="PK-BA"]').click(force=True)  # the middle of its box
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("Balochistan: 1 known only to the province")
        popup.get_by_role("link").click()
        page.wait_for_url(re.compile(r"/incidents/\d+$"))
        expect(page.locator("h1")).not_to_contain_text("Armed assault in Pakistan")
        page.go_back()
        drawn = drawn_map(page)
        # Pakistan, clicked beside Balochistan: in the middle of Punjab, where only the country is shaded (the
        # provinces' faint borders take no clicks).
        punjab = drawn.locator('path.province[data-province="PK-PB"]').bounding_box()
        page.mouse.click(punjab["x"] + punjab["width"] / 2, punjab["y"] + punjab["height"] / 2)
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("Pakistan: 1 known only to the country")
        popup.get_by_role("link").click()
        page.wait_for_url(re.compile(r"/incidents/\d+$"))
        expect(page.locator("h1")).to_contain_text("Armed assault in Pakistan")
        screenshot(page, "map_country_only")
        page.context.close()
        assert errors == []
    store.close()


def test_another_organisation_sees_neither_the_red_point_nor_its_report(page_as, site):
    page = page_as("bilal")
    visit(page, "/incidents/map")
    drawn = drawn_map(page)
    expect(drawn.locator("path.incident").first).to_be_visible()
    # The attack is drawn as the green wire tells it: its toll, never the red note's.
    points = {p["id"]: p for p in page.request.get("/incidents/map.json").json()["points"]}
    assert points[site.red_incident]["killed"] == 61
    visit(page, "/incidents")
    form = page.get_by_test_id("sitrep-form")
    form.locator('[name="since"]').fill("2016-01-01")
    form.locator('[name="until"]').fill("2016-12-31")
    with page.context.expect_page() as opened:
        form.get_by_role("button", name="Report (HTML)").click()
    report = opened.value
    report.wait_for_load_state()
    expect(report.get_by_test_id("marking")).to_have_text("TLP:GREEN")
    expect(report.get_by_test_id("summary")).to_contain_text("From 2016-01-01 to 2016-12-31")
    expect(report.locator("body")).not_to_contain_text("97 police cadets")
    expect(report.locator("body")).not_to_contain_text("Field office")
    assert f"/claims/{site.red_claim}\"" not in report.content()


# Triage

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _killed(page) -> list[int]:
    """The best killed figure of each listed row (None where unknown)."""
    cells = page.get_by_test_id("row-killed").all_inner_texts()
    return [int(re.match(r"[≥]?(\d+)", cell).group(1)) if re.match(r"[≥]?\d", cell) else None for cell in cells]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_triage_the_list_by_sorting_paging_and_filtering(browser, site, sessions, page_as, viewport):
    page_as("amina")
    phone = viewport is PHONE
    page = new_page(browser, site, storage_state=sessions["amina"], viewport=viewport,
                    **({"is_mobile": True, "has_touch": True} if phone else {}))
    try:
        visit(page, "/incidents?limit=3")
        sort_killed = page.get_by_test_id("sort-by-killed" if phone else "sort-killed")  # a phone has no heads
        sort_killed.click()
        page.wait_for_url(re.compile(r"sort=killed&order=desc"))
        killed = _killed(page)
        known = [k for k in killed if k is not None]
        assert known == sorted(known, reverse=True) and len(killed) == 3
        total = int(re.search(r"of (\d+)", page.get_by_test_id("position").inner_text()).group(1))
        expect(page.get_by_test_id("position")).to_have_text(f"1–3 of {total}")
        page.get_by_test_id("next").click()
        expect(page.get_by_test_id("position")).to_have_text(f"4–{min(6, total)} of {total}")
        assert all(k is None or k <= known[-1] for k in _killed(page))  # the sort goes on across pages
        page.get_by_test_id("previous").click()
        expect(page.get_by_test_id("position")).to_have_text(f"1–3 of {total}")
        sort_killed.click()
        page.wait_for_url(re.compile(r"sort=killed&order=asc"))
        ascending = [k for k in _killed(page) if k is not None]
        assert ascending == sorted(ascending)
        screenshot(page, f"{'phone_' if phone else ''}incidents_triage")
        # Hide single-source incidents: what is left was told by two reports or more, and is so counted.
        page.get_by_label("single-source").check()
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"hide=single_source"))
        reports = page.get_by_test_id("row-reports").all_inner_texts()
        assert reports and all(int(n) >= 2 for n in reports)
        expect(page.get_by_test_id("credibility").first).to_be_visible()
        # Two groups claimed the Quetta police college attack: the row says that is what its sources disagree on
        # (and, to this organisation, which also sees its own red field note of it, the attack type).
        visit(page, "/incidents")
        quetta = page.locator(f'tr[data-incident="{site.quetta_green}"]')
        expect(quetta.get_by_test_id("disagree")).to_have_text(re.compile(r"^≠ responsibility\b"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the list is {width} px wide on a {viewport['width']} px screen"
    finally:
        page.context.close()


# Phones



def test_no_page_is_wider_than_a_phone(browser, site, sessions, page_as):
    page_as("amina")  # signs in once, keeping the cookies in `sessions`
    phone = new_page(browser, site, storage_state=sessions["amina"], viewport=PHONE, is_mobile=True,
                     has_touch=True, device_scale_factor=2)
    try:
        for name, path in (("incidents", "/incidents"), ("incident", f"/incidents/{site.wedding}"),
                           ("reports", "/reports"), ("report", f"/reports/{site.red_report}"),
                           ("add_report", "/reports/new"), ("code", "/code"), ("actors", "/actors"),
                           ("sources", "/sources"), ("admin", "/admin"), ("watchlists", "/watchlists"),
                           ("map", "/incidents/map")):
            visit(phone, path)
            screenshot(phone, f"phone_{name}")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px screen"
    finally:
        phone.context.close()


# Accessibility

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.length}x, e.g. ${v.nodes[0].target.join(" ")}`)"""


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violations(browser, site, sessions, page_as, viewport):
    page_as("amina")
    # The axe script is added to each page by the test; the site's Content-Security-Policy would refuse it.
    checked = new_page(browser, site, storage_state=sessions["amina"], bypass_csp=True,
                       **({"viewport": viewport} if viewport else {}))
    found = {}
    try:
        for path in ("/incidents", f"/incidents/{site.wedding}", "/reports", f"/reports/{site.red_report}",
                     "/reports/new", "/code", "/actors", "/sources", "/admin", "/watchlists", "/search?q=Kabul",
                     "/incidents/map"):
            visit(checked, path)
            if path == "/incidents/map":
                drawn_map(checked)  # Leaflet's controls and paths too
            # Every page at both sizes, kept for a person to look at (out/screenshots).
            screenshot(checked, f"{'phone' if viewport else 'desktop'}_{re.sub(r'[^a-z0-9]+', '_', path.lower())}")
            checked.add_script_tag(path=str(AXE))
            violations = checked.evaluate(SERIOUS)
            if violations:
                found[path] = violations
    finally:
        checked.context.close()
    assert found == {}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_listed_row_names_its_possible_duplicate_and_leads_to_the_merge_preview(browser, tmp_path, viewport):
    from tests.test_web_api import hospital_reports

    store = open_store(f"sqlite:///{tmp_path / 'jirga.db'}")  # no users: the local organisation's implicit admin
    ingest_reports(store, hospital_reports(), silent=True)
    with store.session() as session:
        hospital = session.scalar(select(Incident.id).where(Incident.report_count == 2))
        market = session.scalar(select(Incident.id).where(Incident.killed_best == 3))
    phone = viewport is PHONE
    with serving(create_app(store=store)) as url:
        page = browser.new_context(base_url=url, viewport=viewport,
                                   **({"is_mobile": True, "has_touch": True} if phone else {})).new_page()
        errors = csp_errors(page)
        visit(page, "/incidents")
        hint = page.locator(f'tr[data-incident="{hospital}"]').get_by_test_id("near")  # loaded after the list
        expect(hint).to_have_text(f"≈ possible duplicate of #{market}")
        assert "threshold 0.6" in hint.get_attribute("title")  # why, on hover
        expect(page.locator(f'tr[data-incident="{market}"]').get_by_test_id("near")).to_contain_text(f"#{hospital}")
        screenshot(page, f"{'phone_' if phone else ''}incidents_duplicates")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the list is {width} px wide on a {viewport['width']} px screen"
        hint.get_by_role("link").click()
        page.wait_for_url(re.compile(rf"/incidents/{market}$"))
        offered = page.get_by_test_id(f"duplicate-{hospital}")
        expect(offered).to_contain_text("Merged, this incident would say")  # the preview before the merge
        offered.get_by_role("textbox").fill("one attack after all")
        offered.get_by_role("button", name=f"Merge #{hospital} into this one").click()
        page.wait_for_url(re.compile(rf"/incidents/{market}"))
        visit(page, f"/incidents/{hospital}")  # merged away: leads to where it went
        page.wait_for_url(re.compile(rf"/incidents/{market}\?merged={hospital}"))
        page.context.close()
        assert errors == []
    store.close()
