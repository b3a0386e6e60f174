"""Who may see and do what: the one access-control function, `visible`, and the role checks.

`visible(Model, viewer)` is a SQLAlchemy boolean expression that every query of the store puts in its WHERE
clause, so a record the viewer may not see is never loaded. The rules (docs/access-control.md):

| record's TLP   | who sees it                                                                  |
|----------------|------------------------------------------------------------------------------|
| any            | every user of the owner organisation                                         |
| CLEAR, GREEN   | every user of every organisation of the instance                             |
| AMBER          | the owner organisation and the members of the record's sharing group, if any |
| AMBER+STRICT   | the owner organisation only, even with a sharing group                       |
| RED            | the owner organisation only                                                  |

A trainee's submission to an exercise (`Submission`) carries no marking: it is seen by every user of the trainee's
organisation and by the users of the organisation that owns the exercise (its instructors), and by nobody else, so
the members of a joint exercise never see each other's trainees. Which names the instructors see is the store's
business (`jirga.store.training`): a foreign trainee is shown to them under a pseudonym.

Roles do not change what a user reads (an instance admin reads like any user of its organisation); they decide
what a user may write and administer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, inspect, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from jirga.db.access_schema import ROLES
from jirga.db.schema import (
    EVERYONE,
    Assessment,
    Claim,
    Incident,
    IncidentView,
    Owned,
    Relation,
    Report,
    SharingGroup,
    SharingGroupMember,
)
from jirga.db.train_schema import Exercise, Submission
from jirga.errors import GroupError, PermissionDenied

OPEN_LEVELS = ("clear", "green")  # seen by every organisation of the instance
SHARED_LEVELS = ("amber",)  # seen by the sharing group's members too; AMBER+STRICT and RED never leave the owner

# Records that carry markings and are read through the store's queries.
OWNED_MODELS = (Incident, Claim, Report, Relation, Assessment)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: passed explicitly to every query and every administrative act."""

    user_id: int | None  # None: the implicit instance admin of a store that has no users yet
    org_id: int
    role: str
    username: str
    token_id: int | None = None  # set when the user signed in with an API token
    origin: str = "cli"  # where from, for the audit log: cli@host

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r} for user {self.username!r} (one of {', '.join(ROLES)})")

    def has_role(self, minimum: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(minimum)


def _marking_allows(model: type[Owned], viewer: Viewer) -> ColumnElement[bool]:
    groups = select(SharingGroupMember.group_id).where(SharingGroupMember.org_id == viewer.org_id)
    # Never NULL (a record without a sharing group gives FALSE, not NULL), so NOT visible(...) is safe to use too.
    return or_(model.owner_org_id == viewer.org_id,
               model.tlp.in_(OPEN_LEVELS),
               and_(model.tlp.in_(SHARED_LEVELS), model.sharing_group_id.isnot(None),
                    model.sharing_group_id.in_(groups)))


def visible(model: type[Owned], viewer: Viewer) -> ColumnElement[bool]:
    """The records of `model` that `viewer` may see, as a WHERE clause.

    An incident is visible when its own marking allows it or when at least one of its (not retired) claims is
    visible: a partner sees the incidents it has contributed to or been shared claims of, and only those claims.
    `model` may also be an alias of a marked model (`aliased(StixObject)`), for a query that compares a record with
    others of its kind (TAXII's "latest version the viewer may see").
    """
    if model is Submission:
        taught = aliased(Exercise)  # its own name: the query around it may join the exercises too
        return or_(Submission.org_id == viewer.org_id,
                   exists().where(taught.id == Submission.exercise_id, taught.owner_org_id == viewer.org_id))
    if model is Incident:
        return or_(_marking_allows(Incident, viewer),
                   exists().where(Claim.incident_id == Incident.id, ~Claim.retired, _marking_allows(Claim, viewer)))
    entity = inspect(model).class_ if isinstance(model, AliasedClass) else model
    if entity is Incident or not (isinstance(entity, type) and issubclass(entity, Owned)):
        raise TypeError(f"{model!r} carries no marking; access control applies to {OWNED_MODELS}")
    return _marking_allows(model, viewer)


def seen_view(viewer: Viewer, part: str | None = None, *, scan: bool = False) -> ColumnElement[bool]:
    """The join condition from `Incident` to the one `IncidentView` that `viewer` reads it through: their
    organisation's own view of it if it has one (it may see more claims than everyone), else the view for everyone.
    An incident the viewer may not see has neither, so joining it filters as `visible` does (the views are written
    by `jirga.store.summary` with the same marking rules; tests/test_access.py holds the two equal).
    `part`: "own" or "everyone", only the incidents seen through that kind of view (a listing asks for each apart,
    so that each part is read in date order from one index). `scan`: the caller reads most of the table (a count
    over every period): the organisation is then compared in a form no index serves, as a scan is faster than
    fetching most rows one by one through the organisation's index (SQLite, with no statistics, would do that)."""
    own = aliased(IncidentView)
    org_id = IncidentView.org_id + 0 if scan else IncidentView.org_id
    through = {"own": org_id == viewer.org_id,
               "everyone": and_(org_id == EVERYONE,
                                ~exists().where(own.incident_id == Incident.id, own.org_id == viewer.org_id))}
    return and_(IncidentView.incident_id == Incident.id, through[part] if part else or_(*through.values()))


@dataclass(frozen=True)
class Audience:
    """Who receives what leaves this instance (docs/sharing.md): the organisations of a sharing group, or the
    community (`tlp="green"`), or anyone (`tlp="clear"`). An audience is never "everyone" by omission: a group
    that is missing or has no member but its owner shares nothing (`jirga.share.publishing.audience`)."""

    group_id: int | None = None
    tlp: str | None = None  # "clear" or "green" when there is no group

    def __post_init__(self) -> None:
        if (self.group_id is None) == (self.tlp is None) or self.tlp not in (None, *OPEN_LEVELS):
            raise ValueError(f"an audience is a sharing group or TLP clear/green, not {self!r}")


def may_leave(model: type[Owned]) -> ColumnElement[bool]:
    """The records of `model` whose marking lets them leave the instance at all: TLP:CLEAR, TLP:GREEN, and
    TLP:AMBER with a sharing group. AMBER+STRICT and RED never leave the owner organisation, and AMBER without a
    group has no audience outside it."""
    return or_(model.tlp.in_(OPEN_LEVELS),
               and_(model.tlp.in_(SHARED_LEVELS), model.sharing_group_id.isnot(None)))


def audience_receives(model: type[Owned], audience: Audience) -> ColumnElement[bool]:
    """The records of `model` this audience may receive (never NULL, like `visible`): a group receives TLP:CLEAR,
    TLP:GREEN and its own TLP:AMBER; the community TLP:CLEAR and TLP:GREEN; anyone TLP:CLEAR only."""
    if audience.group_id is not None:
        return or_(model.tlp.in_(OPEN_LEVELS),
                   and_(model.tlp.in_(SHARED_LEVELS), model.sharing_group_id.isnot(None),
                        model.sharing_group_id == audience.group_id))
    return model.tlp.in_(("clear",) if audience.tlp == "clear" else OPEN_LEVELS)


def require_role(viewer: Viewer, minimum: str, doing: str) -> None:
    if not viewer.has_role(minimum):
        raise PermissionDenied(f"{viewer.username} ({viewer.role}) may not {doing}: it needs the role {minimum}"
                               " or higher")


def may_administer_users_of(viewer: Viewer, org_id: int) -> bool:
    """Org admins administer the users of their own organisation; instance admins those of every organisation."""
    return viewer.role == "instance_admin" or (viewer.role == "org_admin" and viewer.org_id == org_id)


def same_audience(model: type[Owned], owner_org_id: int, tlp: str, sharing_group_id: int | None) -> ColumnElement[bool]:
    """The records of `model` seen by exactly the users who see a record with this owner, marking and group.

    An analyst's merge, possible duplicates and a moved claim stay within one audience: they would otherwise move
    claims the analyst may not see. (Clustering fuses across audiences; each viewer sees the result through its
    own view, see `seen_view`.)
    """
    if tlp in OPEN_LEVELS:
        return model.tlp.in_(OPEN_LEVELS)
    group = model.sharing_group_id.is_(None) if sharing_group_id is None else model.sharing_group_id == sharing_group_id
    return and_(model.owner_org_id == owner_org_id, model.tlp == tlp, group)


def audience_matches(record, owner_org_id: int, tlp: str, sharing_group_id: int | None) -> bool:
    """`same_audience` for a record in memory (a row already read): seen by exactly the users who see a record with
    this owner, marking and group."""
    if tlp in OPEN_LEVELS:
        return record.tlp in OPEN_LEVELS
    return (record.owner_org_id, record.tlp, record.sharing_group_id) == (owner_org_id, tlp, sharing_group_id)


def member_group(session, org_id: int, name: str) -> int:
    """The id of the sharing group `name` if organisation `org_id` is one of its members (a writer marks records
    for a group it belongs to, never for one it is not in)."""
    group = session.scalar(select(SharingGroup.id).join(SharingGroupMember, SharingGroupMember.group_id ==
                                                        SharingGroup.id)
                           .where(SharingGroup.name == name.strip(), SharingGroupMember.org_id == org_id))
    if group is None:
        raise GroupError(f"group: your organisation is in no sharing group called {name.strip()[:200]!r}")
    return group


def member_groups(session, org_id: int) -> list[str]:
    """The names of the sharing groups organisation `org_id` belongs to (what a writer may choose from)."""
    return list(session.scalars(select(SharingGroup.name).join(SharingGroupMember, SharingGroupMember.group_id ==
                                                               SharingGroup.id)
                                .where(SharingGroupMember.org_id == org_id).order_by(SharingGroup.name)))
