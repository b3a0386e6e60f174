"""The database schema: SQLAlchemy 2 models named after the domain vocabulary in DESIGN.md.

Every record that can be shared carries its owning organisation, its TLP 2.0 marking and an optional sharing group
(`Owned`), so that access control and federation need no data migration. Incidents hold a summary computed from
their claims (`jirga.store.summary`) so that filtered listings are plain indexed queries; the claims stay the truth.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONValue = JSON().with_variant(JSONB(), "postgresql")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Marking(Base):
    """TLP 2.0 levels with their STIX marking-definition ids (seeded by the first migration)."""

    __tablename__ = "markings"
    tlp: Mapped[str] = mapped_column(String(16), primary_key=True)  # clear | green | amber | amber+strict | red
    name: Mapped[str] = mapped_column(String(24))  # TLP:AMBER+STRICT
    rank: Mapped[int] = mapped_column(Integer, unique=True)  # 0 (clear) .. 4 (red)
    stix_id: Mapped[str] = mapped_column(String(80), unique=True)


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=_uuid)  # its STIX identity is identity--uuid
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)
    key_fingerprint: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SharingGroup(Base):
    __tablename__ = "sharing_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))


class SharingGroupMember(Base):
    __tablename__ = "sharing_group_members"
    group_id: Mapped[int] = mapped_column(ForeignKey("sharing_groups.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)


class Owned:
    """Who owns a record and who else may see it."""

    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    tlp: Mapped[str] = mapped_column(ForeignKey("markings.tlp"), default="amber")
    sharing_group_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_groups.id"))


class Source(Owned, Base):
    """An outlet or a member organisation that reports. Its Admiralty reliability is each organisation's own
    opinion (`SourceGrade`): one organisation's grade never changes what another computes."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SourceGrade(Base):
    """An organisation's Admiralty reliability of a source (A-F). Without one, the source is F (cannot be judged)
    for that organisation. A report's facts are weighed with the grade of the organisation that owns the report."""

    __tablename__ = "source_grades"
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    reliability: Mapped[str] = mapped_column(String(1))


class Report(Owned, Base):
    """One revision of one report. A changed text under the same URL, from the same owner for the same audience, is
    a new row that supersedes the old one. A text is stored once per owner and source: another organisation's copy
    is its own report, so that neither the uniqueness nor "unchanged" tells anyone what others stored."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("owner_org_id", "source_id", "content_hash",
                                       name="uq_reports_owner_source_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=_uuid)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str | None] = mapped_column(String(2000), index=True)
    origin: Mapped[str] = mapped_column(String(2000))  # the file or URL it was read from
    title: Mapped[str] = mapped_column(String(1000), default="")
    published: Mapped[dt.date | None] = mapped_column(Date, index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    extractor_version: Mapped[str | None] = mapped_column(String(40), index=True)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    source: Mapped[Source] = relationship(lazy="joined")
    # The owner's grade of the source: the partner's opinion travels with its reports.
    grade: Mapped[SourceGrade | None] = relationship(
        primaryjoin="and_(SourceGrade.source_id == foreign(Report.source_id), "
                    "SourceGrade.org_id == foreign(Report.owner_org_id))", lazy="joined", viewonly=True)

    @property
    def reliability(self) -> str:
        return self.grade.reliability if self.grade else "F"


class Actor(Base):
    """An organisation from the actor catalog (or an unresolved group name), stored once it is referred to."""

    __tablename__ = "actors"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # catalog id, or unresolved:<key>
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[str | None] = mapped_column(String(120))


class Place(Base):
    """A gazetteer entry, stored once it is referred to."""

    __tablename__ = "places"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # gazetteer id
    name: Mapped[str] = mapped_column(String(300))
    precision: Mapped[str] = mapped_column(String(16))  # country | province | district | city
    country: Mapped[str] = mapped_column(String(2))
    province_code: Mapped[str | None] = mapped_column(String(12))
    province: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class Summary:
    """What an incident's claims say, summed up by the consensus rules (`jirga.store.summary`): the incident's own
    summary (of all its claims) and each of its views (of the claims one audience may see) have these columns."""

    kind: Mapped[str] = mapped_column(String(24))
    date_start: Mapped[dt.date | None] = mapped_column(Date)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    province_code: Mapped[str | None] = mapped_column(String(12))
    attack_type: Mapped[str | None] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    killed_low: Mapped[int | None] = mapped_column(Integer)
    killed_best: Mapped[int | None] = mapped_column(Integer)
    killed_high: Mapped[int | None] = mapped_column(Integer)
    injured_low: Mapped[int | None] = mapped_column(Integer)
    injured_best: Mapped[int | None] = mapped_column(Integer)
    injured_high: Mapped[int | None] = mapped_column(Integer)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    has_conflict: Mapped[bool] = mapped_column(Boolean, default=False)  # its sources disagree (see fuse.consensus)


class Incident(Owned, Summary, Base):
    """A real-world event (attack, security operation, arrest, meeting, visit, statistic) and its claims.

    The columns after `kind` summarise the claims and are recomputed whenever they change.
    """

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_status_date", "status", "date_start"),
        Index("ix_incidents_country_date", "country", "date_start"),
        Index("ix_incidents_province_date", "province_code", "date_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=_uuid)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | superseded | merged
    title: Mapped[str] = mapped_column(String(300), default="")
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    # How many times it was summarised: whoever keeps its summary in memory (jirga.store.tallies) sees a change
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    place: Mapped[Place | None] = relationship(lazy="joined")
    claims: Mapped[list[Claim]] = relationship(back_populates="incident", order_by="Claim.id")


EVERYONE = 0  # the `org_id` of an incident's view for every organisation: the view of its open claims


class IncidentView(Summary, Base):
    """An incident as one organisation sees it: the summary of the claims that organisation may see, kept by
    `jirga.store.summary` whenever the incident's summary is computed, so that filters, sorting and counts are plain
    indexed queries for every viewer. `org_id` EVERYONE is the view of what every organisation sees (the claims
    marked TLP:CLEAR or GREEN); an organisation that may see more (its own claims, its groups' TLP:AMBER) has a row
    of its own, which takes the place of that one. No row: the organisation does not see the incident."""

    __tablename__ = "incident_views"
    __table_args__ = (
        Index("ix_incident_views_date", "date_start"),
        Index("ix_incident_views_org_date", "org_id", "date_start"),
        Index("ix_incident_views_org_country_date", "org_id", "country", "date_start"),
        Index("ix_incident_views_org_province_date", "org_id", "province_code", "date_start"),
        Index("ix_incident_views_org_precision_date", "org_id", "date_precision", "date_start"),  # duplicates
        *(Index(f"ix_incident_views_org_{name}", "org_id", name, "incident_id")  # the list's sorts by a figure
          for name in ("killed_best", "injured_best", "report_count")),
    )
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    place_id: Mapped[str | None] = mapped_column(String(200))  # the incident's place row holds it already
    # The groups the view names (`summary.group_key`: claimed, perpetrator, attributed), as one JSON list of actor
    # ids; NULL for none. `jirga stats --by group` sums the views by it in one scan, then each list's sums under each
    # of its groups.
    group_ids: Mapped[str | None] = mapped_column(Text)
    # What the low-credibility filter reads (`jirga.store.credibility`): whether the claims seen are corroborated
    # (two sources, an analyst's claim or agreement), else the one source and grading organisation they rest on,
    # whose grade is looked up when the list is read (a grade changes without the incident changing).
    corroborated: Mapped[bool] = mapped_column(Boolean, default=False)
    sole_source_id: Mapped[int | None] = mapped_column(Integer)
    sole_source_org_id: Mapped[int | None] = mapped_column(Integer)


class IncidentViewActor(Base):
    """The actors an incident involves as one organisation's view tells (`IncidentView`), and how."""

    __tablename__ = "incident_view_actors"
    __table_args__ = (Index("ix_incident_view_actors_actor", "actor_id", "org_id", "incident_id"),)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    actor_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class MonthFigures:
    """What incidents add to a monthly count, in the order of `jirga.store.stats.sums`: how many, killed and
    injured (low, best, high, how many with no upper bound, how many with no figure), how many with conflicting
    sources, how many single-source. Parts may be negative (see `MonthSumPart`)."""

    incidents: Mapped[int] = mapped_column(Integer, default=0)
    killed_low: Mapped[int] = mapped_column(Integer, default=0)
    killed_best: Mapped[int] = mapped_column(Integer, default=0)
    killed_high: Mapped[int] = mapped_column(Integer, default=0)
    killed_open: Mapped[int] = mapped_column(Integer, default=0)
    killed_unknown: Mapped[int] = mapped_column(Integer, default=0)
    injured_low: Mapped[int] = mapped_column(Integer, default=0)
    injured_best: Mapped[int] = mapped_column(Integer, default=0)
    injured_high: Mapped[int] = mapped_column(Integer, default=0)
    injured_open: Mapped[int] = mapped_column(Integer, default=0)
    injured_unknown: Mapped[int] = mapped_column(Integer, default=0)
    conflicting: Mapped[int] = mapped_column(Integer, default=0)
    single_source: Mapped[int] = mapped_column(Integer, default=0)


class MonthSum(MonthFigures, Base):
    """The monthly count of incidents as one audience sees them, by kind and status, kept by
    `jirga.store.month_sums` so that a count over every month reads a few hundred rows, not every incident. A viewer's
    count is their organisation's rows plus EVERYONE's. `month` is YYYY-MM of the view's start date, '' undated."""

    __tablename__ = "month_sums"
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)


class MonthSumPart(MonthFigures, Base):
    """One incident's part in `MonthSum`, as last counted: what `month_sums.refresh` takes out again when the
    incident changes. An organisation's own view adds itself and takes away the EVERYONE view it stands in for
    (negative figures under that organisation). No foreign key: the part outlives a deleted incident until its
    refresh takes it out."""

    __tablename__ = "month_sum_parts"
    incident_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)


class IncidentViewVictim(Base):
    """One category of victims (`jirga.fuse.victims`) as one organisation's view tells (`IncidentView`): the
    consensus of the counts of that category among the claims the view sums up. No row: the view's sources give no
    figure of that category."""

    __tablename__ = "incident_view_victims"
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    killed_low: Mapped[int | None] = mapped_column(Integer)
    killed_best: Mapped[int | None] = mapped_column(Integer)
    killed_high: Mapped[int | None] = mapped_column(Integer)
    injured_low: Mapped[int | None] = mapped_column(Integer)
    injured_best: Mapped[int | None] = mapped_column(Integer)
    injured_high: Mapped[int | None] = mapped_column(Integer)


class IncidentActor(Base):
    """Which actors an incident involves, and how (perpetrator, claimed, denied, attributed, against, about)."""

    __tablename__ = "incident_actors"
    __table_args__ = (Index("ix_incident_actors_actor", "actor_id", "incident_id"),)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actors.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class Claim(Owned, Base):
    """One report's assertion about one field of one incident, with the span it came from.

    `field` is one of kind, date, place, attack_type, target, killed, injured, perpetrator, responsibility,
    against, statistic, participant, person, concerning, name; `value` is its JSON form. Claims from the same event
    of the same report share `event`. Machine claims carry the extractor version; analysts' claims carry none and are
    never replaced by re-extraction.
    """

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=_uuid)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))  # the extraction's id for the event: incident-2, meeting-1
    field: Mapped[str] = mapped_column(String(24))
    value: Mapped[Any] = mapped_column(JSONValue)
    text: Mapped[str] = mapped_column(Text, default="")  # as written in the report
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    sentence_start: Mapped[int | None] = mapped_column(Integer)
    sentence_end: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16), default="machine")  # machine | analyst | partner
    extractor_version: Mapped[str | None] = mapped_column(String(40))
    # Set when re-extraction replaced a machine claim that an analyst had assessed: kept for the record, not counted.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    incident: Mapped[Incident] = relationship(back_populates="claims")
    report: Mapped[Report | None] = relationship()


class Relation(Owned, Base):
    """A relation between two actors (allied_with, splinter_of, part_of, pledged_allegiance_to, ...) as reported."""

    __tablename__ = "relations"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("actors.id"), index=True)
    relation: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(ForeignKey("actors.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16), default="machine")
    extractor_version: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Assessment(Owned, Base):
    """An analyst's opinion on a claim or an incident (agree, dispute, ...), with confidence and reason."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # local: an analyst here; partner: a partner's opinion received, shown but never counted in the consensus
    origin: Mapped[str] = mapped_column(String(16), default="local", server_default="local")


class IncidentHistory(Base):
    """Every change to an incident: created, a report joined (with the match scores), merged, split, assessed,
    undone; with who, when, why, and the consensus after the change."""

    __tablename__ = "incident_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    detail: Mapped[Any] = mapped_column(JSONValue)
    summary: Mapped[Any] = mapped_column(JSONValue)
    created_by: Mapped[str | None] = mapped_column(String(200))  # None: the machine
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CannotLink(Base):
    """An analyst split this report's event out of this incident: automatic clustering must not put it back."""

    __tablename__ = "cannot_link"
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    event: Mapped[str] = mapped_column(String(40), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)


class Watchlist(Base):
    """A user's saved incident filter. Incidents opened after `seen_up_to` (an incident id: ids only grow) that match
    it are new to the user until they open the watchlist; the older ones it matches changed when a claim stored after
    `claims_seen_up_to` (a claim id) joined them."""

    __tablename__ = "watchlists"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    filter: Mapped[Any] = mapped_column(JSONValue)  # IncidentFilter's fields, as the user set them
    seen_up_to: Mapped[int] = mapped_column(Integer, default=0)
    claims_seen_up_to: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
