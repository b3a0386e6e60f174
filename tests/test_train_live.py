"""What analysts verified in the live store, on SQLite and PostgreSQL: the agreement between two analysts of two
organisations, each figure from what the asking viewer may see only; and exercises built from verified incidents,
coded and scored like one from a gold file, never holding a report the exercise's audience may not see
(docs/training.md)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from jirga.access import Viewer
from jirga.access.auth import hash_password
from jirga.db.access_schema import User
from jirga.db.schema import Claim, Organisation, Report, SharingGroup, SharingGroupMember
from jirga.errors import BadInput
from jirga.model.report import IncomingReport
from jirga.store import training
from jirga.store.coding import CodedIncident, code_incident
from jirga.store.decisions import assess
from jirga.store.queries import IncidentFilter
from jirga.train import run
from tests.conftest import ingest_reports, run_jirga

# Sample reports written for these tests. Two outlets of the same attack (one incident of organisation A, shared
# with the group), a RED report of organisation B, and an AMBER report A keeps to itself.
CHECKPOINT = ("Checkpoint bombing in Quetta kills twelve\n\nQUETTA: A suicide bomber blew himself up at a police "
              "checkpoint on Sariab Road in Quetta on Monday, killing 12 people and wounding 30 others, officials "
              "said. Tehrik-i-Taliban Pakistan claimed responsibility for the bombing in a statement sent to "
              "reporters.\n")
CHECKPOINT_LATER = ("Quetta checkpoint toll rises\n\nQUETTA: The toll of Monday's suicide bombing at a police "
                    "checkpoint in Quetta rose to 15 killed and 30 injured, hospital staff said on Tuesday. "
                    "Tehrik-i-Taliban Pakistan said it carried out the attack.\n")
MARKET_RED = ("Gunmen raid Peshawar market\n\nPESHAWAR: Gunmen opened fire in a crowded market in Peshawar on "
              "Wednesday, killing five shopkeepers and injuring nine, police said. No group has claimed the attack "
              "so far.\n")
KABUL_INTERNAL = ("Bomb hits bus in Kabul\n\nKABUL: A roadside bomb struck a minibus carrying government employees "
                  "in Kabul on Thursday, killing two people and injuring four, police said.\n")
PASSWORD = "pw-live-123456"


@dataclass
class World:
    alice: Viewer  # analyst of A
    ines: Viewer  # instructor of A
    tara: Viewer  # trainee of A
    bob: Viewer  # analyst of B, in the group with A
    carol: Viewer  # analyst of C, outside the group
    reports: dict[str, int]  # by short name


def _user(session, name: str, org_id: int, role: str) -> Viewer:
    user = User(username=name, org_id=org_id, role=role, password_hash=hash_password(PASSWORD))
    session.add(user)
    session.flush()
    return Viewer(user.id, org_id, role, name)


def _claims(store, report_id: int) -> dict[str, int]:
    with store.session() as session:
        rows = session.execute(select(Claim.field, Claim.id).where(Claim.report_id == report_id)
                               .order_by(Claim.id)).all()
    return {field: claim_id for field, claim_id in reversed(rows)}  # the first claim of each field


def _assess(store, viewer: Viewer, claim_id: int, verdict: str) -> None:
    with store.session() as session:
        assess(session, claim_id, verdict, viewer, "read against the hospital list")


@pytest.fixture
def world(store) -> World:
    return build_world(store)


def build_world(store) -> World:
    local = store.local_org_id()
    with store.session() as session:
        b, c = Organisation(name="Partner B"), Organisation(name="Outsider C")
        session.add_all([b, c])
        session.flush()
        group = SharingGroup(name="QCCM", owner_org_id=local)
        session.add(group)
        session.flush()
        session.add_all([SharingGroupMember(group_id=group.id, org_id=org) for org in (local, b.id)])
        people = [_user(session, "alice", local, "analyst"), _user(session, "ines", local, "analyst"),
                  _user(session, "tara", local, "viewer"), _user(session, "bob", b.id, "analyst"),
                  _user(session, "carol", c.id, "analyst")]
        group_id, b_id = group.id, b.id
    ingest_reports(store, [IncomingReport(CHECKPOINT, "checkpoint.txt", source="Quetta Daily",
                                          published=dt.date(2016, 8, 9))], owner=local, tlp="amber", group=group_id)
    ingest_reports(store, [IncomingReport(CHECKPOINT_LATER, "later.txt", source="Baloch Wire",
                                          published=dt.date(2016, 8, 9))], owner=local, tlp="amber", group=group_id)
    ingest_reports(store, [IncomingReport(MARKET_RED, "market.txt", source="Frontier Post",
                                          published=dt.date(2016, 8, 11))], owner=b_id, tlp="red")
    ingest_reports(store, [IncomingReport(KABUL_INTERNAL, "kabul.txt", source="Kabul Desk",
                                          published=dt.date(2016, 8, 12))], owner=local, tlp="amber")
    with store.session() as session:
        ids = {origin.removesuffix(".txt"): i for origin, i in session.execute(select(Report.origin, Report.id))}
    return World(*people, ids)


def test_world_is_what_the_tests_assume(store, world):
    first, later = _claims(store, world.reports["checkpoint"]), _claims(store, world.reports["later"])
    with store.session() as session:
        incident = {session.get(Claim, first["killed"]).incident_id, session.get(Claim, later["killed"]).incident_id}
    assert len(incident) == 1  # the two outlets' reports are one incident
    assert {"place", "date", "killed", "injured", "responsibility", "attack_type"} <= set(first)


def _verify(store, world: World) -> None:
    """Alice (A) and Bob (B) verify the Quetta attack from the two outlets; they differ on the toll. Bob also
    verifies B's RED market report, Alice A's own Kabul report: each invisible to the other's organisation."""
    first, later = _claims(store, world.reports["checkpoint"]), _claims(store, world.reports["later"])
    for field in ("place", "date", "killed", "responsibility", "attack_type"):
        _assess(store, world.alice, first[field], "agree")
    for field in ("place", "date", "attack_type"):
        _assess(store, world.bob, first[field], "agree")
    for field in ("killed", "responsibility"):
        _assess(store, world.bob, later[field], "agree")
    market, kabul = _claims(store, world.reports["market"]), _claims(store, world.reports["kabul"])
    for field in ("place", "killed"):
        _assess(store, world.bob, market[field], "agree")
        _assess(store, world.alice, kabul[field], "agree")


def _fields(found) -> dict[str, tuple[int, int]]:
    return {a.field: (a.agreed, a.compared) for a in found.fields}


def test_agreement_between_analysts_of_two_organisations_counts_only_what_the_viewer_sees(store, world):
    _verify(store, world)
    everything = IncidentFilter()
    seen_by_a = run.analyst_agreement(store, world.ines, "alice", "bob", everything)
    # One incident both verified; they agree on all but the toll (13 from one outlet, 15 from the other).
    assert (seen_by_a.both, seen_by_a.only_first, seen_by_a.only_second) == (1, 1, 0)
    assert _fields(seen_by_a) == {"items": (2, 2), "date": (2, 2), "killed": (0, 2), "claimed_by": (2, 2),
                                  "attack_type": (2, 2)}
    # Bob's organisation sees his RED market report and not A's own Kabul report; the shared figures are the same.
    seen_by_b = run.analyst_agreement(store, world.bob, "alice", "bob", everything)
    assert (seen_by_b.both, seen_by_b.only_first, seen_by_b.only_second) == (1, 0, 1)
    assert _fields(seen_by_b) == _fields(seen_by_a)
    # What Bob does on B's RED report changes nothing A sees, not even the count of incidents he verified alone.
    market = _claims(store, world.reports["market"])
    _assess(store, world.bob, market["date"], "agree")
    _assess(store, world.bob, market["killed"], "dispute")
    assert run.analyst_agreement(store, world.ines, "alice", "bob", everything).as_dict() == seen_by_a.as_dict()
    # Outside the group nothing of theirs is visible: no figure at all, as for analysts who never verified a thing.
    seen_by_c = run.analyst_agreement(store, world.carol, "alice", "bob", everything)
    nobody = run.analyst_agreement(store, world.carol, "nobody", "nothing", everything)
    assert seen_by_c.as_dict()["fields"] == nobody.as_dict()["fields"] == []
    assert (seen_by_c.both, seen_by_c.only_first, seen_by_c.only_second) == (0, 0, 0)
    # Filters: the Kabul incident is Alice's alone, in AF; the Quetta one is in PK.
    in_af = run.analyst_agreement(store, world.ines, "alice", "bob", IncidentFilter(country="AF"))
    assert (in_af.both, in_af.only_first, in_af.only_second) == (0, 1, 0)
    later = run.analyst_agreement(store, world.ines, "alice", "bob", IncidentFilter(since="2016-08-10"))
    assert later.both == 0
    with pytest.raises(BadInput, match="two analysts"):
        run.analyst_agreement(store, world.ines, "alice", "alice", everything)
    with pytest.raises(BadInput, match="control character"):
        run.analyst_agreement(store, world.ines, "alice", "bob\x00", everything)


def test_agreement_takes_each_analysts_latest_word_and_their_hand_coding(store, world):
    _verify(store, world)
    later = _claims(store, world.reports["later"])
    _assess(store, world.bob, later["killed"], "dispute")  # Bob no longer vouches for any toll: not compared
    found = run.analyst_agreement(store, world.ines, "alice", "bob", IncidentFilter())
    assert "killed" not in _fields(found) and _fields(found)["date"] == (2, 2)
    # Alice codes the attack by hand, with the later toll, for the group: it joins the same incident, and her hand
    # coding, later than her assessments, is her word on the toll.
    code_incident(store, CodedIncident(kind="attack", date="2016-08-08", place="Quetta", country="PK",
                                       attack_type="suicide_bombing", killed=(None, 15, None),
                                       claimed_by=["Tehrik-i-Taliban Pakistan"], source="Field office Quetta",
                                       text="Field report: the checkpoint bombing in Quetta killed 15.",
                                       published=dt.date(2016, 8, 10), tlp="amber", group="QCCM"), world.alice)
    _assess(store, world.bob, later["killed"], "agree")
    found = run.analyst_agreement(store, world.ines, "alice", "bob", IncidentFilter())
    assert found.both == 1 and _fields(found)["killed"] == (2, 2)


def test_agreement_command(store, world, database_url):
    _verify(store, world)
    answer = run_jirga("agreement", "--between", "alice", "--and", "bob", "--format", "json", "--region", "PK",
                       JIRGA_DATABASE_URL=database_url, JIRGA_USER="bob", JIRGA_PASSWORD=PASSWORD)
    assert answer.returncode == 0, answer.stderr
    found = json.loads(answer.stdout)
    assert found["incidents"] == {"both": 1, "only alice": 0, "only bob": 1}
    assert {f["field"]: f["agreement"] for f in found["fields"]}["killed"] == 0
    table = run_jirga("agreement", "--between", "alice", "--and", "bob", JIRGA_DATABASE_URL=database_url,
                      JIRGA_USER="carol", JIRGA_PASSWORD=PASSWORD)
    assert table.returncode == 0 and "incidents verified by both: 0" in table.stdout
    refused = run_jirga("agreement", "--between", "alice", "--and", "bob", "--from", "2016-13",
                        JIRGA_DATABASE_URL=database_url, JIRGA_USER="bob", JIRGA_PASSWORD=PASSWORD)
    assert refused.returncode != 0 and "not a date: '2016-13'" in refused.stderr and "Traceback" not in refused.stderr


def _exported_texts(store, viewer: Viewer, name: str) -> str:
    return json.dumps(run.export(store, viewer, name).as_bundle())


def test_exercise_from_the_store_holds_what_analysts_verified_and_is_scored_like_any(store, world):
    _verify(store, world)
    spec = run.create_from_store(store, world.ines, "verified-august", IncidentFilter())
    names = [r.name for r in spec.reports]
    assert names == [f"{world.reports['checkpoint']}-quetta-daily.txt", f"{world.reports['later']}-baloch-wire.txt",
                     f"{world.reports['kabul']}-kabul-desk.txt"]
    # B's RED market report, verified by Bob, never enters an exercise of A's.
    assert "Peshawar" not in _exported_texts(store, world.ines, "verified-august")
    gold = spec.reports[0].gold
    [attack] = gold["incidents"]["required"]
    assert attack["place"]["city"] == "Quetta" and attack["date"] == "2016-08-08"
    assert attack["killed"] == {"value": 13} and attack["claimed_by"] == ["Tehrik-i-Taliban Pakistan"]
    assert "injured" not in attack  # nobody vouched for the injured: not in the gold, not scored
    # The later outlet: Bob vouched for its toll and claim only.
    [later] = spec.reports[1].gold["incidents"]["required"]
    assert later["killed"] == {"value": 15} and "attack_type" not in later and "place" not in later
    # A trainee codes it like any exercise: one deliberate mistake, explained.
    coding = {"incidents": [{"kind": "attack", "place": {"name": "Quetta", "country": "PK"},
                             "date": {"start": "2016-08-08", "end": "2016-08-08"}, "killed": {"best": 10},
                             "attack_type": "suicide_bombing", "claimed_by": ["TTP"]}]}
    answer = run.submit(store, world.tara, "verified-august", names[0], coding)
    assert (answer["score"]["found"], answer["score"]["required"]) == (1, 1)
    assert answer["score"]["misses"] == ["attack at Quetta (PK): killed: you coded 10, gold 13"]
    assert [r["trainee"] for r in training.results(store, world.ines, "verified-august")] == ["tara"]


def test_exercise_from_the_store_min_agreed_filters_and_audience(store, world):
    _verify(store, world)
    # Claims two analysts agree on: only the first outlet's place, date and attack type.
    both = run.create_from_store(store, world.ines, "agreed-by-two", IncidentFilter(), min_agreed=2)
    assert [r.name.split("-", 1)[1] for r in both.reports] == ["quetta-daily.txt"]
    [attack] = both.reports[0].gold["incidents"]["required"]
    assert set(attack) == {"kind", "place", "date", "attack_type"}
    # A disputed claim is verified no more.
    _assess(store, world.bob, _claims(store, world.reports["checkpoint"])["attack_type"], "dispute")
    again = run.create_from_store(store, world.ines, "agreed-again", IncidentFilter(), min_agreed=2)
    assert "attack_type" not in again.reports[0].gold["incidents"]["required"][0]
    in_af = run.create_from_store(store, world.ines, "kabul-only", IncidentFilter(country="AF"))
    assert [r.name.split("-", 1)[1] for r in in_af.reports] == ["kabul-desk.txt"]
    # Shared with the group, the exercise leaves out A's report kept to A; Bob's, shared, leaves out his RED one.
    joint = run.create_from_store(store, world.ines, "joint", IncidentFilter(), tlp="amber", group="QCCM")
    assert [r.name.split("-", 1)[1] for r in joint.reports] == ["quetta-daily.txt", "baloch-wire.txt"]
    own = run.create_from_store(store, world.bob, "bobs-own", IncidentFilter())
    assert "Peshawar" in _exported_texts(store, world.bob, "bobs-own")  # his organisation's RED, kept to it
    shared = run.create_from_store(store, world.bob, "bobs-joint", IncidentFilter(), group="QCCM")
    assert "Peshawar" not in _exported_texts(store, world.bob, "bobs-joint") and len(shared.reports) < len(own.reports)
    with pytest.raises(BadInput, match="no report you may see holds an incident"):  # nothing is TLP:GREEN
        run.create_from_store(store, world.ines, "open-one", IncidentFilter(), tlp="green")
    # Outside the group nothing is verified that C may see: the answer of an empty store.
    with pytest.raises(BadInput, match="no report you may see holds an incident"):
        run.create_from_store(store, world.carol, "nothing", IncidentFilter())
    with pytest.raises(BadInput, match="min-agreed"):
        run.create_from_store(store, world.ines, "bad", IncidentFilter(), min_agreed=0)


def test_exercise_create_from_store_command(store, world, database_url, tmp_path):
    _verify(store, world)
    ines = {"JIRGA_DATABASE_URL": database_url, "JIRGA_USER": "ines", "JIRGA_PASSWORD": PASSWORD}
    made = run_jirga("exercise", "create", "from-store", "--from-store", "--from", "2016-08", "--to", "2016-08",
                     "--region", "PK", "--actor", "TTP", "--min-agreed", "1", env=ines)
    assert made.returncode == 0, made.stderr
    assert "exercise from-store: 2 reports, released on day 0" in made.stderr
    shown = json.loads(run_jirga("exercise", "show", "from-store", "--format", "json", env=ines).stdout)
    assert [r["name"].split("-", 1)[1] for r in shown["reports"]] == ["quetta-daily.txt", "baloch-wire.txt"]
    exported = tmp_path / "from-store.json"
    assert run_jirga("exercise", "export", "from-store", "--out", str(exported), env=ines).returncode == 0
    imported = run_jirga("exercise", "import", str(exported), "--name", "copy", env=ines)
    assert imported.returncode == 0, imported.stderr  # checked as strictly as any exercise
    for wrong, said in ((["--from-store", "--gold", "g.yaml"], "leave out --gold"),
                        (["--gold", "g.yaml", "--reports", "r", "--region", "PK"], "use them with --from-store"),
                        ([], "give --gold and --reports"),
                        (["--from-store", "--tlp", "purple"], "purple")):
        refused = run_jirga("exercise", "create", "wrong", *wrong, env=ines)
        assert refused.returncode != 0 and said in refused.stderr and "Traceback" not in refused.stderr, wrong
    tara = run_jirga("exercise", "create", "mine", "--from-store", env={**ines, "JIRGA_USER": "tara"})
    assert tara.returncode != 0 and "analyst" in tara.stderr


@pytest.mark.slow
def test_agreement_page_in_the_browser(sqlite_url, browser):
    """An analyst of A opens Training → agreement between two analysts, names Alice and Bob, and reads the figures
    of the one incident both verified; a bad date is refused in words, never with a traceback."""
    from playwright.sync_api import expect

    from jirga.db import open_store
    from jirga.web.app import create_app
    from tests.test_train_web import screenshot
    from tests.webserver import serving

    store = open_store(sqlite_url)
    try:
        _verify(store, build_world(store))
        with serving(create_app(store=store)) as url:
            page = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}).new_page()
            page.goto("/login")
            page.get_by_label("Username").fill("ines")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/incidents")
            page.goto("/exercises")
            page.get_by_role("link", name="agreement between two analysts").click()
            page.get_by_label("Analyst", exact=True).fill("alice")
            page.get_by_label("and analyst").fill("bob")
            page.get_by_role("button", name="Compare").click()
            expect(page.get_by_test_id("agreement-incidents")).to_contain_text("Incidents verified by both: 1")
            table = page.get_by_test_id("analyst-agreement")
            expect(table.locator("tr", has_text="killed")).to_contain_text("0.00")
            expect(table.locator("tr", has_text="attack type")).to_contain_text("1.00")
            screenshot(page, "analyst-agreement")
            page.get_by_label("From").fill("2016-13")
            page.get_by_role("button", name="Compare").click()
            expect(page.locator("main")).to_contain_text("not a date")
            page.context.close()
    finally:
        store.close()
