"""Training pages: exercises, coding a report with the hand-coding form, the score with every miss explained and
the gold's answers marked in the text, instructors' results, and one's own training record."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from jirga.errors import BadInput, CodingError
from jirga.model.vocab import ATTACK_TYPES, TARGET_TYPES
from jirga.store import training
from jirga.store.queries import IncidentFilter
from jirga.train import run
from jirga.train.agreement import agreement
from jirga.train.fields import describe_gold_item
from jirga.train.forms import (
    FORM_FIELDS,
    KINDS,
    MAX_ITEMS,
    gold_terms,
    has_content,
    incident_from_form,
    marked_segments,
)
from jirga.train.record import spreadsheet_safe, summary
from jirga.train.scoring import gold_items
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()

Text = Annotated[str, Form(max_length=300)]
Asked = Annotated[str, Query(max_length=200)]
Coded = Annotated[str, Form(max_length=200_000)]


@router.get("/exercises")
def exercises_page(request: Request, viewer: ActingViewer):
    return render(request, "exercises.html", exercises=training.list_exercises(store_of(request), viewer))


@router.get("/exercises/{name}")
def exercise_page(request: Request, viewer: ActingViewer, name: str):
    return render(request, "exercise.html", exercise=training.show(store_of(request), viewer, name))


@router.post("/exercises/{name}/release")
def release(request: Request, viewer: ActingViewer, name: str, day: Annotated[int, Form(ge=0, le=365)]):
    """An instructor releases the reports of every day up to `day` (the scenario's next step)."""
    training.release(store_of(request), viewer, name, day)
    return RedirectResponse(f"/exercises/{quote(name)}", status_code=303)


def _coding_page(request: Request, viewer, name: str, report_name: str, coded: list[dict], form: dict,
                 problem: str = "", status_code: int = 200):
    report = training.report(store_of(request), viewer, name, report_name)
    return render(request, "exercise_code.html", status_code=status_code, exercise_name=name, report=report,
                  coded=coded, coded_json=json.dumps(coded), form=form, problem=problem, kinds=KINDS,
                  attack_types=ATTACK_TYPES, target_types=TARGET_TYPES)


@router.get("/exercises/{name}/code/{report_name}")
def code_page(request: Request, viewer: ActingViewer, name: str, report_name: str):
    return _coding_page(request, viewer, name, report_name, [], {})


def _coded_so_far(value: str) -> list[dict]:
    """The items added before, carried in the page: parsed again and checked like an upload."""
    from jirga.train.coding import check_coding

    try:
        items = json.loads(value or "[]")
    except json.JSONDecodeError:
        raise BadInput("the incidents coded so far were garbled; start the report again") from None
    check_coding({"incidents": items}, "the incidents coded so far")
    if len(items) > MAX_ITEMS:
        raise BadInput(f"at most {MAX_ITEMS} incidents per report")
    return items


@router.post("/exercises/{name}/code/{report_name}")
def code(request: Request, viewer: ActingViewer, name: str, report_name: str, coded: Coded = "[]",
         action: Text = "add", kind: Text = "attack", date: Text = "", place: Text = "", country: Text = "",
         attack_type: Text = "", target: Text = "", target_type: Text = "", perpetrators: Text = "",
         claimed_by: Text = "", killed_low: Text = "", killed_best: Text = "", killed_high: Text = "",
         injured_low: Text = "", injured_best: Text = "", injured_high: Text = ""):
    form = {key: value for key, value in locals().items() if key in FORM_FIELDS}
    items = _coded_so_far(coded)
    try:
        if action == "remove" and items:
            items.pop()
            return _coding_page(request, viewer, name, report_name, items, {})
        if has_content(form):
            items.append(incident_from_form(form))
        elif action == "add":
            raise CodingError("the form is empty: fill in the incident before adding it")
    except CodingError as error:
        return _coding_page(request, viewer, name, report_name, items, form, str(error), 422)
    if action == "add":
        return _coding_page(request, viewer, name, report_name, items, {})
    return _feedback(request, name, report_name, run.submit(store_of(request), viewer, name, report_name,
                                                            {"incidents": items}))


@router.post("/exercises/{name}/upload/{report_name}")
def upload(request: Request, viewer: ActingViewer, name: str, report_name: str,
           coding: Annotated[str, Form(max_length=2_000_000)] = ""):
    """A coding pasted as JSON, in the form `jirga extract` writes: scored like one made with the form."""
    from jirga.train.coding import parse_coding

    try:
        parsed = parse_coding(coding, "the pasted coding")
    except BadInput as error:
        return _coding_page(request, viewer, name, report_name, [], {}, str(error), 422)
    return _feedback(request, name, report_name, run.submit(store_of(request), viewer, name, report_name, parsed))


def _feedback(request: Request, name: str, report_name: str, answer: dict):
    required, optional = gold_items(answer["gold"])
    shown = [{"kind": item["kind"], "required": index < len(required), "fields": describe_gold_item(item)}
             for index, item in enumerate(required + optional)]
    return render(request, "exercise_feedback.html", exercise_name=name, report_name=report_name,
                  score=answer["score"], gold_items=shown,
                  segments=marked_segments(answer["text"], gold_terms(answer["gold"])))


@router.get("/exercises/{name}/results")
def results_page(request: Request, viewer: ActingViewer, name: str):
    store = store_of(request)
    exercise = training.show(store, viewer, name)
    rows = training.results(store, viewer, name)
    fields = sorted({f for r in rows for f in r["fields"]})
    totals = {f: [sum(r["fields"].get(f, [0, 0])[i] for r in rows) for i in (0, 1)] for f in fields}
    weakest = sorted(fields, key=lambda f: totals[f][0] / max(1, totals[f][1]))
    agreed = [a.as_dict() for a in agreement(training.codings(store, viewer, name))]
    return render(request, "exercise_results.html", exercise=exercise, rows=rows, fields=fields, totals=totals,
                  weakest=weakest, agreement=agreed)


@router.get("/training/record")
def record_page(request: Request, viewer: ActingViewer, user: str = ""):
    rows = training.training_record(store_of(request), viewer, user[:100] or None)
    return render(request, "training_record.html", who=user[:100] or viewer.username, record=summary(rows))


@router.get("/training/record.csv")
def record_csv(request: Request, viewer: ActingViewer, user: str = ""):
    rows = training.training_record(store_of(request), viewer, user[:100] or None)
    out = io.StringIO()
    columns = ["user", "exercise", "report", "submitted", "found", "required", "matched", "coded", "fields_ok",
               "fields_all"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(spreadsheet_safe(row))
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="training-record.csv"'})


@router.get("/training/agreement")
def analysts_agreement_page(request: Request, viewer: ActingViewer, between: Asked = "",
                            second: Annotated[str, Query(alias="and", max_length=200)] = "",
                            since: Annotated[str, Query(alias="from", max_length=10)] = "",
                            until: Annotated[str, Query(alias="to", max_length=10)] = "", region: Asked = ""):
    """Agreement per field between two analysts' verified incidents in the store, from what the viewer may see."""
    asked = {"between": between.strip(), "and": second.strip(), "from": since.strip(), "to": until.strip(),
             "region": region.strip()}
    found = None
    if asked["between"] or asked["and"]:
        where = IncidentFilter(country=asked["region"] or None, since=asked["from"] or None,
                               until=asked["to"] or None)
        found = run.analyst_agreement(store_of(request), viewer, asked["between"], asked["and"], where)
    return render(request, "training_agreement.html", asked=asked, found=found)
