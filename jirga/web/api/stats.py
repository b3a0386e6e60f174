"""Statistics and exports of the incidents the user may see: /stats (breakdowns), /export/incidents.csv, /sitrep."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from jirga.access import Viewer
from jirga.assess.stats import BREAKDOWNS, compute
from jirga.store.queries import IncidentFilter
from jirga.web.api.incidents import incident_filter
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer

router = APIRouter(tags=["assessment"])

KindChoice = Literal["attack", "security_operation", "arrest", "statistic", "meeting", "visit", "any"]


def assessed_filter(where: Annotated[IncidentFilter, Depends(incident_filter)],
                    kind: Annotated[KindChoice, Query(description="which incidents; 'any' for every kind")] = "attack"
                    ) -> IncidentFilter:
    """The incident list's filters, for counting: attacks unless another kind (or any) is asked for."""
    return replace(where, kind=None if kind == "any" else kind, limit=100, after=None)


AssessedFilter = Annotated[IncidentFilter, Depends(assessed_filter)]


@router.get("/stats", summary="Incidents, killed and injured (low/best/high summed) by one key, with the change "
                              "against the previous period when both since and until are given")
def stats(request: Request, viewer: ActingViewer, where: AssessedFilter,
          by: Annotated[Literal[BREAKDOWNS] | None, Query(description="the key to break down by")] = None,  # type: ignore[valid-type]
          roll_up: Annotated[bool, Query(description="count a group's provinces and branches as the group")] = False
          ) -> dict:
    return stats_of(request, viewer, where, by, roll_up)


def stats_of(request: Request, viewer: Viewer, where: IncidentFilter, by: str | None, roll_up: bool) -> dict:
    with store_of(request).session() as session:
        return compute(session, where, by, viewer=viewer, roll_up=roll_up).as_dict()
