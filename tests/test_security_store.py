"""Regression tests for the black-box security test's findings in the store, access control and clue verification
(docs/security.md): three organisations A, B, C, a sharing group of A and B, data at several TLP levels."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from jirga.access import NotFound, PermissionDenied, Viewer, admin
from jirga.db.access_schema import AuditEntry
from jirga.db.schema import Claim, Incident, Organisation, Report, SharingGroup, SharingGroupMember
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import ingest_one
from jirga.store.browse import list_sources
from jirga.store.coding import CodedIncident, CodingError, code_incident
from jirga.store.decisions import merge, undo
from jirga.store.queries import IncidentFilter, get_incident, list_incidents, search_reports
from jirga.store.verification import verification
from jirga.store.withdrawal import withdraw
from tests.conftest import JIRGA_COMMAND, ROOT, ingest_reports, run_jirga

PUBLISHED = dt.date(2016, 3, 5)
PESHAWAR = "PESHAWAR, March 4 - A suicide bomber killed 57 people at a mosque in Peshawar on Friday."
PESHAWAR_AGAIN = "A suicide attack on a mosque in Peshawar killed 57 worshippers on Friday, police said."
QUETTA = "QUETTA, March 2 - Gunmen killed 12 policemen at a checkpoint in Quetta on Wednesday."
HARMLESS = "The weather in Peshawar was mild on Saturday and the markets were busy."
URL = "https://example.org/news/1"


@dataclass
class World:
    store: object
    a: Viewer  # analyst of A
    b: Viewer  # analyst of B
    c: Viewer  # analyst of C
    group: int  # A and B

    def as_(self, viewer: Viewer, role: str) -> Viewer:
        return Viewer(viewer.user_id, viewer.org_id, role, f"{viewer.username}-{role}")


@pytest.fixture
def world(store):
    a = store.local_org_id()
    with store.session() as session:
        orgs = [Organisation(name="B"), Organisation(name="C")]
        session.add_all(orgs)
        session.flush()
        b, c = (org.id for org in orgs)
        group = SharingGroup(name="AB", owner_org_id=a)
        session.add(group)
        session.flush()
        session.add_all([SharingGroupMember(group_id=group.id, org_id=a),
                         SharingGroupMember(group_id=group.id, org_id=b)])
        group_id = group.id
    return World(store, Viewer(1, a, "analyst", "a"), Viewer(2, b, "analyst", "b"), Viewer(3, c, "analyst", "c"),
                 group_id)


def ingest(world: World, viewer: Viewer, *texts: str, url: str | None = None, **options):
    options = {"source": "Dawn", "published": PUBLISHED, "tlp": "red"} | options
    ran = ingest_reports(world.store, [IncomingReport(text, f"{viewer.username}-{n}.txt", url=url)
                                       for n, text in enumerate(texts)], viewer=viewer, **options)
    assert not ran.errors, ran.errors
    return ran.summary


def reports_of(world: World, viewer: Viewer) -> list[Report]:
    with world.store.session() as session:
        return list(session.scalars(select(Report).where(Report.owner_org_id == viewer.org_id).order_by(Report.id)))


def incidents_of(world: World, viewer: Viewer) -> list[Incident]:
    with world.store.session() as session:
        return list_incidents(session, IncidentFilter(), viewer=viewer)


# Finding 3: revisions and "unchanged" only within one owner and audience.


def test_another_organisation_cannot_supersede_a_report_or_learn_it_exists(world):
    assert ingest(world, world.a, PESHAWAR, url=URL).new == 1
    [mine] = incidents_of(world, world.a)
    summary = ingest(world, world.b, HARMLESS, url=URL, tlp="amber")  # A's source name and A's URL
    assert (summary.new, summary.updated) == (1, 0)
    [theirs] = reports_of(world, world.b)
    assert (theirs.revision, theirs.supersedes_id) == (1, None)
    [original] = reports_of(world, world.a)
    assert original.is_current
    assert [i.id for i in incidents_of(world, world.a)] == [mine.id]
    with world.store.session() as session:
        assert [hit.report_id for hit in search_reports(session, "suicide bomber", viewer=world.a)] == [original.id]


def test_unchanged_is_never_satisfied_by_another_organisations_report(world):
    ingest(world, world.a, PESHAWAR, url=URL)
    summary = ingest(world, world.b, PESHAWAR, url=URL, tlp="amber")  # the same text under the same source
    assert (summary.new, summary.unchanged) == (1, 0)
    assert ingest(world, world.a, PESHAWAR, url=URL).unchanged == 1
    found, summary, _, _ = ingest_one(world.store, IncomingReport(PESHAWAR, "paste", source="Dawn", url=URL,
                                                               published=PUBLISHED), world.c.org_id)
    assert summary.new == 1 and found not in {r.id for r in reports_of(world, world.a) + reports_of(world, world.b)}


def test_a_revision_stays_within_its_owner_and_audience(world):
    ingest(world, world.a, PESHAWAR, url=URL)
    assert ingest(world, world.a, PESHAWAR_AGAIN, url=URL).updated == 1  # same owner, same TLP: a revision
    assert ingest(world, world.a, QUETTA, url=URL, tlp="green").new == 1  # another audience: a report of its own
    revisions = [(r.revision, r.tlp, r.is_current) for r in reports_of(world, world.a)]
    assert revisions == [(1, "red", False), (2, "red", True), (1, "green", True)]


# Finding 6: source grades belong to an organisation.


def test_a_partners_grade_never_changes_another_organisations_credibility(world):
    ingest(world, world.a, PESHAWAR)
    [mine] = incidents_of(world, world.a)

    def killed_grade() -> int:
        with world.store.session() as session:
            shown = get_incident(session, mine.id, viewer=world.a)
            return verification(session, shown, world.a)["credibility"]["killed"]["level"]

    assert killed_grade() == 6  # one account from a source A has not graded
    ingest(world, world.b, HARMLESS, reliability="A")  # B grades "Dawn" A
    assert killed_grade() == 6
    assert [r.reliability for r in reports_of(world, world.a)] == ["F"]
    assert [r.reliability for r in reports_of(world, world.b)] == ["A"]
    ingest(world, world.a, QUETTA, reliability="B")  # A's own grade counts for A's reports
    assert killed_grade() == 3
    with world.store.session() as session:
        grades = {source.name: grade for source, _, grade in list_sources(session, viewer=world.c)}
    assert grades == {}  # C sees no report of Dawn (RED and AMBER), so not even its name


# Finding 7: hand-coding the same incident twice.


def coded(**fields) -> CodedIncident:
    return CodedIncident(**({"date": "2016-03-04", "place": "Quetta", "country": "PK", "attack_type": "armed_assault",
                             "source": "Field office", "published": PUBLISHED, "tlp": "red"} | fields))


def test_hand_coding_twice_is_a_clear_answer_and_never_collides_with_another_organisation(world):
    report_id, _ = code_incident(world.store, coded(), world.a)
    with pytest.raises(CodingError, match=f"already stored as report {report_id}"):
        code_incident(world.store, coded(), world.a)
    theirs, incidents = code_incident(world.store, coded(), world.b)  # the same generated text, another owner
    assert theirs != report_id and incidents


# Finding 10: undo answers the same for hidden and missing entries.


def test_undo_answers_no_history_entry_for_what_the_caller_may_not_see(world):
    ingest(world, world.a, PESHAWAR, QUETTA)
    first, second = sorted(i.id for i in incidents_of(world, world.a))
    with world.store.session() as session:
        _, entry = merge(session, first, second, world.a, "test")
        entry_id = entry.id
        created = session.scalar(select(Incident.id).where(Incident.id == first))
    answers = []
    for wanted in (entry_id, entry_id - 1, 10**6, created):
        with world.store.session() as session, pytest.raises(NotFound) as refused:
            undo(session, wanted, world.b, "curious")
        answers.append(str(refused.value))
    assert answers == [f"no history entry {n}" for n in (entry_id, entry_id - 1, 10**6, created)]


# Finding 4: withdrawing a report.


def test_an_instance_admin_withdraws_a_report_and_its_claims_everywhere(world):
    ingest(world, world.a, PESHAWAR, PESHAWAR_AGAIN, QUETTA, source="Wire", tlp="green")
    peshawar, again, quetta = (r.id for r in reports_of(world, world.a))
    listed = {i.id: i.report_count for i in incidents_of(world, world.a)}
    assert sorted(listed.values()) == [1, 2]
    chief = world.as_(world.a, "instance_admin")

    done = withdraw(world.store, chief, peshawar, "posted under the wrong marking")
    assert done.claims > 0 and not done.removed and len(done.recomputed) == 1
    done = withdraw(world.store, chief, quetta, "a hoax")
    assert len(done.removed) == 1
    [remaining] = set(listed) - set(done.removed)
    for viewer in (world.a, world.b):  # GREEN: A's and B's lists, search and summaries alike
        assert [(i.id, i.report_count) for i in incidents_of(world, viewer)] == [(remaining, 1)]
        with world.store.session() as session:
            assert search_reports(session, "policemen", viewer=viewer) == []
            assert {h.report_id for h in search_reports(session, "Peshawar", viewer=viewer)} == {again}
    with world.store.session() as session:
        assert set(session.scalars(select(Claim.report_id))) == {again}
        assert session.scalar(select(Report.id).where(Report.id.in_([peshawar, quetta]))) is None
        entry = session.scalar(select(AuditEntry).where(AuditEntry.target_id == str(quetta),
                                                        AuditEntry.action == "write"))
    assert (entry.actor, entry.result) == (chief.username, "ok") and "reason: a hoax" in entry.detail


def test_withdrawal_is_for_admins_and_hidden_reports_answer_like_missing_ones(world):
    ingest(world, world.a, PESHAWAR)  # RED
    ingest(world, world.a, QUETTA, tlp="green")
    red, green = (r.id for r in reports_of(world, world.a))
    with pytest.raises(PermissionDenied):
        withdraw(world.store, world.a, red, "an analyst")
    answers = []
    for wanted in (red, 10**6):
        with pytest.raises(NotFound) as refused:
            withdraw(world.store, world.as_(world.b, "instance_admin"), wanted, "not theirs")
        answers.append(str(refused.value))
    assert answers == [f"no report {red}", "no report 1000000"]
    with pytest.raises(PermissionDenied, match="their organisation's reports"):
        withdraw(world.store, world.as_(world.b, "org_admin"), green, "a partner's")
    assert len(reports_of(world, world.a)) == 2


def test_withdrawing_the_current_revision_makes_the_earlier_one_current_again(world):
    ingest(world, world.a, PESHAWAR, url=URL)
    ingest(world, world.a, HARMLESS, url=URL)  # revision 2 tells no attack: the incident is superseded
    first, second = (r.id for r in reports_of(world, world.a))
    assert incidents_of(world, world.a) == []
    done = withdraw(world.store, world.as_(world.a, "org_admin"), second, "wrong text")
    assert done.current_again == first
    assert [r.is_current for r in reports_of(world, world.a)] == [True]
    assert len(incidents_of(world, world.a)) == 1


def test_cli_withdraw(database_url, tmp_path):
    report = tmp_path / "wire.txt"
    report.write_text(PESHAWAR)
    run = run_jirga("ingest", str(report), "--db", database_url, "--workers", "1", "--published", "2016-03-05")
    assert run.returncode == 0, run.stderr
    done = run_jirga("withdraw", "1", "--reason", "test", "--db", database_url)
    assert done.returncode == 0 and done.stdout.startswith("report 1 withdrawn:"), done.stderr
    again = run_jirga("withdraw", "1", "--reason", "test", "--db", database_url)
    assert again.returncode == 1 and again.stderr.strip() == "jirga withdraw: no report 1"


# Finding 14: every stored report is covered by an audit entry of its batch.


def audited_reports(store) -> set[int]:
    with store.session() as session:
        details = session.scalars(select(AuditEntry.detail).where(AuditEntry.detail.startswith("ingest: stored")))
        return {int(n) for detail in details for n in detail.removeprefix("ingest: stored reports ").split(", ")}


def test_each_batch_is_audited_with_the_reports_it_stored(world):
    ingest(world, world.a, PESHAWAR, PESHAWAR_AGAIN, QUETTA, HARMLESS, batch_size=3)
    assert audited_reports(world.store) == {r.id for r in reports_of(world, world.a)}


# Low findings.


def test_sources_of_hidden_reports_are_not_listed(world):
    ingest(world, world.a, PESHAWAR, source="Secret identity")  # RED
    ingest(world, world.a, QUETTA, source="Open wire", tlp="green")
    ingest(world, world.a, HARMLESS, source="Partner note", tlp="amber")
    with world.store.session() as session:
        named = {viewer.username: [s.name for s, _, _ in list_sources(session, viewer=viewer)]
                 for viewer in (world.a, world.b, world.c)}
    assert named == {"a": ["Open wire", "Partner note", "Secret identity"], "b": ["Open wire"], "c": ["Open wire"]}


def test_admin_commands_answer_alike_for_another_organisations_users_and_missing_ones(world):
    store = world.store
    from jirga.access.auth import implicit_admin

    root = implicit_admin(store)
    admin.add_user(store, root, "root", "instance_admin", "long enough password")
    root = Viewer(1, world.a.org_id, "instance_admin", "root")
    admin.add_user(store, root, "alice", "analyst", "long enough password")
    admin.add_user(store, root, "bob-admin", "org_admin", "long enough password", world.b.org_id)
    bob = Viewer(3, world.b.org_id, "org_admin", "bob-admin")
    for act in (lambda name: admin.disable_user(store, bob, name),
                lambda name: admin.create_token(store, bob, name)):
        answers = []
        for name in ("alice", "nobody"):
            with pytest.raises(NotFound) as refused:
                act(name)
            answers.append(str(refused.value))
        assert answers == ["no user 'alice'", "no user 'nobody'"]


def test_a_token_lifetime_is_bounded_with_a_clear_message(world):
    with pytest.raises(ValueError, match="1 to 3650 days"):
        admin.create_token(world.store, world.a, expires_in=dt.timedelta(days=99999999))
    url = str(world.store.engine.url.render_as_string(hide_password=False))
    for days in ("99999999", "99999999999"):
        run = run_jirga("token", "create", "--expires", days, "--db", url)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert f"from 1 to 3650, not {days}" in " ".join(run.stderr.split())


def test_processes_creating_one_new_sqlite_store_at_once_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    runs = [subprocess.Popen([*JIRGA_COMMAND, "incidents", "--db", url], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(run.wait(), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0, 0], results
