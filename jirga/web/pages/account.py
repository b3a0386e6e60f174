"""Signing in and out, and watchlists."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from jirga.errors import AuthenticationError
from jirga.store import watchlists
from jirga.store.queries import IncidentFilter, incident_actors, list_incidents
from jirga.web.api.models import PathId
from jirga.web.auth import (
    SESSION_COOKIE,
    SESSION_HOURS,
    check_origin,
    end_session,
    origin_of,
    start_session,
    store_of,
)
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()

LOGIN_COOKIE = "jirga_login_csrf"


def _local(path: str) -> str:
    """Only a path on this site: never send a signed-in user to another site."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/incidents"


def _login_form(request: Request, status_code: int = 200, **context):
    """The sign-in form with a pre-session CSRF secret, in a field and in a cookie (double submit): another site
    can make a browser post the form, but cannot read the cookie to fill the field, so it cannot sign the browser
    in to an account of its choosing (login CSRF)."""
    secret = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, login_csrf=secret, **context)
    response.set_cookie(LOGIN_COOKIE, secret, max_age=3600, path="/login", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/incidents"):
    return _login_form(request, next=_local(next))


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=100)],
          password: Annotated[str, Form(max_length=1000)], next: Annotated[str, Form()] = "/incidents",
          csrf: Annotated[str, Form(max_length=100)] = ""):
    check_origin(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
        return _login_form(request, status_code=403, username=username, next=_local(next),
                           problem="the sign-in form is out of date or was sent from another site; sign in again")
    try:
        secret, _ = start_session(store_of(request), username, password, origin_of(request))
    except AuthenticationError as error:
        return _login_form(request, status_code=401, problem=str(error), username=username, next=_local(next))
    response = RedirectResponse(_local(next), status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    response.set_cookie(SESSION_COOKIE, secret, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request, viewer: ActingViewer):
    end_session(store_of(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/watchlists")
def watchlists_page(request: Request, viewer: ActingViewer):
    with store_of(request).session() as session:
        return render(request, "watchlists.html", watchlists=watchlists.mine(session, viewer))


@router.get("/watchlists/badge")
def badge(request: Request, viewer: ActingViewer):
    """The count of new matches in the header, polled every minute."""
    with store_of(request).session() as session:
        mine = watchlists.mine(session, viewer)
    return render(request, "_badge.html", new=sum(new for _, new, _ in mine),
                  changed=sum(changed for _, _, changed in mine))


@router.post("/watchlists")
def save_watchlist(request: Request, viewer: ActingViewer, name: Annotated[str, Form(max_length=200)],
                   actor: Annotated[str, Form(max_length=300)] = "", country: Annotated[str, Form(max_length=300)] = "",
                   province: Annotated[str, Form(max_length=300)] = "", kind: Annotated[str, Form(max_length=40)] = "",
                   attack_type: Annotated[str, Form(max_length=40)] = "", conflicts: Annotated[bool, Form()] = False):
    where = IncidentFilter(actor=actor or None, country=country or None, province=province or None,
                           kind=kind or None, attack_type=attack_type or None, conflicts=conflicts)
    with store_of(request).session() as session:
        watchlists.add(session, viewer, name, where)
    return RedirectResponse("/watchlists", status_code=303)


@router.get("/watchlists/{watchlist_id}")
def watchlist_page(request: Request, watchlist_id: PathId, viewer: ActingViewer):
    """The watchlist's matches, the new ones marked, and what changed in the others; opening it marks them seen."""
    with store_of(request).session() as session:
        watchlist = watchlists.get(session, viewer, watchlist_id)
        before = watchlists.seen(session, viewer, watchlist)
        changed = watchlists.changes(session, viewer, watchlist, before)
        found = list_incidents(session, watchlists.as_filter(watchlist, limit=100), viewer=viewer)
        return render(request, "watchlist.html", watchlist=watchlist, incidents=found, new_after=before[0],
                      changed=changed, actors=incident_actors(session, found, viewer))


@router.post("/watchlists/{watchlist_id}/delete")
def delete_watchlist(request: Request, watchlist_id: PathId, viewer: ActingViewer):
    with store_of(request).session() as session:
        watchlists.remove(session, viewer, watchlist_id)
    return RedirectResponse("/watchlists", status_code=303)
