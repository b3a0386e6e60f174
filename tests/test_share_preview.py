"""Policy preview (issue 16): `jirga share preview PARTNER` and the page /share/preview show exactly what a partner
would receive, object by object, with its marking and why; they read the export's own function, so the preview's
objects are the exported bundle's. An empty or unknown sharing group shares with no one, never with everyone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from jirga.access import Viewer, admin
from jirga.access.rules import member_group
from jirga.model.report import IncomingReport
from jirga.share.definitions import is_well_known
from jirga.web.app import create_app
from tests.conftest import run_jirga
from tests.test_fuse import HOSPITAL_A, HOSPITAL_B
from tests.test_share_stix import DAY, RED_TEXT, Org, make_org
from tests.test_web_api import PASSWORD
from tests.test_web_ui import sign_in
from tests.webserver import serving


@pytest.fixture
def org(tmp_path):
    """Organisation A: a TLP:GREEN report, a TLP:AMBER one for sharing group "Quetta cell" (with partner B), a
    TLP:RED one; a partner C in no group with A, and a group "Alone" that holds A only."""
    made = make_org(f"sqlite:///{tmp_path / 'a.db'}", "A", tmp_path)
    for name in ("B", "C"):
        admin.add_org(made.store, made.viewer, name)
    admin.add_group(made.store, made.viewer, "Quetta cell", ["B"])
    admin.add_group(made.store, made.viewer, "Alone", [])
    with made.store.session() as session:
        group = member_group(session, made.viewer.org_id, "Quetta cell")
    made.ingest([IncomingReport(HOSPITAL_A, "dawn", source="Dawn", published=DAY)], tlp="green")
    made.ingest([IncomingReport(HOSPITAL_B, "reuters", source="Reuters", published=DAY)], tlp="amber", group=group)
    made.ingest([IncomingReport(RED_TEXT, "informant", source="Field office", published=DAY)], tlp="red")
    yield made
    made.store.close()


def cli(org: Org, *args: str):
    return run_jirga(*args, "--db", org.store.engine.url.database, "--key-dir", str(org.key_dir))


def previewed(org: Org, partner: str, *options: str) -> dict:
    done = cli(org, "share", "preview", partner, "--format", "json", *options)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def exported(org: Org, tmp_path: Path, *audience: str) -> set[str]:
    out = tmp_path / "bundle.json"
    done = cli(org, "export", *audience, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return {obj["id"] for obj in json.loads(out.read_text()).get("objects", []) if not is_well_known(obj["id"])}


def test_share_preview_of_a_group_is_exactly_the_exported_bundle(org, tmp_path):
    first = previewed(org, "Quetta cell", "--publish")  # publishes, as the export does
    bundle = exported(org, tmp_path, "--group", "Quetta cell")
    assert first["kind"] == "sharing group" and bundle
    assert {obj["id"] for obj in first["objects"]} == bundle
    assert {obj["id"] for obj in previewed(org, "Quetta cell")["objects"]} == bundle  # and without --publish too
    markings = {obj["marking"] for obj in first["objects"]}
    assert markings == {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER"}  # the identity is CLEAR
    for obj in first["objects"]:
        assert obj["why"] == ("TLP:AMBER, shared in sharing group Quetta cell" if obj["marking"] == "TLP:AMBER"
                              else f"{obj['marking']}: every partner receives it")
        assert obj["fields"]["id"] == obj["id"] and obj["title"]
        assert obj["author"] == "A"
    assert "Nightjar" not in json.dumps(first)  # TLP:RED never leaves


def test_share_preview_of_an_organisation_is_what_its_audiences_receive(org, tmp_path):
    previewed(org, "B", "--publish")
    green = exported(org, tmp_path, "--tlp", "green")
    group = exported(org, tmp_path, "--group", "Quetta cell")
    b = previewed(org, "B")
    assert b["kind"] == "organisation" and {obj["id"] for obj in b["objects"]} == green | group
    assert b["receives through"][1] == "shared in sharing group Quetta cell, of which B is a member"
    c = previewed(org, "C")  # in no group with A: the community's share only
    assert {obj["id"] for obj in c["objects"]} == green and green < group
    assert not any(obj["marking"] == "TLP:AMBER" for obj in c["objects"])
    table = cli(org, "share", "preview", "C")
    assert table.returncode == 0 and f"{len(green)} objects" in table.stdout and "every partner" in table.stdout


@pytest.mark.parametrize("partner, words", [
    ("Alone", "shares with no one"),  # a group with no member but us
    ("Nobody", "no sharing group or organisation called 'Nobody'"),
    ("A", "your own organisation"),
    ("", "no sharing group or organisation called ''"),
])
def test_share_preview_an_empty_or_unknown_partner_receives_nothing_and_is_refused(org, partner, words):
    done = cli(org, "share", "preview", partner)
    assert done.returncode in (1, 2) and words in done.stderr, done.stderr  # refused (2) or not found (1)
    assert "Traceback" not in done.stderr and not done.stdout


@pytest.mark.slow
def test_share_preview_page_shows_an_analyst_what_a_group_receives_and_refuses_an_empty_group(org, tmp_path,
                                                                                              browser):
    previewed(org, "Quetta cell", "--publish")
    bundle = exported(org, tmp_path, "--group", "Quetta cell")
    root = admin.add_user(org.store, org.viewer, "root", "instance_admin", PASSWORD)  # the implicit admin is gone
    boss = Viewer(root, org.viewer.org_id, "instance_admin", "root")
    for name, role in (("amina", "analyst"), ("vera", "viewer")):
        admin.add_user(org.store, boss, name, role, PASSWORD)
    with serving(create_app(store=org.store)) as url:
        context = browser.new_context(base_url=url)
        page = context.new_page()
        sign_in(page, "amina")
        page.get_by_role("link", name="What partners receive").click()
        page.get_by_label("Partner").select_option("Quetta cell")
        page.get_by_role("button", name="Preview").click()
        table = page.get_by_test_id("preview")
        expect(table).to_be_visible()
        rows = table.locator("tbody tr")
        assert {rows.nth(i).get_attribute("data-id") for i in range(rows.count())} == bundle
        expect(table).to_contain_text("TLP:AMBER, shared in sharing group Quetta cell")
        expect(table).not_to_contain_text("Nightjar")
        page.get_by_label("Partner").select_option("Alone")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_test_id("problem")).to_contain_text("shares with no one")
        expect(page.get_by_test_id("preview")).to_have_count(0)
        context.close()

        context = browser.new_context(base_url=url)
        page = context.new_page()
        sign_in(page, "vera")
        expect(page.get_by_role("link", name="What partners receive")).to_have_count(0)
        answer = page.goto("/share/preview?partner=Quetta+cell")
        assert answer.status == 403
        expect(page.locator("body")).not_to_contain_text("Dawn")
        context.close()
