"""Tables of training: exercises (marked like every record, so a joint exercise is shared with a sharing group),
their reports with the gold coding of each, and the trainees' submissions with their scores.

An exercise's reports are released day by day where it is run as a scenario: a report of day N is shown to trainees
once the instructor has released day N. A submission belongs to the trainee's organisation; who may read it is
decided by `jirga.access.rules.visible` like every other read (docs/training.md).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jirga.db.schema import Base, Owned


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Exercise(Owned, Base):
    """A set of reports with their gold, built by an instructor of the owner organisation."""

    __tablename__ = "exercises"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    released_day: Mapped[int] = mapped_column(Integer, default=0)  # reports of later days are not shown yet
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ExerciseReport(Base):
    """One report of an exercise: its text, its publication date, the gold coding of it and the day it comes."""

    __tablename__ = "exercise_reports"
    __table_args__ = (UniqueConstraint("exercise_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))  # the report's file name, as the gold file keys it
    title: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[dt.date | None] = mapped_column(Date)
    day: Mapped[int] = mapped_column(Integer, default=0)
    gold: Mapped[str] = mapped_column(Text)  # the gold document as JSON (the gold file's schema)


class Submission(Base):
    """A trainee's coding of one report of an exercise, and its score against the gold (kept as scored)."""

    __tablename__ = "exercise_submissions"
    __table_args__ = (Index("ix_exercise_submissions_exercise_user", "exercise_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("exercise_reports.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # the trainee's organisation
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    coding: Mapped[str] = mapped_column(Text)  # as submitted, JSON
    required: Mapped[int] = mapped_column(Integer, default=0)
    found: Mapped[int] = mapped_column(Integer, default=0)
    coded: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    fields_ok: Mapped[int] = mapped_column(Integer, default=0)
    fields_all: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str] = mapped_column(Text, default="{}")  # the document's score with every miss, JSON
