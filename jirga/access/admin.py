"""Administering organisations, users, API tokens and sharing groups, each act checked and audited.

Every function takes the `Store` and the acting `Viewer`, runs in one transaction with its audit entry, and on a
refusal (`PermissionDenied`, `NotFound`) writes the refusal to the audit log in a transaction of its own and raises.

Who may do what:
- organisations: instance admins add them; every user lists them.
- users: org admins add, list and disable the users of their own organisation, up to the role org_admin;
  instance admins those of every organisation, any role. Nobody disables themselves. The first user of a store
  (added by the implicit admin) must be an instance admin, so the store is never left without one.
- tokens: every user makes and revokes their own; admins those of the users they administer.
- sharing groups: org admins and instance admins add them, owned by their organisation, which is always a member;
  a user lists the groups their organisation owns or belongs to (instance admins: all).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jirga.access import audit
from jirga.access.acts import audited
from jirga.access.auth import check_username, hash_password, new_token
from jirga.access.rules import Viewer, may_administer_users_of, require_role
from jirga.db.access_schema import ROLES, ApiToken, User
from jirga.db.database import Store
from jirga.db.schema import Organisation, SharingGroup, SharingGroupMember
from jirga.errors import BadInput, NotFound, PermissionDenied

MAX_TOKEN_DAYS = 3650  # ten years


def _org(session: Session, name_or_id: str | int) -> Organisation:
    value = str(name_or_id).strip()
    org = session.scalar(select(Organisation).where(
        or_(Organisation.name == value, Organisation.id == int(value)) if value.isdigit()
        else Organisation.name == value))
    if org is None:
        raise NotFound(f"no organisation {value!r}")
    return org


def _user(session: Session, viewer: Viewer, username: str) -> User:
    """The user; one of another organisation answers exactly like one that does not exist (unless the viewer is an
    instance admin), so that nobody learns which usernames other organisations have."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or (viewer.role != "instance_admin" and user.org_id != viewer.org_id):
        raise NotFound(f"no user {username!r}")
    return user


def _check_administers(viewer: Viewer, user_org: Organisation, role: str, doing: str) -> None:
    if not may_administer_users_of(viewer, user_org.id):
        raise PermissionDenied(f"{viewer.username} ({viewer.role}) may not {doing}: users of {user_org.name!r} "
                               "are administered by that organisation's admins")
    if ROLES.index(role) > ROLES.index(viewer.role):
        raise PermissionDenied(f"{viewer.username} ({viewer.role}) may not {doing}: the role {role} is above "
                               "their own")


# Organisations


def add_org(store: Store, viewer: Viewer, name: str, fingerprint: str | None = None) -> int:
    name = name.strip()
    with audited(store, viewer, "admin", "organisation", name, f"add organisation {name!r}") as act:
        require_role(viewer, "instance_admin", "add organisations")
        if not name or len(name) > 200:
            raise BadInput(f"an organisation needs a name of 1-200 characters, not {name!r}")
        if act.session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
            raise BadInput(f"organisation {name!r} exists already")
        org = Organisation(name=name, key_fingerprint=fingerprint or None)
        act.session.add(org)
        act.session.flush()
        act.target_id = org.id
        return org.id


def list_orgs(store: Store, viewer: Viewer) -> list[Organisation]:
    with audited(store, viewer, "read", "organisation", None, "list organisations") as act:
        return list(act.session.scalars(select(Organisation).order_by(Organisation.id)))


# Users


def add_user(store: Store, viewer: Viewer, username: str, role: str, password: str,
             org: str | int | None = None) -> int:
    """A new user of `org` (default: the acting user's organisation)."""
    with audited(store, viewer, "admin", "user", username, f"add user {username!r} as {role}") as act:
        check_username(username)
        if role not in ROLES:
            raise BadInput(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        organisation = _org(act.session, org if org is not None else viewer.org_id)
        _check_administers(viewer, organisation, role, f"add user {username!r} to {organisation.name!r}")
        first = act.session.scalar(select(User.id).limit(1)) is None
        if first and role != "instance_admin":
            raise PermissionDenied("the first user of a store must be an instance admin (--role instance_admin), "
                                   "or nobody could administer it afterwards")
        if act.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise BadInput(f"user {username!r} exists already")
        user = User(username=username, org_id=organisation.id, role=role, password_hash=hash_password(password),
                    created_by=viewer.username)
        act.session.add(user)
        act.session.flush()
        act.target_id = user.id
        return user.id


def list_users(store: Store, viewer: Viewer) -> list[User]:
    """Org admins: their organisation's users; instance admins: everyone."""
    with audited(store, viewer, "read", "user", None, "list users") as act:
        require_role(viewer, "org_admin", "list users")
        query = select(User).order_by(User.org_id, User.username)
        if viewer.role != "instance_admin":
            query = query.where(User.org_id == viewer.org_id)
        return list(act.session.scalars(query))


def disable_user(store: Store, viewer: Viewer, username: str) -> None:
    """The user can no longer sign in, with a password or any of their tokens. Nothing they made is removed."""
    with audited(store, viewer, "admin", "user", username, f"disable user {username!r}") as act:
        user = _user(act.session, viewer, username)
        act.target_id = user.id
        _check_administers(viewer, user.org, user.role, f"disable user {username!r}")
        if user.id == viewer.user_id:
            raise PermissionDenied(f"{viewer.username} may not disable themselves")
        user.disabled = True


# Tokens


def create_token(store: Store, viewer: Viewer, username: str | None = None, name: str = "",
                 expires_in: dt.timedelta | None = None) -> tuple[int, str]:
    """(token id, the token). The token is shown this once; only its SHA-256 is stored."""
    username = username or viewer.username
    check_token_lifetime(expires_in)
    with audited(store, viewer, "admin", "token", None, f"create token for {username!r}") as act:
        user = _user(act.session, viewer, username)
        if user.id != viewer.user_id:
            _check_administers(viewer, user.org, user.role, f"create a token for {username!r}")
        if user.disabled:
            raise PermissionDenied(f"user {username!r} is disabled")
        token, prefix, digest = new_token()
        expires = dt.datetime.now(dt.UTC) + expires_in if expires_in is not None else None
        row = ApiToken(user_id=user.id, prefix=prefix, secret_hash=digest, name=name[:200], expires_at=expires)
        act.session.add(row)
        act.session.flush()
        act.target_id = row.id
        return row.id, token


def check_token_lifetime(expires_in: dt.timedelta | None) -> None:
    """1 day to MAX_TOKEN_DAYS: a longer one is no safer than one that never expires, and past year 9999 the
    expiry date cannot even be written."""
    if expires_in is not None and not dt.timedelta(days=1) <= expires_in <= dt.timedelta(days=MAX_TOKEN_DAYS):
        raise BadInput(f"a token expires after 1 to {MAX_TOKEN_DAYS} days, not {expires_in.days}")


def revoke_token(store: Store, viewer: Viewer, token: str | int) -> None:
    """By id or by the prefix shown when it was made."""
    key = str(token).strip()
    with audited(store, viewer, "admin", "token", key, f"revoke token {key!r}") as act:
        query = select(ApiToken).where(ApiToken.id == int(key) if key.isdigit() else ApiToken.prefix == key)
        rows = list(act.session.scalars(query))
        if len(rows) != 1:
            raise NotFound(f"no token {key!r}" if not rows else f"token prefix {key!r} is ambiguous: give the id")
        row = rows[0]
        act.target_id = row.id
        if row.user_id != viewer.user_id:
            try:
                _check_administers(viewer, row.user.org, row.user.role, f"revoke token {key!r}")
            except PermissionDenied:
                raise NotFound(f"no token {key!r}") from None  # another organisation's tokens are not shown
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)


def list_tokens(store: Store, viewer: Viewer) -> list[ApiToken]:
    """The user's own tokens; admins also those of the users they administer."""
    with audited(store, viewer, "read", "token", None, "list tokens") as act:
        query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.id)
        if viewer.role == "org_admin":
            query = query.where(or_(User.org_id == viewer.org_id, ApiToken.user_id == viewer.user_id))
        elif viewer.role != "instance_admin":
            query = query.where(ApiToken.user_id == viewer.user_id)
        return list(act.session.scalars(query))


# Sharing groups


def add_group(store: Store, viewer: Viewer, name: str, members: list[str]) -> int:
    """A sharing group owned by the acting user's organisation, which is always one of its members."""
    name = name.strip()
    with audited(store, viewer, "admin", "sharing_group", name,
                  f"add sharing group {name!r} with {', '.join(members)}") as act:
        require_role(viewer, "org_admin", "add sharing groups")
        if not name or len(name) > 200:
            raise BadInput(f"a sharing group needs a name of 1-200 characters, not {name!r}")
        if act.session.scalar(select(SharingGroup.id).where(SharingGroup.name == name)) is not None:
            raise BadInput(f"sharing group {name!r} exists already")
        orgs = {viewer.org_id} | {_org(act.session, member).id for member in members}
        group = SharingGroup(name=name, owner_org_id=viewer.org_id)
        act.session.add(group)
        act.session.flush()
        act.session.add_all(SharingGroupMember(group_id=group.id, org_id=org_id) for org_id in sorted(orgs))
        act.target_id = group.id
        return group.id


def list_groups(store: Store, viewer: Viewer) -> list[tuple[SharingGroup, list[str]]]:
    """Each group with its members' names: those the user's organisation owns or belongs to (instance admins: all)."""
    with audited(store, viewer, "read", "sharing_group", None, "list sharing groups") as act:
        query = select(SharingGroup).order_by(SharingGroup.name)
        if viewer.role != "instance_admin":
            mine = select(SharingGroupMember.group_id).where(SharingGroupMember.org_id == viewer.org_id)
            query = query.where(or_(SharingGroup.owner_org_id == viewer.org_id, SharingGroup.id.in_(mine)))
        groups = list(act.session.scalars(query))
        names = act.session.execute(select(SharingGroupMember.group_id, Organisation.name)
                                    .join(Organisation, Organisation.id == SharingGroupMember.org_id)
                                    .where(SharingGroupMember.group_id.in_([g.id for g in groups]))
                                    .order_by(Organisation.name)).all()
        members: dict[int, list[str]] = {}
        for group_id, org_name in names:
            members.setdefault(group_id, []).append(org_name)
        return [(group, members.get(group.id, [])) for group in groups]


def verify_audit_log(store: Store, viewer: Viewer) -> audit.Verdict:
    """Check the audit log's hash chain (org and instance admins); the check itself is audited."""
    with audited(store, viewer, "admin", "audit_log", detail="verify") as act:
        if not audit.may_read_log(viewer):
            raise PermissionDenied(f"{viewer.username} ({viewer.role}) may not verify the audit log: it needs the "
                                   "role org_admin or instance_admin")
        verdict = audit.verify(act.session)
        act.target_id = verdict.broken_at
        act.detail = f"verify: {'whole' if verdict.ok else 'broken at ' + str(verdict.broken_at)}"
    return verdict


def audit_entries(store: Store, viewer: Viewer, limit: int, actor: str | None = None) -> list:
    """The newest audit entries the viewer may read (see `audit.entries`); the reading is audited."""
    with audited(store, viewer, "read", "audit_log") as act:
        found = audit.entries(act.session, viewer, limit=limit, actor=actor)
        act.detail = f"list: {len(found)} entries"
    return found
