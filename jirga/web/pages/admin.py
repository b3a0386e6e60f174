"""Sources and their Admiralty grades, and the administration of organisations, users, API tokens, sharing groups
and the audit log: each through the same access functions as the command line, so a page offers only what the
viewer's role allows, and the library refuses (and audits) anything else whatever the form sends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from jirga.access import NotFound, admin, audit
from jirga.db.access_schema import ROLES
from jirga.errors import BadInput
from jirga.store.browse import list_sources
from jirga.store.sources import RELIABILITY, grade_history, grade_source
from jirga.web.api.models import MAX_ID, PathId
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()
Text = Annotated[str, Form(max_length=500)]


@router.get("/sources")
def sources_page(request: Request, viewer: ActingViewer, problem: str = ""):
    with store_of(request).session() as session:
        rows = list_sources(session, viewer=viewer)
    return render(request, "sources.html", rows=rows, grades=RELIABILITY, may_grade=viewer.has_role("analyst"),
                  problem=problem[:300])


@router.get("/sources/{source_id}")
def source_history(request: Request, source_id: PathId, viewer: ActingViewer):
    store = store_of(request)
    with store.session() as session:
        row = next(((s, n, g) for s, n, g in list_sources(session, viewer=viewer) if s.id == source_id), None)
    if row is None:
        raise NotFound(f"no source {source_id}")
    return render(request, "source.html", row=row, grades=RELIABILITY, history=grade_history(store, viewer, source_id),
                  may_grade=viewer.has_role("analyst"))


@router.post("/sources/{source_id}/grade")
def set_grade(request: Request, source_id: PathId, viewer: ActingViewer,
              reliability: Annotated[str, Form(max_length=1)], reason: Text = ""):
    try:
        grade_source(store_of(request), viewer, source_id, reliability, reason)
    except BadInput as error:
        return sources_page(request, viewer, problem=str(error))
    return RedirectResponse(f"/sources/{source_id}", status_code=303)


@router.get("/admin")
def admin_page(request: Request, viewer: ActingViewer, new_token: str = "", problem: str = "", verify: bool = False):
    store = store_of(request)
    is_admin = viewer.has_role("org_admin")
    context = {
        "orgs": admin.list_orgs(store, viewer),
        "groups": admin.list_groups(store, viewer),
        "tokens": admin.list_tokens(store, viewer) if viewer.user_id else [],
        "users": admin.list_users(store, viewer) if is_admin else [],
        "roles": ROLES[: ROLES.index(viewer.role) + 1] if is_admin else (),
        "log": admin.audit_entries(store, viewer, 50) if audit.may_read_log(viewer) else None,
        # Verifying reads the whole chain: on request only.
        "verdict": admin.verify_audit_log(store, viewer) if verify and audit.may_read_log(viewer) else None,
        "is_admin": is_admin, "new_token": new_token, "problem": problem[:300], "max_days": admin.MAX_TOKEN_DAYS,
    }
    return render(request, "admin.html", status_code=422 if problem else 200, **context)


def _acting(request: Request, viewer, act) -> object:
    """Run an administrative act; bad input comes back on the page, refusals go to the error page (403/404)."""
    try:
        act(store_of(request))
    except BadInput as error:
        return admin_page(request, viewer, problem=str(error))
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/tokens")
def create_token(request: Request, viewer: ActingViewer, name: Text = "",
                 days: Annotated[int, Form(ge=1, le=admin.MAX_TOKEN_DAYS)] = 90):
    try:
        _, token = admin.create_token(store_of(request), viewer, name=name.strip(), expires_in=dt.timedelta(days=days))
    except BadInput as error:
        return admin_page(request, viewer, problem=str(error))
    return admin_page(request, viewer, new_token=token)  # shown this once, never stored


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: PathId, viewer: ActingViewer):
    return _acting(request, viewer, lambda store: admin.revoke_token(store, viewer, token_id))


@router.post("/admin/users")
def add_user(request: Request, viewer: ActingViewer, username: Annotated[str, Form(max_length=100)],
             role: Annotated[str, Form(max_length=20)], password: Annotated[str, Form(max_length=1000)],
             org: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None):
    """A user of the admin's organisation, or (instance admins) of the one chosen: the library decides who may."""
    return _acting(request, viewer, lambda store: admin.add_user(store, viewer, username.strip(), role, password,
                                                                 org))


@router.post("/admin/orgs")
def add_org(request: Request, viewer: ActingViewer, name: Annotated[str, Form(max_length=200)]):
    return _acting(request, viewer, lambda store: admin.add_org(store, viewer, name))


@router.post("/admin/users/{username}/disable")
def disable_user(request: Request, username: str, viewer: ActingViewer):
    return _acting(request, viewer, lambda store: admin.disable_user(store, viewer, username[:100]))


@router.post("/admin/groups")
def add_group(request: Request, viewer: ActingViewer, name: Annotated[str, Form(max_length=200)],
              members: Text = ""):
    listed = [member.strip() for member in members.split(",") if member.strip()]
    return _acting(request, viewer, lambda store: admin.add_group(store, viewer, name.strip(), listed))
