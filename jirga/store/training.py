"""Every SQL statement of training: exercises, their reports, submissions, results and training records.

The logic (checking a coding, scoring it, what an exercise is made of) lives above, in `jirga.train`, which calls
these functions with plain data; scoring comes in as a function, so that a submission is scored and kept in one
transaction.

Who may do what (docs/training.md):
- an exercise is read like any marked record, through `access.visible` (a joint exercise is AMBER and shared with a
  sharing group); its instructors are the analysts (and above) of the organisation that owns it;
- instructors create, release, export and see every report and its gold; trainees see the released reports only,
  and the gold of a report only in the feedback to their own submission;
- a submission is read through `access.visible` too: the trainee's organisation sees it, so does the instructors'
  organisation, nobody else; a trainee of another organisation is shown to instructors under a pseudonym.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jirga.access import NotFound, PermissionDenied, Viewer, audit, visible
from jirga.access.acts import audited
from jirga.access.rules import member_group
from jirga.db.access_schema import User
from jirga.db.database import Store
from jirga.db.schema import Organisation, SharingGroup
from jirga.db.train_schema import Exercise, ExerciseReport, Submission
from jirga.errors import BadInput, Conflict
from jirga.model import tlp as tlp_levels

INSTRUCTOR_ROLE = "analyst"


# ---- reading ----------------------------------------------------------------------------------------------------

def _exercise(session: Session, viewer: Viewer, name: str) -> Exercise:
    exercise = session.scalar(select(Exercise).where(Exercise.name == name, visible(Exercise, viewer)))
    if exercise is None:
        raise NotFound(f"no exercise {str(name)[:100]!r}")
    return exercise


def is_instructor(viewer: Viewer, exercise: Exercise) -> bool:
    return exercise.owner_org_id == viewer.org_id and viewer.has_role(INSTRUCTOR_ROLE)


def _released(exercise: Exercise, viewer: Viewer):
    """The reports the viewer may open: all of them for instructors, those of released days for trainees."""
    query = select(ExerciseReport).where(ExerciseReport.exercise_id == exercise.id)
    if not is_instructor(viewer, exercise):
        query = query.where(ExerciseReport.day <= exercise.released_day)
    return query.order_by(ExerciseReport.day, ExerciseReport.position)


def list_exercises(store: Store, viewer: Viewer) -> list[dict]:
    with store.session() as session:
        rows = session.execute(
            select(Exercise, Organisation.name, SharingGroup.name,
                   select(func.count(ExerciseReport.id)).where(ExerciseReport.exercise_id == Exercise.id)
                   .scalar_subquery())
            .join(Organisation, Organisation.id == Exercise.owner_org_id)
            .outerjoin(SharingGroup, SharingGroup.id == Exercise.sharing_group_id)
            .where(visible(Exercise, viewer)).order_by(Exercise.name)).all()
        return [{"name": e.name, "title": e.title, "owner": owner, "tlp": e.tlp, "group": group or "",
                 "reports": count, "released_day": e.released_day, "instructor": is_instructor(viewer, e)}
                for e, owner, group, count in rows]


def show(store: Store, viewer: Viewer, name: str) -> dict:
    """The exercise and the reports the viewer may open (their text; the gold for instructors only)."""
    with store.session() as session:
        exercise = _exercise(session, viewer, name)
        teaching = is_instructor(viewer, exercise)
        reports = session.scalars(_released(exercise, viewer)).all()
        return {"name": exercise.name, "title": exercise.title, "description": exercise.description,
                "released_day": exercise.released_day, "instructor": teaching, "tlp": exercise.tlp,
                "reports": [{"name": r.name, "title": r.title, "day": r.day,
                             "published": r.published and r.published.isoformat(), "text": r.text,
                             **({"gold": json.loads(r.gold)} if teaching else {})} for r in reports]}


def report(store: Store, viewer: Viewer, name: str, report_name: str) -> dict:
    """One report the viewer may open, without its gold."""
    with store.session() as session:
        exercise = _exercise(session, viewer, name)
        row = session.scalar(_released(exercise, viewer).where(ExerciseReport.name == report_name))
        if row is None:
            raise NotFound(f"no report {str(report_name)[:100]!r} in exercise {name!r}")
        return {"name": row.name, "title": row.title, "day": row.day, "text": row.text,
                "published": row.published and row.published.isoformat()}


def export(store: Store, viewer: Viewer, name: str) -> dict:
    """The whole exercise with its gold, for its instructors (a refusal is audited)."""
    with audited(store, viewer, "read", "exercise", doing="export an exercise") as act:
        exercise = _exercise(act.session, viewer, name)
        act.target_id = exercise.id
        if not is_instructor(viewer, exercise):
            raise PermissionDenied(f"{viewer.username} may not export exercise {name!r}: only its instructors "
                                   f"(analysts of the organisation that owns it) may")
        act.detail = f"export exercise {name}"
        reports = act.session.scalars(_released(exercise, viewer)).all()
        return {"name": exercise.name, "title": exercise.title, "description": exercise.description,
                "reports": [{"name": r.name, "text": r.text, "gold": json.loads(r.gold), "published": r.published,
                             "title": r.title, "day": r.day} for r in reports]}


# ---- writing ----------------------------------------------------------------------------------------------------

def create(store: Store, viewer: Viewer, exercise: dict, tlp: str = "amber", group: str | None = None) -> int:
    """Store a new exercise owned by the viewer's organisation; an instructor's act (analyst or above).
    `exercise`: name, title, description, and reports (each name, text, gold, published, title, day), as
    `jirga.train.exercises.ExerciseSpec` has checked them."""
    level = tlp_levels.normalize(tlp)
    name = exercise["name"]
    with audited(store, viewer, "write", "exercise", role=INSTRUCTOR_ROLE, doing="create an exercise") as act:
        session = act.session
        if session.scalar(select(Exercise.id).where(Exercise.name == name)) is not None:
            raise Conflict(f"the exercise name {name!r} is taken; choose another")
        group_id = member_group(session, viewer.org_id, group) if group and group.strip() else None
        if group_id is not None and level != "amber":
            raise BadInput(f"a sharing group shares only AMBER records; this exercise is {level.upper()}")
        row = Exercise(name=name, title=exercise["title"], description=exercise["description"],
                       created_by=viewer.username, owner_org_id=viewer.org_id, tlp=level, sharing_group_id=group_id)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"the exercise name {name!r} is taken; choose another") from None
        for position, item in enumerate(exercise["reports"]):
            session.add(ExerciseReport(exercise_id=row.id, position=position, name=item["name"],
                                       title=item["title"], text=item["text"], published=item["published"],
                                       day=item["day"], gold=json.dumps(item["gold"], default=str)))
        act.target_id, act.detail = row.id, f"create exercise {name} ({len(exercise['reports'])} reports)"
        return row.id


def release(store: Store, viewer: Viewer, name: str, day: int) -> None:
    """Show trainees the reports of every day up to `day` (a scenario's next step)."""
    if isinstance(day, bool) or not isinstance(day, int) or day < 0:
        raise BadInput(f"day {day!r}: a whole number, 0 or more")
    with audited(store, viewer, "write", "exercise", doing="release a day of an exercise") as act:
        exercise = _exercise(act.session, viewer, name)
        act.target_id = exercise.id
        if not is_instructor(viewer, exercise):
            raise PermissionDenied(f"{viewer.username} may not release exercise {name!r}: only its instructors may")
        exercise.released_day = day
        act.detail = f"release day {day} of exercise {name}"


Scorer = Callable[[str, dict, dict], dict]  # (report name, gold, coding) -> the score, as DocumentScore.as_dict()


def submit(store: Store, viewer: Viewer, name: str, report_name: str, coding: dict, scorer: Scorer) -> dict:
    """Score a trainee's (checked) coding of one report with `scorer`, keep both, and return the score with every
    miss, the gold and the report's text."""
    if viewer.user_id is None:
        raise PermissionDenied("a submission is a trainee's: sign in as a user (jirga user add) to submit")
    with audited(store, viewer, "write", "exercise", doing="submit to an exercise") as act:
        exercise = _exercise(act.session, viewer, name)
        row = act.session.scalar(_released(exercise, viewer).where(ExerciseReport.name == report_name))
        if row is None:
            raise NotFound(f"no report {str(report_name)[:100]!r} in exercise {name!r}")
        gold = json.loads(row.gold)
        result = scorer(row.name, gold, coding)
        counts = {key: result[key] for key in ("required", "found", "coded", "matched", "fields_ok", "fields_all")}
        submission = Submission(exercise_id=exercise.id, report_id=row.id, user_id=viewer.user_id,
                                org_id=viewer.org_id, coding=json.dumps(coding, ensure_ascii=False), **counts,
                                result=json.dumps(result, ensure_ascii=False))
        act.session.add(submission)
        act.session.flush()
        act.target_id, act.detail = exercise.id, f"submit {row.name} to exercise {name}"
        return {"submission": submission.id, "score": result, "gold": gold, "text": row.text}


def _when(moment: dt.datetime) -> str:
    """In UTC: SQLite gives the stored UTC time back without its zone, PostgreSQL in the session's zone."""
    return (moment.astimezone(dt.UTC) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M:%S")


# ---- results ----------------------------------------------------------------------------------------------------

def _latest_visible(session: Session, viewer: Viewer, exercise: Exercise):
    """Each trainee's last submission per report, of those the viewer may see, with the trainee and organisation."""
    last = (select(func.max(Submission.id)).where(Submission.exercise_id == exercise.id,
                                                   visible(Submission, viewer))
            .group_by(Submission.user_id, Submission.report_id))
    return session.execute(
        select(Submission, User.username, Organisation.name, ExerciseReport.name)
        .join(User, User.id == Submission.user_id).join(Organisation, Organisation.id == Submission.org_id)
        .join(ExerciseReport, ExerciseReport.id == Submission.report_id)
        .where(Submission.id.in_(last)).order_by(ExerciseReport.position, Submission.id)).all()


def _labels(rows, viewer: Viewer) -> dict[int, str]:
    """A trainee's name for the viewer: the username within the viewer's organisation, else a pseudonym that says
    only which organisation and in which order its trainees first submitted."""
    labels: dict[int, str] = {}
    counters: dict[str, int] = defaultdict(int)
    for submission, username, org, _ in sorted(rows, key=lambda r: r[0].id):
        if submission.user_id in labels:
            continue
        if submission.org_id == viewer.org_id:
            labels[submission.user_id] = username
        else:
            counters[org] += 1
            labels[submission.user_id] = f"{org} trainee {counters[org]}"
    return labels


def results(store: Store, viewer: Viewer, name: str) -> list[dict]:
    """Every visible trainee's latest score on each report, with the per-field counts."""
    with store.session() as session:
        exercise = _exercise(session, viewer, name)
        rows = _latest_visible(session, viewer, exercise)
        labels = _labels(rows, viewer)
        return [{"trainee": labels[s.user_id], "organisation": org, "report": report_name,
                 "found": s.found, "required": s.required, "matched": s.matched, "coded": s.coded,
                 "fields_ok": s.fields_ok, "fields_all": s.fields_all,
                 "fields": json.loads(s.result).get("fields", {}), "misses": json.loads(s.result).get("misses", []),
                 "submitted": _when(s.submitted_at)}
                for s, _, org, report_name in rows]


def codings(store: Store, viewer: Viewer, name: str) -> dict[str, dict[str, dict]]:
    """Per report, each visible trainee's latest coding (by the label the viewer sees): for agreement."""
    with store.session() as session:
        exercise = _exercise(session, viewer, name)
        rows = _latest_visible(session, viewer, exercise)
        labels = _labels(rows, viewer)
        found: dict[str, dict[str, dict]] = defaultdict(dict)
        for submission, _, _, report_name in rows:
            found[report_name][labels[submission.user_id]] = json.loads(submission.coding)
        return dict(found)


def training_record(store: Store, viewer: Viewer, username: str | None = None) -> list[dict]:
    """Every submission of one user of the viewer's organisation (default: the viewer), oldest first. A user of
    another organisation answers "not found", as one that does not exist."""
    with store.session() as session:
        who = username or viewer.username
        user = session.scalar(select(User).where(User.username == who, User.org_id == viewer.org_id))
        if user is None:
            raise NotFound(f"no user {str(who)[:100]!r} in your organisation")
        rows = session.execute(
            select(Submission, Exercise.name, ExerciseReport.name)
            .join(Exercise, Exercise.id == Submission.exercise_id)
            .join(ExerciseReport, ExerciseReport.id == Submission.report_id)
            .where(Submission.user_id == user.id, visible(Submission, viewer))
            .order_by(Submission.submitted_at, Submission.id)).all()
        if user.id != viewer.user_id:
            audit.record(session, viewer, "read", "training_record", user.id, "ok", f"training record of {who}")
        return [{"user": who, "exercise": exercise, "report": report_name,
                 "submitted": _when(s.submitted_at),
                 "found": s.found, "required": s.required, "matched": s.matched, "coded": s.coded,
                 "fields_ok": s.fields_ok, "fields_all": s.fields_all,
                 "fields": json.loads(s.result).get("fields", {})} for s, exercise, report_name in rows]
