"""Tables of sharing between instances: the organisations' signing keys, the STIX objects served and received over
TAXII, the status of each add, and the partner instances this one syncs with.

`StixObject` rows are marked like every other record (`Owned`), so a TAXII read goes through `access.visible`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jirga.db.schema import Base, Owned


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OrgKey(Base):
    """One Ed25519 public key of an organisation (ours or a partner's). A rotated key is retired, never deleted:
    what it signed still verifies. The private key of a local organisation is kept outside the database."""

    __tablename__ = "org_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(100), unique=True)  # the JWS `kid`: the key's thumbprint
    public_key: Mapped[str] = mapped_column(Text)  # a JWK (OKP, Ed25519) as JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StixObject(Owned, Base):
    """One version of one STIX object in one TAXII collection, kept as received (or as published) byte for byte."""

    __tablename__ = "stix_objects"
    __table_args__ = (
        UniqueConstraint("collection", "stix_id", "version"),
        Index("ix_stix_objects_collection_added", "collection", "date_added", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    collection: Mapped[str] = mapped_column(String(36))  # the TAXII collection id (a UUID)
    stix_id: Mapped[str] = mapped_column(String(300), index=True)
    type: Mapped[str] = mapped_column(String(250))
    spec_version: Mapped[str] = mapped_column(String(10), default="2.1")
    version: Mapped[str] = mapped_column(String(40))  # `modified`, or `created`, or the date added
    date_added: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    author_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # whose signature it carries
    body: Mapped[str] = mapped_column(Text)  # the object's JSON


class TaxiiStatus(Owned, Base):
    """The status resource of one TAXII add: counts and, per object, success or the reason it failed."""

    __tablename__ = "taxii_statuses"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    collection: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="complete")
    request_timestamp: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    pending_count: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[str] = mapped_column(Text, default="{}")  # successes, failures (id, version, message), pendings


class Peer(Base):
    """A partner instance this one pulls from and pushes to, and how far each collection has been pulled."""

    __tablename__ = "peers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2048))  # the TAXII API root
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # the partner organisation
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # the local organisation that syncs
    token: Mapped[str | None] = mapped_column(Text)  # the credential the partner gave us, if any
    cursor: Mapped[str] = mapped_column(Text, default="{}")  # {collection id: last X-TAXII-Date-Added-Last}
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
