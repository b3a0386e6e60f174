"""The audit log: every read, write, sign-in and administrative act, append-only and hash-chained.

Entry n holds `prev_hash`, the hash of entry n-1 (64 zeros for the first), and `hash`:

    hash = sha256(canonical JSON of the entry's fields, `prev_hash` included, `hash` left out)

where canonical JSON has sorted keys, no spaces, UTF-8, and `at` written as 2026-11-23T12:52:12.079145Z. Ids run 1, 2,
3 ... without gaps, taken from the chain head (`audit_chain`, one row), which every writer updates (and reads back)
first: that row lock (PostgreSQL) or the database write lock (SQLite) makes writers take turns, so the chain never
forks. The head also keeps the last id and hash, so deleting the newest entries shows too.

`verify` walks the chain and reports the first broken link: an altered entry (its hash no longer matches), an
entry whose link to the one before fails (that one was altered and re-hashed, or replaced), a gap (deleted
entries), or a head that does not match the last entry (entries deleted from the end).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from jirga.access.rules import Viewer
from jirga.db import Store
from jirga.db.access_schema import AuditChain, AuditEntry
from jirga.errors import AuditChainMissing, PermissionDenied

GENESIS = "0" * 64
ACTIONS = ("read", "write", "login", "admin")
RESULTS = ("ok", "denied", "not_found")
FIELDS = ("id", "at", "actor", "token_id", "org_id", "action", "target_type", "target_id", "result", "origin",
          "detail", "prev_hash")

_entries = AuditEntry.__table__
_chain = AuditChain.__table__



def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(fields: dict) -> str:
    """The hash of an entry given its fields (FIELDS, `prev_hash` included)."""
    canonical = {name: fields[name] for name in FIELDS}
    canonical["at"] = _timestamp(fields["at"])
    data = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def record(session: Session, viewer: Viewer | None, action: str, target_type: str, target_id: object = None,
           result: str = "ok", detail: str = "", *, actor: str | None = None, org_id: int | None = None,
           origin: str | None = None) -> None:
    """Append one entry inside the caller's transaction (so a write and its entry commit together); a read's entry
    goes to the session's group commit instead, if it has one (`read_session`).

    `viewer` is who acted; for a failed sign-in there is none, and `actor`, `org_id`, `origin` say what is known.
    """
    if action not in ACTIONS or result not in RESULTS:
        raise ValueError(f"audit entry with action {action!r}, result {result!r}")
    fields = {
        "at": dt.datetime.now(dt.UTC),
        "actor": (viewer.username if viewer else actor or "?")[:100],
        "token_id": viewer.token_id if viewer else None,
        "org_id": viewer.org_id if viewer else org_id,
        "action": action, "target_type": target_type[:40],
        "target_id": None if target_id is None else str(target_id)[:200],
        "result": result, "origin": (viewer.origin if viewer else origin or "?")[:200],
        "detail": detail[:2000],
    }
    deferred = session.info.get(_DEFERRED)
    if deferred is not None and action == "read":
        deferred.append(fields)
    else:
        _append(session, [fields])


def _append(session: Session, entries: list[dict]) -> None:
    """Chain the entries on, in this order, in the session's transaction."""
    # Lock the head first: the row lock (PostgreSQL) or the write lock (SQLite) is held until commit.
    locked = session.execute(update(_chain).where(_chain.c.id == 1).values(length=_chain.c.length + len(entries))
                             .returning(_chain.c.length, _chain.c.head_hash)).one_or_none()
    if locked is None:
        raise AuditChainMissing("the audit log's chain head (table audit_chain, row 1) is missing")
    length, head = locked
    rows = []
    for number, fields in enumerate(entries, start=length - len(entries) + 1):
        row = {**fields, "id": number, "prev_hash": head}
        row["hash"] = head = entry_hash(row)
        rows.append(row)
    session.execute(insert(_entries), rows)
    session.execute(update(_chain).where(_chain.c.id == 1).values(head_hash=head))


# Reads in groups. A read's entry must be committed before its answer leaves, but each commit holds the chain
# head's lock until the disk has it, so concurrent reads would queue there one by one. Under `read_session`, a
# read keeps its entries aside and then hands them over to be committed with the entries of the reads waiting at the
# same time, in one transaction (group commit), and waits until that transaction is committed (`read_session`).
_DEFERRED = "jirga.audit.reads"


@contextmanager
def read_session(store: Store) -> Iterator[Session]:
    """A transaction that only reads: its read entries are committed after it ends, whether it ends well or with an
    error (an audited "not found" too), before this block is left; on PostgreSQL with the entries of the reads that
    end meanwhile. SQLite takes one writer at a time, so a group is no faster there: its reads take turns
    (`Store.write_turn`) and each writes its own entries."""
    sqlite = store.dialect == "sqlite"
    deferred: list[dict] = []
    with store.write_turn() if sqlite else nullcontext():
        try:
            with store.session() as session:
                session.info[_DEFERRED] = deferred
                yield session
        finally:
            if deferred and sqlite:
                with store.session() as session:
                    _append(session, deferred)
            elif deferred:
                _committer(store).commit(deferred)


class _GroupCommit:
    """Leader and followers: the first read to arrive writes every entry waiting, its own among them, in one
    transaction; those that arrive meanwhile wait, and when it is done they are committed too, or one of them leads
    the next transaction. A read alone writes its own entries at once, with no hand-over."""

    def __init__(self, store: Store):
        self.store = store
        self.turn = threading.Condition()
        self.waiting: list[tuple[list[dict], Future]] = []
        self.writing = False

    def commit(self, entries: list[dict]) -> None:
        """Queue the entries and return when they are committed (or raise what their transaction raised)."""
        done: Future = Future()
        with self.turn:
            self.waiting.append((entries, done))
            while self.writing and not done.done():
                self.turn.wait()
            if not done.done():
                self.writing = True
                batch, self.waiting = self.waiting, []
        if not done.done():
            try:
                with self.store.write_turn(), self.store.session() as session:
                    _append(session, [fields for queued, _ in batch for fields in queued])
            except BaseException as error:  # every read of the batch fails with it: none goes unaudited
                for _, each in batch:
                    each.set_exception(error)
            else:
                for _, each in batch:
                    each.set_result(None)
            finally:
                with self.turn:
                    self.writing = False
                    self.turn.notify_all()
        done.result()


_committers_lock = threading.Lock()


def _committer(store: Store) -> _GroupCommit:
    with _committers_lock:
        if "audit" not in store.helpers:
            store.helpers["audit"] = _GroupCommit(store)
        return store.helpers["audit"]


@dataclass(frozen=True)
class Verdict:
    entries: int  # entries checked
    broken_at: int | None  # the id of the first broken link, None if the chain is whole
    reason: str
    head_hash: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verdict:
    """Walk the whole chain, oldest first; stop at the first broken link."""
    head = session.execute(select(_chain.c.length, _chain.c.head_hash).where(_chain.c.id == 1)).one_or_none()
    if head is None:
        return Verdict(0, 0, "the chain head (table audit_chain, row 1) is missing", "")
    expected, previous, checked = 1, GENESIS, 0
    query = select(*[_entries.c[name] for name in (*FIELDS, "hash")]).order_by(_entries.c.id)
    # Streamed (a server-side cursor on PostgreSQL): closed at the first broken link too, not left to the collector.
    with session.execute(query.execution_options(yield_per=2000)) as rows:
        for row in rows.mappings():
            if row["id"] != expected:
                missing = f"entry {expected}" if row["id"] == expected + 1 else f"entries {expected}..{row['id'] - 1}"
                return Verdict(checked, expected, f"{missing} deleted (the log jumps from {expected - 1} to "
                               f"{row['id']})", head.head_hash)
            if row["prev_hash"] != previous:
                return Verdict(checked, expected, f"entry {expected} does not link to entry {expected - 1}: one of "
                               "them was altered and re-hashed, or replaced", head.head_hash)
            if entry_hash(dict(row)) != row["hash"]:
                return Verdict(checked, expected, f"entry {expected} was altered: its hash does not match its "
                               "contents", head.head_hash)
            previous, expected, checked = row["hash"], expected + 1, checked + 1
    if head.length != checked or head.head_hash != previous:
        return Verdict(checked, checked + 1, f"the chain head says {head.length} entries but {checked} remain: "
                       f"entries after {checked} were deleted, or the head was altered", head.head_hash)
    return Verdict(checked, None, "", head.head_hash)


def may_read_log(viewer: Viewer) -> bool:
    return viewer.role in ("org_admin", "instance_admin")


def entries(session: Session, viewer: Viewer, *, limit: int = 50, actor: str | None = None) -> list[AuditEntry]:
    """Newest first. Instance admins read every entry, org admins their organisation's; nobody else any."""
    if not may_read_log(viewer):
        raise PermissionDenied(f"{viewer.username} ({viewer.role}) may not read the audit log: it needs the role "
                               "org_admin or instance_admin")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if viewer.role != "instance_admin":
        query = query.where(AuditEntry.org_id == viewer.org_id)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_entries)) or 0
