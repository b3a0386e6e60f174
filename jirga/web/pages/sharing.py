"""What a partner would receive: the policy preview page (`jirga share preview` in a browser, docs/sharing.md).

It reads `jirga.share.preview`, which reads the export's own function, so the page shows exactly what an export or
a TAXII pull would hand that partner now. Analysts and above; the library refuses anyone else, and audits it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from jirga.access import admin
from jirga.access.acts import require
from jirga.errors import BadInput, NotFound
from jirga.share.preview import preview
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()


@router.get("/share/preview")
def preview_page(request: Request, viewer: ActingViewer, partner: Annotated[str, Query(max_length=200)] = ""):
    store = store_of(request)
    require(store, viewer, "analyst", "preview what a partner receives", target_type="stix_object")
    groups = [group.name for group, _ in admin.list_groups(store, viewer)]
    orgs = [org.name for org in admin.list_orgs(store, viewer) if org.id != viewer.org_id]
    seen, problem = None, ""
    if partner:
        try:
            seen = preview(store, viewer, partner)
        except (BadInput, NotFound) as error:
            problem = str(error)
    return render(request, "share_preview.html", status_code=422 if problem else 200, partner=partner, seen=seen,
                  groups=groups, orgs=orgs, problem=problem[:300])
