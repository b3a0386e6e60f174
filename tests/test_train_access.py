"""Joint exercises across organisations, on SQLite and PostgreSQL: over random worlds, every user sees exactly the
exercises the marking rules allow, the results of their own organisation's trainees, and, as the exercise's
instructors, everyone's; and nobody sees another organisation's trainee by name (docs/training.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from jirga.access import NotFound, Viewer
from jirga.db.access_schema import ROLES, User
from jirga.db.schema import Organisation, SharingGroup, SharingGroupMember
from jirga.db.train_schema import Exercise, ExerciseReport, Submission
from jirga.model.tlp import LEVELS
from jirga.store import training
from jirga.train import run
from tests.test_access import may_see

GOLD = {"incidents": {"required": [{"kind": "attack", "place": {"city": "Quetta", "country": "PK"},
                                    "killed": {"value": 5}}]}}
CODING = {"incidents": [{"kind": "attack", "place": {"name": "Quetta", "country": "PK"}, "killed": {"best": 4}}]}


@dataclass
class World:
    orgs: int
    members: list[int]  # the one sharing group's members, as organisation indexes
    users: list[tuple[int, str]]  # (organisation, role)
    exercises: list[tuple[int, str, bool]]  # (owner organisation, tlp, shared with the group)
    attempts: list[tuple[int, int]]  # (user, exercise): the user submits if the exercise is theirs to see


@st.composite
def worlds(draw) -> World:
    orgs = draw(st.integers(2, 4))
    org = st.integers(0, orgs - 1)
    members = sorted(draw(st.sets(org, min_size=1)))
    users = draw(st.lists(st.tuples(org, st.sampled_from(ROLES)), min_size=2, max_size=6))
    exercises = draw(st.lists(st.tuples(org, st.sampled_from(LEVELS), st.booleans()), min_size=1, max_size=3))
    attempts = draw(st.lists(st.tuples(st.integers(0, len(users) - 1), st.integers(0, len(exercises) - 1)),
                             max_size=8))
    return World(orgs, members, users, exercises, attempts)


def _clear(store) -> None:
    with store.session() as session:
        for model in (Submission, ExerciseReport, Exercise, User, SharingGroupMember, SharingGroup, Organisation):
            session.execute(delete(model).where(*([~Organisation.is_local] if model is Organisation else [])))


def _build(store, world: World):
    with store.session() as session:
        orgs = [Organisation(name=f"org{i}") for i in range(world.orgs)]
        session.add_all(orgs)
        session.flush()
        group = SharingGroup(name="joint", owner_org_id=orgs[0].id)
        session.add(group)
        session.flush()
        session.add_all(SharingGroupMember(group_id=group.id, org_id=orgs[m].id) for m in world.members)
        viewers = []
        for number, (org, role) in enumerate(world.users):
            user = User(username=f"trainee{number}", org_id=orgs[org].id, role=role)
            session.add(user)
            session.flush()
            viewers.append(Viewer(user.id, user.org_id, role, user.username))
        org_ids, group_id = [o.id for o in orgs], group.id
    members = {group_id: {org_ids[m] for m in world.members}}
    markings = []
    for number, (owner, tlp, shared) in enumerate(world.exercises):
        group_id_or_none = group_id if shared and tlp == "amber" and owner in world.members else None
        with store.session() as session:  # an instructor of the owner organisation makes it
            session.add(Exercise(name=f"ex{number}", title="", description="", created_by="instructor",
                                 owner_org_id=org_ids[owner], tlp=tlp, sharing_group_id=group_id_or_none))
        with store.session() as session:
            exercise = session.query(Exercise).filter_by(name=f"ex{number}").one()
            session.add(ExerciseReport(exercise_id=exercise.id, position=0, name="r.txt", title="", text="Quetta.",
                                       day=0, gold=json.dumps(GOLD)))
        markings.append((org_ids[owner], tlp, group_id_or_none))
    return org_ids, members, viewers, markings


def test_joint_exercise_each_organisation_sees_its_own_trainees_and_instructors_see_all(store):
    @settings(max_examples=25 if store.dialect == "sqlite" else 10, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(worlds())
    def check(world: World) -> None:
        _clear(store)
        _, members, viewers, markings = _build(store, world)
        submitted: list[tuple[Viewer, int]] = []
        for user, number in world.attempts:
            viewer = viewers[user]
            if may_see(viewer.org_id, *markings[number], members):
                run.submit(store, viewer, f"ex{number}", "r.txt", CODING)
                submitted.append((viewer, number))
            else:  # an exercise the trainee may not see does not exist for them
                with pytest.raises(NotFound):
                    run.submit(store, viewer, f"ex{number}", "r.txt", CODING)
        for viewer in viewers:
            seen = {e["name"] for e in training.list_exercises(store, viewer)}
            assert seen == {f"ex{n}" for n, m in enumerate(markings) if may_see(viewer.org_id, *m, members)}
            for number, (owner, _, _) in enumerate(markings):
                name = f"ex{number}"
                if name not in seen:
                    with pytest.raises(NotFound):
                        training.results(store, viewer, name)
                    continue
                rows = training.results(store, viewer, name)
                trainees = {(t.user_id, t.org_id) for t, n in submitted if n == number}
                expected = {t for t in trainees if t[1] == viewer.org_id or owner == viewer.org_id}
                assert len(rows) == len(expected)
                own = {f"trainee{viewers.index(next(v for v in viewers if v.user_id == u))}"
                       for u, o in expected if o == viewer.org_id}
                assert {r["trainee"] for r in rows if r["trainee"].startswith("trainee")} == own
                shown = json.dumps(rows) + json.dumps(training.codings(store, viewer, name))
                foreign = {v.username for v in viewers if v.org_id != viewer.org_id}
                assert not any(f'"{username}"' in shown for username in foreign)
            for other in viewers:
                if other.org_id != viewer.org_id:
                    with pytest.raises(NotFound):
                        training.training_record(store, viewer, other.username)
                else:
                    record = training.training_record(store, viewer, other.username)
                    assert len(record) == sum(1 for t, _ in submitted if t.user_id == other.user_id)

    check()


def test_joint_exercise_a_foreign_instructor_does_not_see_another_organisations_trainee(store):
    """The issue's case, spelled out: org A runs a joint exercise with B and C; C's instructor sees C's trainee
    only; A's instructor sees B's trainee as "orgB trainee 1", never by name."""
    world = World(3, [0, 1, 2], [(0, "analyst"), (1, "viewer"), (2, "analyst"), (2, "viewer")],
                  [(0, "amber", True)], [])
    _clear(store)
    viewers = _build(store, world)[2]
    instructor_a, trainee_b, instructor_c, trainee_c = viewers
    run.submit(store, trainee_b, "ex0", "r.txt", CODING)
    run.submit(store, trainee_c, "ex0", "r.txt", CODING)
    assert [r["trainee"] for r in training.results(store, instructor_c, "ex0")] == ["trainee3"]
    assert sorted(r["trainee"] for r in training.results(store, instructor_a, "ex0")) == ["org1 trainee 1",
                                                                                           "org2 trainee 1"]
    assert [r["trainee"] for r in training.results(store, trainee_b, "ex0")] == ["trainee1"]
