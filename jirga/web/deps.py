"""Who acts, as a FastAPI dependency shared by the API and the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from jirga.access import Viewer
from jirga.errors import BadInput
from jirga.web.auth import SAFE_METHODS, viewer_of

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def acting_viewer(request: Request) -> Viewer:
    """The signed-in user. A browser's form carries its CSRF secret as a field: read it first (Starlette caches the
    parsed form, so the route's own Form parameters still get it)."""
    content_type = request.headers.get("content-type", "")
    values: list[str] = []  # the API's own models check its parameters; the pages' forms are checked here
    if request.method not in SAFE_METHODS and content_type.startswith(FORM_TYPES):
        form = await request.form()
        request.state.form_csrf = str(form.get("csrf") or "")
        values = [value for value in form.values() if isinstance(value, str)]
    if any("\x00" in value for value in values):  # no text holds one, and PostgreSQL refuses to store it
        raise BadInput("a field or parameter holds a NUL character")
    return await run_in_threadpool(viewer_of, request)


ActingViewer = Annotated[Viewer, Depends(acting_viewer)]
