"""The acts of training that need both the logic here and the store: creating an exercise from a checked spec,
exporting one, and submitting a coding (checked, then scored and kept in one transaction). Reads that need no logic
(lists, results, records) are called from `jirga.store.training` directly."""

from __future__ import annotations

import dataclasses

from jirga.access import Viewer
from jirga.db import Store
from jirga.errors import BadInput
from jirga.store import training, verified
from jirga.store.queries import IncidentFilter
from jirga.train.coding import check_coding
from jirga.train.exercises import ExerciseReportSpec, ExerciseSpec, check_name
from jirga.train.live import LiveAgreement, exercise_from_store, live_agreement
from jirga.train.scoring import score_document


def create(store: Store, viewer: Viewer, spec: ExerciseSpec, tlp: str = "amber", group: str | None = None) -> int:
    check_name(spec.name)
    return training.create(store, viewer, {**dataclasses.asdict(spec), "reports": [
        dataclasses.asdict(r) for r in spec.reports]}, tlp, group)


def export(store: Store, viewer: Viewer, name: str) -> ExerciseSpec:
    stored = training.export(store, viewer, name)
    return ExerciseSpec(stored["name"], stored["title"], stored["description"],
                        [ExerciseReportSpec(**r) for r in stored["reports"]])


def _score(report_name: str, gold: dict, coding: dict) -> dict:
    return score_document(report_name, gold, coding).as_dict()


def submit(store: Store, viewer: Viewer, name: str, report_name: str, coding: object) -> dict:
    """A trainee's coding of one report: checked, scored against its gold, kept; the score, the gold and the text."""
    checked = check_coding(coding, f"coding of {str(report_name)[:100]}")
    return training.submit(store, viewer, name, report_name, checked, _score)


def analyst_agreement(store: Store, viewer: Viewer, first: str, second: str, where: IncidentFilter) -> LiveAgreement:
    """Pairwise agreement between two analysts' verified incidents in the store, from what the viewer may see."""
    names = [str(n).strip()[:200] for n in (first, second)]
    if not all(names):
        raise BadInput("name two analysts: --between NAME --and NAME")
    if any(ord(c) < 32 for name in names for c in name):  # PostgreSQL refuses a NUL in a parameter
        raise BadInput("an analyst's name holds a control character; use their username")
    return live_agreement(verified.analysts_claims(store, viewer, names, where), *names)


def create_from_store(store: Store, viewer: Viewer, name: str, where: IncidentFilter, min_agreed: int = 1,
                      tlp: str = "amber", group: str | None = None, title: str | None = None) -> ExerciseSpec:
    """An exercise over the reports whose incidents analysts verified, from what the instructor may see and
    everyone who will see the exercise may see too; stored like one from a gold file."""
    check_name(name)
    spec = exercise_from_store(name, verified.verified_reports(store, viewer, where, tlp, group), min_agreed, title)
    create(store, viewer, spec, tlp, group)
    return spec
