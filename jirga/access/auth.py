"""Signing in: passwords (argon2id), API tokens (SHA-256 of a 256-bit secret), and the implicit admin of a new store.

A failed sign-in is written to the audit log in a transaction of its own, so it stays even though the command
fails. A successful one is not logged by itself: the entry of whatever the user then does names them (and the token).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session, joinedload

from jirga.access import audit
from jirga.access.rules import Viewer
from jirga.db.access_schema import ApiToken, AuditEntry, User
from jirga.db.database import Store
from jirga.errors import AuthenticationError, BadInput

# argon2id with the library's defaults (RFC 9106's second recommendation: t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Compared against when the user is unknown, so timing tells nothing; made on the first sign-in, not at
    import (it costs as much as a sign-in, and most commands never sign in with a password)."""
    return _hasher.hash("not a password: compared against when the user is unknown, so timing tells nothing")


def warm_up() -> None:
    """Make the dummy hash now: a server calls this at start, so no sign-in pays for it."""
    _dummy_hash()


TOKEN_PREFIX = "jirga_"
IMPLICIT_ADMIN = "(implicit-admin)"  # not a valid username, so no user can take the name
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
MIN_PASSWORD = 10


def check_username(name: str) -> str:
    if not USERNAME.fullmatch(name):
        raise BadInput(f"not a username: {name!r} (1-100 letters, digits, '.', '_', '@', '-'; a letter or digit "
                         "first)")
    return name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def new_token() -> tuple[str, str, str]:
    """(the token, its displayed prefix, the SHA-256 that is stored). The token is shown once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:len(TOKEN_PREFIX) + 6], token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def _viewer(user: User, origin: str, token_id: int | None = None) -> Viewer:
    return Viewer(user.id, user.org_id, user.role, user.username, token_id, origin)


def _refused(store: Store, message: str, *, actor: str, org_id: int | None, origin: str) -> AuthenticationError:
    """The refusal, written to the audit log in a transaction of its own."""
    with store.session() as session:
        audit.record(session, None, "login", "user", actor, "denied", message, actor=actor, org_id=org_id,
                     origin=origin)
    return AuthenticationError(message)


# After this many wrong passwords for one username within the window, that username is locked for the window.
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
WRONG_PASSWORD = "wrong username or password, or a disabled user"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _locked_until(store: Store, username: str) -> dt.datetime | None:
    """When the lock on this username ends, if it has failed MAX_FAILURES times within LOCKOUT (the audit log
    holds every refusal; refusals for being locked do not count, so the lock ends LOCKOUT after the last wrong
    password)."""
    since = _now() - LOCKOUT
    with store.session() as session:
        failures = session.scalars(
            select(AuditEntry.at).where(AuditEntry.action == "login", AuditEntry.result == "denied",
                                        AuditEntry.actor == username[:100], AuditEntry.at > since,
                                        AuditEntry.detail.contains(WRONG_PASSWORD))
            .order_by(AuditEntry.at.desc()).limit(MAX_FAILURES)).all()
    return _aware(failures[0]) + LOCKOUT if len(failures) >= MAX_FAILURES else None


# At most this many argon2 checks at once in a process (each takes 64 MiB), for known and unknown usernames alike:
# a flood of sign-ins waits here instead of exhausting memory, and is refused as busy after HASHING_WAIT seconds.
MAX_HASHING = 4
HASHING_WAIT = 20.0
_hashing = threading.BoundedSemaphore(MAX_HASHING)
# Sign-ins for one username take turns, so that counting its failures, checking the password and writing the
# refusal are one step: eight at once otherwise all passed the count before any refusal was written. The threads of
# a process share a lock (one of a fixed set, whatever names are tried); processes, such as uvicorn workers, share a
# PostgreSQL advisory lock. (SQLite is served by one process.)
_TURNS = [threading.Lock() for _ in range(64)]


def _turn(key: int) -> threading.Lock:
    return _TURNS[key % len(_TURNS)]


@contextmanager
def _one_at_a_time(store: Store, username: str) -> Iterator[None]:
    key = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big", signed=True)
    with _turn(key):
        if store.dialect != "postgresql":
            yield
            return
        with store.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


def sign_in_with_password(store: Store, username: str, password: str, origin: str = "cli") -> Viewer:
    if any(ord(c) < 32 or c == "\x7f" for c in username):  # PostgreSQL cannot even store a NUL to audit it
        shown = username.encode("unicode_escape").decode()[:100]
        raise _refused(store, f"sign-in refused for {shown!r}: a username holds no control characters",
                       actor=shown, org_id=None, origin=origin)
    if not _hashing.acquire(timeout=HASHING_WAIT):
        raise _refused(store, f"sign-in refused for {username!r}: too many sign-ins at once; try again in a moment",
                       actor=username[:100], org_id=None, origin=origin)
    try:
        with _one_at_a_time(store, username):
            return _check_password(store, username, password, origin)
    finally:
        _hashing.release()


def _check_password(store: Store, username: str, password: str, origin: str) -> Viewer:
    if (until := _locked_until(store, username)) is not None:
        raise _refused(store, f"sign-in refused for {username!r}: {MAX_FAILURES} wrong passwords within "
                              f"{LOCKOUT.seconds // 60} minutes; try again after {until:%H:%M} UTC",
                       actor=username[:100], org_id=None, origin=origin)
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        dummy = _dummy_hash()
        stored = user.password_hash if user is not None and user.password_hash else dummy
        try:
            good = _password_matches(stored, password) and stored is not dummy
        except (VerificationError, InvalidHashError):
            good = False
        if good and user.disabled:
            good = False
        elif good and _hasher.check_needs_rehash(stored):
            user.password_hash = _hasher.hash(password)
    if not good:
        raise _refused(store, f"sign-in refused for {username!r}: {WRONG_PASSWORD}",
                       actor=username[:100], org_id=user.org_id if user else None, origin=origin)
    return _viewer(user, origin)


# Clients that sign in with HTTP Basic on every request (TAXII clients do) would pay a 64 MiB argon2 check each
# time. A successful check is remembered, in this process only, as the pair (stored hash, HMAC of the password under
# a key made at start-up): the same password against the same stored hash passes without argon2 again. A changed
# password or a rehash changes the stored hash, so the pair no longer matches; a disabled user and the lock-out are
# checked on every sign-in as before. Nothing remembered is written anywhere.
_MEMO_KEY = secrets.token_bytes(32)
_MEMO_SIZE = 1024
_verified: OrderedDict[tuple[str, bytes], None] = OrderedDict()
_verified_lock = threading.Lock()


def _password_matches(stored: str, password: str) -> bool:
    """argon2's verdict (True, or VerificationError/InvalidHashError), remembered when it is True."""
    key = (stored, hmac.new(_MEMO_KEY, password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest())
    with _verified_lock:
        if key in _verified:
            _verified.move_to_end(key)
            return True
    good = _hasher.verify(stored, password)
    with _verified_lock:
        _verified[key] = None
        while len(_verified) > _MEMO_SIZE:
            _verified.popitem(last=False)
    return good


def sign_in_with_token(store: Store, token: str, origin: str = "cli", session: Session | None = None) -> Viewer:
    """The token's user; `session`: look it up in the caller's transaction (a TAXII read: one transaction, not two)."""
    now = dt.datetime.now(dt.UTC)
    with (nullcontext(session) if session is not None else store.session()) as session:
        row = session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                             .where(ApiToken.secret_hash == token_hash(token)))
        if row is None:
            problem = "unknown token"
        elif row.revoked_at is not None:
            problem = f"token {row.id} ({row.prefix}…) was revoked"
        elif row.expires_at is not None and _aware(row.expires_at) <= now:
            problem = f"token {row.id} ({row.prefix}…) expired at {_aware(row.expires_at):%Y-%m-%d %H:%M} UTC"
        elif row.user.disabled:
            problem = f"token {row.id} ({row.prefix}…) belongs to a disabled user"
        else:
            return _viewer(row.user, origin, row.id)
        actor, org_id = (row.user.username, row.user.org_id) if row is not None else ("(unknown token)", None)
    raise _refused(store, f"sign-in refused: {problem}", actor=actor, org_id=org_id, origin=origin)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def has_users(store: Store) -> bool:
    with store.session() as session:
        return bool(session.scalar(select(exists().where(User.id.isnot(None)))))


def implicit_admin(store: Store, origin: str = "cli") -> Viewer | None:
    """The local organisation's implicit instance admin, while the store has no users; else None."""
    if has_users(store):
        return None
    return Viewer(None, store.local_org_id(), "instance_admin", IMPLICIT_ADMIN, None, origin)


def sign_in(store: Store, *, username: str | None = None, password: str | None = None, token: str | None = None,
            origin: str = "cli") -> Viewer:
    """Who acts: the token's user; else the named user with their password; else, in a store without users, the
    implicit admin of the local organisation."""
    if token:
        viewer = sign_in_with_token(store, token, origin)
        if username and username != viewer.username:
            raise AuthenticationError(f"the token belongs to {viewer.username!r}, not to {username!r}")
        return viewer
    if username:
        if password is None:
            raise AuthenticationError(f"no password for {username!r}: set JIRGA_PASSWORD, or use a token "
                                      "(JIRGA_TOKEN)")
        return sign_in_with_password(store, username, password, origin)
    viewer = implicit_admin(store, origin)
    if viewer is None:
        raise AuthenticationError("this store has users: say who you are with --as USER (or JIRGA_USER) and "
                                  "JIRGA_PASSWORD, or with a token in JIRGA_TOKEN")
    return viewer
