"""What the API answers and accepts, as Pydantic models: they make the OpenAPI schema and check both directions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field

from jirga.model.checks import check_date, safe_url
from jirga.model.tlp import LEVELS
from jirga.store.queries import MAX_ID

Tlp = Literal[LEVELS]

# Ids are INTEGER columns, at most 2**31 - 1 on PostgreSQL: a larger number names nothing, and as a query parameter it
# fails in the database (PostgreSQL: integer out of range; SQLite, past 2**63: OverflowError). Refused here (422).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _name(value: str | None) -> str | None:
    if value is not None and any(ord(c) < 32 for c in value):
        raise ValueError("a name holds no control characters (such as NUL)")
    return value


# No name holds a control character, and PostgreSQL's text cannot hold NUL: refused here (422), not sent on.
NoControl = AfterValidator(_name)


def _link(value: str | None) -> str | None:
    return safe_url(value) if value and value.strip() else None


def _published(value: dt.date | None) -> dt.date | None:
    return check_date(value, "published") if value is not None else None


# Only an http(s) address is stored as a link (a javascript: one would run in the reader), and only a date between
# 1900 and tomorrow (a far-future one would stretch every chart): refused here (422), saying which and why.
Link = AfterValidator(_link)
Published = AfterValidator(_published)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# SQLite gives stored times back naive (they are UTC): say so, as RFC 3339 date-times must.
Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]


class Problem(BaseModel):
    error: str = Field(description="what went wrong, in words")
    status: int


class Incident(BaseModel):
    id: int
    uuid: str
    kind: str
    title: str
    date: str = Field(description="the date, or the range with its precision")
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str | None
    attack_type: str | None
    target_type: str | None
    place: str | None
    province: str | None
    country: str | None
    lat: float | None
    lon: float | None
    killed_low: int | None
    killed_best: int | None
    killed_high: int | None
    injured_low: int | None
    injured_best: int | None
    injured_high: int | None
    actors: list[str] = Field(description="'Name (role)' of each actor involved")
    reports: int
    tlp: Tlp
    status: str
    conflict: bool = Field(description="sources disagree on a figure, a claim, the attack type or the day")


class IncidentPage(BaseModel):
    items: list[Incident]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")


class ReportRef(BaseModel):
    id: int
    title: str
    source: str
    reliability: str
    published: dt.date | None
    current: bool


class Claim(BaseModel):
    id: int
    incident_id: int
    field: str
    value: Any
    text: str = Field(description="the words of the report it was coded from")
    span: list[int] | None = Field(description="[start, end) of those words in the report's text")
    sentence: str
    origin: str = Field(description="machine, analyst or partner")
    created_by: str | None
    extractor: str | None
    tlp: Tlp
    report: ReportRef | None


class Grade(BaseModel):
    level: int
    label: str
    reason: str


class Range(BaseModel):
    low: int | None
    best: int | None
    high: int | None


class Verification(BaseModel):
    conflicts: list[str]
    notes: list[str] = Field(default_factory=list, description="whose agreement pins a figure; what was superseded")
    superseded: dict[int, str] = Field(default_factory=dict,
                                       description="claim id: why its figure no longer counts in the consensus")
    claimed_by: list[str]
    killed: Range
    injured: Range
    credibility: dict[str, Grade]
    near_copies: list[list[int]]


class Assessment(BaseModel):
    id: int
    claim_id: int | None
    incident_id: int | None
    verdict: str
    confidence: str | None
    reason: str
    created_by: str
    created_at: Timestamp
    tlp: Tlp
    origin: Literal["local", "partner"] = Field(
        description="local: an analyst here, counted in the consensus; partner: a partner's opinion received over "
                    "TAXII, shown but not counted")


class IncidentDetail(Incident):
    claims: list[Claim]
    verification: Verification
    assessments: list[Assessment]


class HistoryEntry(BaseModel):
    id: int
    action: str
    created_by: str | None
    created_at: Timestamp
    reason: str
    detail: dict[str, Any]
    summary: dict[str, Any] = Field(description="the consensus after this change")


class AssessmentIn(BaseModel):
    verdict: Literal["agree", "dispute"]
    reason: str = Field(min_length=1, max_length=5000)
    confidence: Literal["low", "moderate", "high"] | None = None


class MergeIn(BaseModel):
    other: BodyId = Field(description="the incident merged into this one")
    reason: str = Field(min_length=1, max_length=5000)


class SplitIn(BaseModel):
    reports: list[BodyId] = Field(min_length=1, description="reports whose claims move to a new incident")
    reason: str = Field(min_length=1, max_length=5000)


class MoveIn(BaseModel):
    to: BodyId | Literal["new"] = Field(description="the incident the claim belongs to, or \"new\"")
    event: bool = Field(False, description="move every claim its report told of the same event")
    reason: str = Field(min_length=1, max_length=5000)


class UndoIn(BaseModel):  # undo and dismiss: a reason only
    reason: str = Field(min_length=1, max_length=5000)


class Decision(BaseModel):
    incident_id: int
    history_entry: int
    message: str


class Report(BaseModel):
    id: int
    uuid: str
    title: str
    source: str
    reliability: str
    url: str | None
    published: dt.date | None
    language: str | None
    revision: int
    current: bool
    tlp: Tlp
    ingested_at: Timestamp


class ReportDetail(Report):
    text: str
    claims: list[Claim]


class ReportPage(BaseModel):
    items: list[Report]
    next_cursor: str | None


class ReportIn(BaseModel):
    text: str = Field(min_length=1, max_length=2_000_000)
    title: str = Field(default="", max_length=1000)
    source: Annotated[str, NoControl] = Field(min_length=1, max_length=200, description="the outlet or partner")
    url: Annotated[str | None, Link] = Field(default=None, max_length=2000, description="http(s) only")
    published: Annotated[dt.date | None, Published] = Field(default=None, description="1900-01-01 to tomorrow")
    tlp: Tlp = "amber"
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = None
    group: Annotated[str | None, NoControl] = Field(
        default=None, max_length=200, description="a sharing group your organisation belongs to: TLP:AMBER reaches "
                                                  "its members")


class Stored(BaseModel):
    report_id: int | None
    summary: str
    errors: list[str]
    notes: list[str] = []  # what the report was stored without: a link that was not http(s), a publication date
    incidents: list[int]


class Actor(BaseModel):
    id: str
    name: str
    kind: str
    aliases: list[str]
    acronyms: list[str]
    part_of: str | None
    splinter_of: str | None
    country: str | None


class Relation(BaseModel):
    subject: str
    relation: str
    object: str
    reports: int


class ActorDetail(Actor):
    parts: list[str]
    splinters: list[str]
    relations: list[Relation]
    incidents_by_year: dict[str, int]


class Place(BaseModel):
    id: str
    name: str
    precision: str
    country: str
    province_code: str | None
    province: str | None
    district: str | None
    lat: float | None
    lon: float | None


class Source(BaseModel):
    id: int
    name: str
    reliability: str
    reports: int = Field(description="current reports of this source that you may see")


class SearchHit(BaseModel):
    report: int
    title: str
    source: str
    published: dt.date | None
    snippet: str


class Me(BaseModel):
    username: str
    role: str
    organisation: str
    org_id: int


class WatchlistIn(BaseModel):
    name: Annotated[str, NoControl] = Field(min_length=1, max_length=200)
    actor: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=300)
    province: str | None = Field(default=None, max_length=300)
    kind: str | None = Field(default=None, max_length=40)
    attack_type: str | None = Field(default=None, max_length=40)
    conflicts: bool = False


class Watchlist(BaseModel):
    id: int
    name: str
    filter: dict[str, Any]
    new: int = Field(description="incidents opened since you last looked that match")
    changed: int = Field(0, description="incidents it matched before that new claims changed since you last looked")


class WatchlistChange(BaseModel):
    incident_id: int
    new_reports: int
    what: list[str] = Field(description="what changed: a revised toll (killed 70 → 74), a new claimant")
