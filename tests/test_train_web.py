"""A trainee's session in a real browser (Debian's chromium through Playwright, uvicorn over SQLite): sign in, open
the exercise, code the Quetta wire with the hand-coding form and one deliberate mistake, submit, see the score and
the mistake explained with the gold's answers marked; the instructor sees the trainee in the results."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from jirga.access import admin
from jirga.access.auth import implicit_admin, sign_in_with_password
from jirga.db import open_store
from jirga.train import run
from jirga.train.exercises import build, read_scenario
from jirga.train.gold import read_gold
from jirga.web.app import create_app
from tests.conftest import EXAMPLES, ROOT
from tests.webserver import serving

PASSWORD = "correct horse battery staple"
QUETTA = "107_quetta_police_college_wire.txt"
SCREENSHOTS = Path(os.environ.get("JIRGA_TEST_OUTPUT") or ROOT / "out" / "screenshots")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('train-web') / 'jirga.db'}")
    admin.add_user(store, implicit_admin(store), "boss", "instance_admin", PASSWORD)
    boss = sign_in_with_password(store, "boss", PASSWORD)
    admin.add_user(store, boss, "amina", "analyst", PASSWORD)
    admin.add_user(store, boss, "tara", "viewer", PASSWORD)
    amina = sign_in_with_password(store, "amina", PASSWORD)
    spec = build("first-week", read_gold(EXAMPLES / "gold.yaml"), EXAMPLES / "reports",
                 read_scenario(EXAMPLES / "exercises" / "first-week.yaml"))
    run.create(store, amina, spec)
    with serving(create_app(store=store)) as url:
        yield url
    store.close()


def _signed_in(browser, site, username, **options):
    page = browser.new_context(base_url=site, viewport={"width": 1280, "height": 900}, **options).new_page()
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/incidents")
    return page


def _fill(page, **fields):
    for name, value in fields.items():
        locator = page.locator(f'main [name="{name}"]')
        if name in ("kind", "attack_type"):
            locator.select_option(value)
        else:
            locator.fill(value)


def test_train_web_a_trainee_codes_submits_and_sees_the_mistake_explained(browser, site):
    page = _signed_in(browser, site, "tara")
    page.get_by_role("link", name="Training").click()
    page.get_by_role("link", name="First week: wires, claims and quiet days").click()
    reports = page.get_by_test_id("exercise-reports")
    expect(reports.locator("tbody tr")).to_have_count(2)  # day 0 only
    reports.locator("tr", has_text=QUETTA).get_by_role("link", name="Code it").click()
    expect(page.get_by_test_id("report-text")).to_contain_text("Quetta")

    _fill(page, place="Quetta", country="PK", date="2016-10-24", killed_best="60", injured_best="100",
          claimed_by="Islamic State; Lashkar-e-Jhangvi al-Alami")  # the gold says 64 killed: the mistake
    page.get_by_role("button", name="Add this incident").click()
    expect(page.get_by_test_id("coded").locator("li")).to_have_count(1)
    _fill(page, place="Quetta", country="PK", date="2016-08", attack_type="suicide_bombing", killed_best="70")
    screenshot(page, "training-code")
    page.get_by_role("button", name="Submit my coding").click()

    expect(page.get_by_test_id("score")).to_contain_text("2 of 2")
    misses = page.get_by_test_id("misses")
    expect(misses).to_contain_text("killed: you coded 60, gold 64")
    expect(misses.locator("li")).to_have_count(1)  # the toll only: the form asks for no relations
    marks = page.get_by_test_id("gold-text").locator("mark")
    expect(marks.filter(has_text="Quetta").first).to_be_visible()
    expect(page.get_by_test_id("per-field")).to_contain_text("killed")
    screenshot(page, "training-feedback")

    page.goto("/training/record")
    expect(page.get_by_test_id("most-missed")).to_contain_text("killed")
    page.context.close()

    teacher = _signed_in(browser, site, "amina")
    teacher.goto("/exercises/first-week")
    teacher.get_by_role("button", name="Release day 1 to trainees").click()
    expect(teacher.get_by_role("button", name="Release day 2 to trainees")).to_be_visible()
    teacher.goto("/exercises/first-week/results")
    expect(teacher.get_by_test_id("results")).to_contain_text("tara")
    expect(teacher.get_by_test_id("weakest").locator("tbody tr").first).to_contain_text("killed")
    screenshot(teacher, "training-results")
    teacher.context.close()


def test_train_web_an_empty_or_bad_form_is_explained_not_a_500(browser, site):
    page = _signed_in(browser, site, "tara")
    page.goto(f"/exercises/first-week/code/{QUETTA}")
    page.get_by_role("button", name="Add this incident").click()
    expect(page.get_by_role("alert")).to_contain_text("the form is empty")
    _fill(page, place="Quetta", country="PK", killed_best="many")
    page.get_by_role("button", name="Add this incident").click()
    expect(page.get_by_role("alert")).to_contain_text("killed (best): a whole number")
    response = page.goto("/exercises/first-week/code/119_moscow_format_2018.txt")  # day 3: not released
    assert response.status == 404
    response = page.goto("/exercises/first-week/results")
    assert response.status == 200
    page.context.close()


def test_train_web_a_pasted_json_coding_is_scored_and_a_bad_one_named(browser, site):
    page = _signed_in(browser, site, "tara")
    page.goto(f"/exercises/first-week/code/{QUETTA}")
    page.get_by_text("Or paste a coding as JSON").click()
    page.locator('main [name="coding"]').fill('{"incidents": [{"kind": "attack", "killed": "many"}]}')
    page.get_by_role("button", name="Submit this coding").click()
    expect(page.get_by_role("alert")).to_contain_text("the pasted coding: incidents item 1: killed must be an object")
    page.get_by_text("Or paste a coding as JSON").click()
    page.locator('main [name="coding"]').fill('{"incidents": [{"kind": "attack", "place": {"name": "Kabul", '
                                              '"country": "AF"}}]}')
    page.get_by_role("button", name="Submit this coding").click()
    expect(page.get_by_test_id("misses")).to_contain_text("place: you coded Kabul (AF), the attack was in Quetta (PK)")
    page.context.close()


def test_train_web_no_training_page_is_wider_than_a_phone(browser, site):
    phone = browser.new_context(base_url=site, viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True).new_page()
    phone.goto("/login")
    phone.get_by_label("Username").fill("amina")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url("**/incidents")
    for path in ("/exercises", "/exercises/first-week", f"/exercises/first-week/code/{QUETTA}",
                 "/exercises/first-week/results", "/training/record"):
        assert phone.goto(path).status == 200, path
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    phone.context.close()


def test_train_web_pages_have_no_serious_accessibility_violations(browser, site):
    from tests.test_web_ui import AXE, SERIOUS

    page = _signed_in(browser, site, "amina", bypass_csp=True)  # the site's CSP would refuse the axe script
    found = {}
    for path in ("/exercises", "/exercises/first-week", f"/exercises/first-week/code/{QUETTA}",
                 "/exercises/first-week/results", "/training/record"):
        page.goto(path)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        violations = page.evaluate(SERIOUS)
        if violations:
            found[path] = violations
    page.context.close()
    assert found == {}


def test_train_web_a_submission_without_the_csrf_secret_is_refused(browser, site):
    page = _signed_in(browser, site, "tara")
    page.goto("/training/record")
    before = page.get_by_test_id("record-summary").inner_text()
    response = page.request.post(f"{site}/exercises/first-week/upload/{QUETTA}", form={"coding": "{}"},
                                 headers={"Origin": site})
    assert response.status == 403
    page.goto("/training/record")
    assert page.get_by_test_id("record-summary").inner_text() == before  # nothing was submitted
    page.context.close()
