"""Moving claims between incidents: the fix for a claim the machine put in the wrong incident (a claim of
responsibility extracted into a "phantom" incident of its own), recorded in both histories and undone like a merge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jirga.access import NotFound, PermissionDenied
from jirga.db.access_schema import AuditEntry
from jirga.db.schema import Claim, Incident, Organisation
from jirga.model.report import IncomingReport
from jirga.store.decisions import DecisionError, history, merged_into, move_claims, undo
from tests.conftest import ingest_reports, run_jirga
from tests.test_fuse import analyst

# The attack, told on the day after; then a statement two days later that the extractor dates to the day of the
# statement, two days after the attack: too far apart to cluster, so it opens an incident of its own.
BUS_STAND = ("Bomb kills six at Peshawar bus stand\n\nPESHAWAR — A bomb hidden in a parked motorcycle killed six "
             "people and wounded 19 at the main bus stand in Peshawar on Tuesday, police said.")
STATEMENT = ("Jamaat-ul-Ahrar says it bombed bus stand\n\nJamaat-ul-Ahrar claimed responsibility on Thursday for the "
             "bombing at a bus stand in Peshawar, in an emailed statement that also threatened further attacks on "
             "transport.")


def phantom_reports(city: str = "Peshawar") -> list[IncomingReport]:
    def told_in(text: str) -> str:
        return text.replace("Peshawar", city).replace("PESHAWAR", city.upper())
    return [IncomingReport(told_in(BUS_STAND), "wire", source="Wire", published=dt.date(2017, 3, 8)),
            IncomingReport(told_in(STATEMENT), "statement", source="Monitor", published=dt.date(2017, 3, 10))]


def attack_and_phantom(store, city: str = "Peshawar") -> tuple[int, int]:
    """The incidents of the attack and of the claim of responsibility (opened by these reports: ids only grow)."""
    with store.session() as session:
        before = session.scalar(select(func.max(Incident.id))) or 0
    ingest_reports(store, phantom_reports(city), silent=True)
    with store.session() as session:
        found = {i.killed_best: i.id for i in session.scalars(select(Incident).where(Incident.id > before))}
    assert set(found) == {6, None}, found  # the phantom has no toll
    return found[6], found[None]


def claims_of(store, incident_id: int) -> list[Claim]:
    with store.session() as session:
        return list(session.scalars(select(Claim).where(Claim.incident_id == incident_id).order_by(Claim.id)))


def test_moving_a_phantoms_event_empties_it_into_the_attack_and_undo_restores_both(store):
    attack, phantom = attack_and_phantom(store)
    claim = next(c for c in claims_of(store, phantom) if c.field == "responsibility")
    with store.session() as session:
        target, entry = move_claims(session, claim.id, attack, analyst(store), "the statement claims Tuesday's "
                                    "bombing", whole_event=True)
        entry_id = entry.id
        assert target.id == attack and target.report_count == 2
        # The statement's date (the day it was made, read as the attack's) now stands beside the attack's: flagged.
        assert target.killed_best == 6 and target.has_conflict
        assert {c.value["start"] for c in target.claims if c.field == "date"} == {"2017-03-07", "2017-03-09"}
        assert session.get(Incident, phantom).status == "merged"
        assert merged_into(history(session, phantom, analyst(store))) == attack  # its page leads to the attack
        arrived = history(session, attack, analyst(store))[-1]
        assert (arrived.action, arrived.detail["from"], arrived.reason) == ("moved", phantom,
                                                                            "the statement claims Tuesday's bombing")
    assert claims_of(store, phantom) == []
    with store.session() as session:  # undone from the attack's side, where the analyst now is
        undone = undo(session, arrived.id, analyst(store), "a different bombing after all")
        assert undone.incident_id == phantom
        assert session.get(Incident, phantom).status == "active"
        assert session.get(Incident, attack).report_count == 1
        assert {h.detail.get("undone_by") for h in history(session, phantom, analyst(store))
                if h.id == entry_id} == {undone.id}
    assert {c.field for c in claims_of(store, phantom)} >= {"responsibility", "date"}
    with store.session() as session, pytest.raises(DecisionError, match="already undone"):
        undo(session, entry_id, analyst(store), "twice")


def test_one_claim_moves_to_a_new_incident_and_back(store):
    attack, _ = attack_and_phantom(store)
    injured = next(c for c in claims_of(store, attack) if c.field == "injured")
    with store.session() as session:
        new, entry = move_claims(session, injured.id, None, analyst(store), "the wounded of another blast")
        new_id, entry_id = new.id, entry.id
        assert new.injured_best == 19 and session.get(Incident, attack).injured_best is None
        assert entry.incident_id == attack and entry.detail["new"]
    with store.session() as session:
        undo(session, entry_id, analyst(store), "no, these wounded")
        assert session.get(Incident, attack).injured_best == 19
        assert session.get(Incident, new_id).status == "merged"  # the new incident goes as it came


def test_a_move_is_refused_with_a_reason_that_names_what_is_wrong(store):
    attack, phantom = attack_and_phantom(store)
    claims = claims_of(store, phantom)
    with store.session() as session, pytest.raises(DecisionError, match=f"already in incident {phantom}"):
        move_claims(session, claims[0].id, phantom, analyst(store), "x")
    with store.session() as session, pytest.raises(DecisionError, match="would only change its number"):
        move_claims(session, claims[0].id, None, analyst(store), "x", whole_event=True)
    with store.session() as session, pytest.raises(DecisionError, match="a reason is required"):
        move_claims(session, claims[0].id, attack, analyst(store), "  ")
    with store.session() as session, pytest.raises(PermissionDenied):
        move_claims(session, claims[0].id, attack, analyst(store, "vera", role="viewer"), "viewers only read")


def test_claims_and_incidents_one_may_not_see_answer_as_if_they_did_not_exist(store):
    attack, phantom = attack_and_phantom(store)
    claim = claims_of(store, phantom)[0].id
    with store.session() as session:
        partner = Organisation(name="Partner")
        session.add(partner)
        session.flush()
        pavel = analyst(store, "pavel", org=partner.id)
    missing = 10**6
    errors = []
    for claim_id, to in ((claim, attack), (missing, attack)):
        with store.session() as session, pytest.raises(NotFound) as raised:
            move_claims(session, claim_id, to, pavel, "not ours")
        errors.append(str(raised.value).replace(str(claim_id), "N"))
    assert errors[0] == errors[1]  # an unseen claim and a missing one read alike
    # The partner's own red incident: another attack, months later (one of the same days would join ours).
    ingest_reports(store, [IncomingReport(BUS_STAND.replace("six", "seven"), "red", source="Red field office",
                                          published=dt.date(2017, 9, 8))], owner=partner.id, tlp="red", silent=True)
    with store.session() as session:
        red = session.scalar(select(Incident.id).where(Incident.owner_org_id == partner.id))
    answers = []
    for to in (red, missing):
        with store.session() as session, pytest.raises(NotFound) as raised:
            move_claims(session, claim, to, analyst(store), "into the partner's red incident")
        answers.append(str(raised.value).replace(str(to), "N"))
    assert answers[0] == answers[1] == "no incident N"


def test_the_command_moves_a_claim_and_undo_reverses_it(database_url, tmp_path, store):
    attack, phantom = attack_and_phantom(store)
    claim = next(c for c in claims_of(store, phantom) if c.field == "responsibility").id
    moved = run_jirga("move-claim", str(claim), "--to", str(attack), "--event", "--reason", "same bombing", "--db",
                      database_url)
    assert moved.returncode == 0, moved.stderr
    assert f"moved from incident {phantom} to {attack}" in moved.stdout
    entry = moved.stdout.split("jirga undo ")[1].split()[0]
    assert claims_of(store, phantom) == []
    with store.session() as session:
        audited = session.scalar(select(AuditEntry.detail).where(AuditEntry.target_type == "claim",
                                                                  AuditEntry.target_id == str(claim)))
        assert audited and f"from incident {phantom} to {attack}" in audited
    wrong = run_jirga("move-claim", str(claim), "--to", "somewhere", "--reason", "x", "--db", database_url)
    assert wrong.returncode == 2 and "neither an incident number nor 'new'" in wrong.stderr
    undone = run_jirga("undo", entry, "--reason", "not the same", "--db", database_url)
    assert undone.returncode == 0, undone.stderr
    assert claims_of(store, phantom)
