"""Coding an incident by hand: an analyst's field report, stored as the analyst's claims with its source."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from jirga.access.rules import member_groups
from jirga.errors import BadInput
from jirga.model.tlp import LEVELS
from jirga.model.vocab import ATTACK_TYPES, HAND_CODED_KINDS, TARGET_TYPES
from jirga.store.coding import CodedIncident, code_incident, people_count
from jirga.store.queries import parse_period
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()
PARTS = ("low", "best", "high")

Text = Annotated[str, Form(max_length=300)]


def _choices(request: Request, viewer) -> dict:
    with store_of(request).session() as session:
        groups = member_groups(session, viewer.org_id)
    return {"kinds": HAND_CODED_KINDS, "attack_types": ATTACK_TYPES, "target_types": TARGET_TYPES, "levels": LEVELS,
            "groups": groups}


@router.get("/code")
def code_page(request: Request, viewer: ActingViewer):
    return render(request, "code.html", form={}, **_choices(request, viewer))



@router.post("/code")
def code(request: Request, viewer: ActingViewer, source: Text, kind: Text = "attack", date: Text = "",
         place: Text = "", country: Annotated[str, Form(max_length=2)] = "", attack_type: Text = "",
         target: Text = "", target_type: Text = "", perpetrators: Text = "", claimed_by: Text = "",
         killed_low: Text = "", killed_best: Text = "", killed_high: Text = "", injured_low: Text = "",
         injured_best: Text = "", injured_high: Text = "", reliability: Text = "", published: Text = "",
         title: Text = "", text: Annotated[str, Form(max_length=100_000)] = "", tlp: Text = "amber",
         group: Annotated[str, Form(max_length=200)] = ""):
    form = dict(locals())
    del form["request"], form["viewer"]
    try:
        coded = CodedIncident(
            kind=kind, date=date, place=place, country=country or None, attack_type=attack_type or None,
            target=target or None, target_type=target_type or None,
            perpetrators=[name.strip() for name in perpetrators.split(";") if name.strip()],
            claimed_by=[name.strip() for name in claimed_by.split(";") if name.strip()],
            killed=tuple(people_count(form[f"killed_{part}"], f"killed ({part})") for part in PARTS),
            injured=tuple(people_count(form[f"injured_{part}"], f"injured ({part})") for part in PARTS),
            source=source, reliability=reliability or None, title=title, text=text, tlp=tlp, group=group,
            published=parse_period(published).start if published.strip() else None)
        report_id, incidents = code_incident(store_of(request), coded, viewer)
    except BadInput as error:
        return render(request, "code.html", status_code=422, form=form, problem=str(error),
                      **_choices(request, viewer))
    return RedirectResponse(f"/incidents/{incidents[0]}" if incidents else f"/reports/{report_id}", status_code=303)
