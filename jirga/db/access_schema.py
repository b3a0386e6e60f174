"""Tables of access control: users, their API tokens, and the hash-chained audit log.

Organisations, sharing groups and the markings on every record (`Owned`) are in `jirga.db.schema`; these tables
use the same `Base`, so one Alembic history covers both.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jirga.db.schema import Base, Organisation


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


ROLES: tuple[str, ...] = ("viewer", "analyst", "org_admin", "instance_admin")  # each may do what the one before may


class User(Base):
    """A person (or a script) acting for one organisation, with one role. Disabled users cannot sign in."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # viewer | analyst | org_admin | instance_admin
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id, PHC string; None: tokens only
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str | None] = mapped_column(String(100))

    org: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for scripts. Only the SHA-256 of the secret is kept; `prefix` identifies it in listings."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class AuditEntry(Base):
    """One read, write, sign-in or administrative act, hash-chained to the entry before it.

    `id` is given by the chain (1, 2, 3 ... without gaps), not by the database, so a deleted row shows as a gap.
    No foreign keys: an entry outlives the user, token or record it names.
    """

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))  # the username (as typed, for a failed sign-in)
    token_id: Mapped[int | None] = mapped_column(Integer)
    org_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(16))  # read | write | login | admin
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(16))  # ok | denied | not_found
    origin: Mapped[str] = mapped_column(String(200))  # where from: cli@host
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The chain's head: one row (id 1), locked by every writer of the log, so two writers never fork the chain."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    length: Mapped[int] = mapped_column(Integer, default=0)  # the id of the last entry
    head_hash: Mapped[str] = mapped_column(String(64))


class WebSession(Base):
    """A signed-in browser. The cookie holds a 256-bit secret; only its SHA-256 is kept, with a second secret that
    every form and HTMX request must echo (double submit), so another site cannot post in the user's name."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")
