"""Exercises on SQLite and PostgreSQL: built from gold and reports, released day by day, coded by trainees, scored
with feedback; instructors' results, agreement, training records; the command line end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import yaml
from sqlalchemy import select

from jirga.access import NotFound, PermissionDenied, Viewer
from jirga.access.auth import hash_password
from jirga.db.access_schema import AuditEntry, User
from jirga.db.schema import Organisation
from jirga.errors import BadInput, Conflict
from jirga.store import training
from jirga.train import run
from jirga.train.agreement import agreement
from jirga.train.exercises import build, from_bundle, read_scenario
from jirga.train.gold import read_gold
from jirga.train.record import summary
from tests.conftest import EXAMPLES, ROOT

SCENARIO = EXAMPLES / "exercises" / "first-week.yaml"
QUETTA = "107_quetta_police_college_wire.txt"
LAHORE = "104_lahore_gulshan_park_easter.txt"


def _people(store, *roles: str) -> list[Viewer]:
    with store.session() as session:
        org = session.scalar(select(Organisation).where(Organisation.is_local))
        org_id = org.id if org else store.local_org_id()
        viewers = []
        for number, role in enumerate(roles):
            user = User(username=f"{role}{number}", org_id=org_id, role=role, password_hash=None)
            session.add(user)
            session.flush()
            viewers.append(Viewer(user.id, org_id, role, user.username))
        return viewers


def _spec(name="first-week"):
    return build(name, read_gold(EXAMPLES / "gold.yaml"), EXAMPLES / "reports", read_scenario(SCENARIO))


def _gold_as_coding(gold_document: dict) -> dict:
    """What a careful trainee codes: the gold's required attacks, in the form `jirga extract` writes."""
    incidents = []
    for item in (gold_document.get("incidents") or {}).get("required") or []:
        coded = {"kind": item.get("kind") or "attack", "place": {"name": item["place"].get("city") or
                                                                 item["place"].get("district"),
                                                                 "country": item["place"].get("country")}}
        for field in ("killed", "injured"):
            if item.get(field):
                coded[field] = {"best": item[field]["value"]}
        for field in ("claimed_by", "perpetrator", "attack_type"):
            if item.get(field):
                coded[field] = item[field]
        date = item.get("date")
        if isinstance(date, (str, dt.date)):
            coded["date"] = {"start": str(date), "end": str(date)}
        elif isinstance(date, dict) and "month" in date:
            coded["date"] = {"start": f"{date['year']}-{date['month']:02}-01", "end": f"{date['year']}-"
                                                                                f"{date['month']:02}-28"}
        incidents.append(coded)
    relations = [{"subject": s, "relation": r, "object": o} for s, r, o in gold_document.get("relations") or []]
    return {"incidents": incidents, "relations": relations}


def test_exercise_trainee_codes_released_reports_and_is_told_each_mistake(store):
    instructor, trainee = _people(store, "analyst", "viewer")
    with pytest.raises(PermissionDenied):
        run.create(store, trainee, _spec())
    run.create(store, instructor, _spec())
    with pytest.raises(Conflict):
        run.create(store, instructor, _spec())

    shown = training.show(store, trainee, "first-week")
    assert [r["name"] for r in shown["reports"]] == [QUETTA, "123_psl_final_karachi_kings.txt"]
    assert all("gold" not in r for r in shown["reports"])
    assert len(training.show(store, instructor, "first-week")["reports"]) == 7
    with pytest.raises(NotFound):
        training.report(store, trainee, "first-week", LAHORE)  # day 1, not released yet
    with pytest.raises(PermissionDenied):
        training.release(store, trainee, "first-week", 1)
    training.release(store, instructor, "first-week", 1)
    assert training.report(store, trainee, "first-week", LAHORE)["text"]

    gold = read_gold(EXAMPLES / "gold.yaml")["documents"][QUETTA]
    coding = _gold_as_coding(gold)
    right = run.submit(store, trainee, "first-week", QUETTA, coding)
    assert right["score"]["found"] == right["score"]["required"] >= 1
    assert right["score"]["fields_ok"] == right["score"]["fields_all"] and right["score"]["misses"] == []
    true_toll = coding["incidents"][0]["killed"]["best"]
    coding["incidents"][0]["killed"] = {"best": true_toll - 10}  # one deliberate mistake
    wrong = run.submit(store, trainee, "first-week", QUETTA, coding)
    assert any(f"killed: you coded {true_toll - 10}, gold {true_toll}" in miss for miss in wrong["score"]["misses"])
    assert wrong["gold"] == json.loads(json.dumps(gold, default=str))  # the feedback shows the gold

    rows = training.results(store, instructor, "first-week")
    assert [(r["trainee"], r["report"]) for r in rows] == [("viewer1", QUETTA)]  # the latest submission counts
    assert rows[0]["fields"]["killed"] == [1, 2]  # two attacks, one toll wrong
    record = training.training_record(store, trainee)
    assert len(record) == 2 and summary(record)["most_missed"][0]["field"] == "killed"
    assert training.training_record(store, instructor, "viewer1") == record
    with pytest.raises(NotFound):
        training.training_record(store, trainee, "nobody")


def test_exercise_submissions_of_the_wrong_shape_are_refused_by_name(store):
    instructor, trainee = _people(store, "analyst", "viewer")
    run.create(store, instructor, _spec())
    with pytest.raises(BadInput, match="incidents item 1: killed must be an object"):
        run.submit(store, trainee, "first-week", QUETTA, {"incidents": [{"killed": 7}]})
    with pytest.raises(NotFound):
        run.submit(store, trainee, "no-such-exercise", QUETTA, {})
    with store.session() as session:
        refused = session.scalars(select(AuditEntry).where(AuditEntry.result == "not_found")).all()
    assert any("no-such-exercise" in entry.detail for entry in refused)


def test_exercise_agreement_shows_where_two_trainees_differ(store):
    instructor, first, second = _people(store, "analyst", "viewer", "viewer")
    run.create(store, instructor, _spec())
    coding = _gold_as_coding(read_gold(EXAMPLES / "gold.yaml")["documents"][QUETTA])
    run.submit(store, first, "first-week", QUETTA, coding)
    other = json.loads(json.dumps(coding))
    other["incidents"][0]["killed"] = {"best": 3}
    run.submit(store, second, "first-week", QUETTA, other)
    by_field = {a.field: a for a in agreement(training.codings(store, instructor, "first-week"))}
    assert by_field["killed"].share == 0.5 and by_field["items"].share == 1.0  # two attacks, one toll differs
    assert by_field["claimed_by"].share == 1.0 and by_field["killed"].pairs == 1


def test_exercise_bundle_is_checked_like_a_new_exercise(tmp_path):
    bundle = _spec().as_bundle()
    assert from_bundle(json.loads(json.dumps(bundle)), "b.json") == from_bundle(bundle, "b.json")
    for broken, problem in [({**bundle, "format": "x"}, "not an exported exercise"),
                            ({**bundle, "name": "../etc"}, "exercise name"),
                            ({**bundle, "reports": [{**bundle["reports"][0], "day": -1}]}, "day"),
                            ({**bundle, "reports": [{**bundle["reports"][0], "gold": {"incidents": []}}]},
                             "required"),
                            ({**bundle, "reports": bundle["reports"][:1] * 2}, "appears twice"),
                            ({**bundle, "reports": [{**bundle["reports"][0], "text": "a\x00b"}]}, "NUL")]:
        with pytest.raises(BadInput, match=problem):
            from_bundle(broken, "b.json")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump({"days": {0: ["no_such_report.txt"]}}))
    with pytest.raises(BadInput, match="no coding of it"):
        build("x", read_gold(EXAMPLES / "gold.yaml"), EXAMPLES / "reports", read_scenario(scenario))


def _jirga(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jirga.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, input=stdin)


def test_exercise_commands_end_to_end(tmp_path):
    env = {"JIRGA_DATABASE_URL": str(tmp_path / "j.db")}
    assert _jirga(env, "user", "add", "boss", "--role", "instance_admin", "--password-stdin",
                  stdin="pw-boss-123456\n").returncode == 0
    boss = {**env, "JIRGA_USER": "boss", "JIRGA_PASSWORD": "pw-boss-123456"}
    assert _jirga(boss, "user", "add", "tara", "--role", "viewer", "--password-stdin",
                  stdin="pw-tara-123456\n").returncode == 0
    tara = {**env, "JIRGA_USER": "tara", "JIRGA_PASSWORD": "pw-tara-123456"}
    made = _jirga(boss, "exercise", "create", "first-week", "--gold", str(EXAMPLES / "gold.yaml"), "--reports",
                  str(EXAMPLES / "reports"), "--scenario", str(SCENARIO))
    assert made.returncode == 0, made.stderr
    refused = _jirga(tara, "exercise", "create", "mine", "--gold", str(EXAMPLES / "gold.yaml"), "--reports",
                     str(EXAMPLES / "reports"))
    assert refused.returncode == 1 and "analyst" in refused.stderr
    listed = json.loads(_jirga(tara, "exercise", "list", "--format", "json").stdout)
    assert [(e["name"], e["reports"], e["instructor"]) for e in listed] == [("first-week", 7, False)]

    exported = tmp_path / "first-week.json"
    assert _jirga(boss, "exercise", "export", "first-week", "--out", str(exported)).returncode == 0
    assert _jirga(tara, "exercise", "export", "first-week").returncode == 1
    imported = _jirga(boss, "exercise", "import", str(exported), "--name", "again")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(_jirga(boss, "exercise", "show", "again", "--format", "json").stdout)["reports"][0]["gold"]

    codings = tmp_path / "codings"
    codings.mkdir()
    coding = _gold_as_coding(read_gold(EXAMPLES / "gold.yaml")["documents"][QUETTA])
    coding["incidents"][0]["claimed_by"] = []
    (codings / "107_quetta_police_college_wire.json").write_text(json.dumps(coding))
    (codings / "104_lahore_gulshan_park_easter.json").write_text("{}")  # day 1: not released
    submitted = _jirga(tara, "exercise", "submit", "first-week", str(codings))
    assert submitted.returncode == 1  # one coding refused, the other scored
    assert "no released report 104_lahore_gulshan_park_easter" in submitted.stderr
    assert "missing claim by" in submitted.stdout
    results = _jirga(boss, "exercise", "results", "first-week", "--csv")
    assert results.returncode == 0 and "tara" in results.stdout and "claimed_by" in results.stdout.splitlines()[0]
    record = _jirga(tara, "training", "record", "--csv")
    assert record.returncode == 0 and record.stdout.splitlines()[1].startswith("tara,first-week,")
    assert "claimed_by" in _jirga(tara, "training", "record").stdout
    assert _jirga(tara, "training", "record", "--user", "boss").returncode == 0
    assert _jirga(boss, "exercise", "release", "first-week", "--day", "3").returncode == 0
    assert len(json.loads(_jirga(tara, "exercise", "show", "first-week", "--format", "json").stdout)["reports"]) == 7


def test_exercise_passwords_are_never_hashed_at_import():
    assert hash_password  # the module is importable without a store (the CLI builds its tree lazily)
