"""Who is asking, for every request: an API token, a browser session, or the implicit admin of a store without users.

- `Authorization: Bearer jirga_…`: an API token (`jirga token create`), for scripts and partner instances.
- The `jirga_session` cookie: a browser that signed in with a password. Its secret is kept only as a SHA-256. A
  request that changes something must also carry the session's CSRF secret (a form field or the `X-CSRF-Token`
  header, which HTMX sends), so another site cannot post in the user's name.
- Neither, in a store that has no users yet: the local organisation's implicit instance admin, as on the command
  line. `jirga serve` refuses to listen beyond this machine in that state.
Every unsafe request from a browser must also come from this site's own origin (the Origin header, when sent, and
never 'null'), including the sign-in form, which carries a pre-session CSRF secret of its own (see `login_csrf`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from sqlalchemy import delete, select

from jirga.access import Viewer
from jirga.access.auth import implicit_admin, sign_in_with_password, sign_in_with_token, token_hash
from jirga.db import Store
from jirga.db.access_schema import WebSession
from jirga.errors import AuthenticationError, PermissionDenied

SESSION_COOKIE = "jirga_session"
SESSION_HOURS = 12
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NotSignedIn(AuthenticationError):
    """No credentials at all, in a store that has users."""


def origin_of(request: Request) -> str:
    host = request.client.host if request.client else "unknown"
    return f"web@{host}"[:200]


def store_of(request: Request) -> Store:
    return request.app.state.store


def viewer_of(request: Request) -> Viewer:
    """The signed-in user (cached on the request); AuthenticationError when there is none."""
    if getattr(request.state, "viewer", None) is not None:
        return request.state.viewer
    store, origin = store_of(request), origin_of(request)
    header = request.headers.get("authorization")
    session_row = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        viewer = sign_in_with_token(store, token.strip(), origin)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        session_row = _session(store, cookie)
        if session_row is None:
            raise NotSignedIn("your session has ended; sign in again")
        user = session_row.user
        viewer = Viewer(user.id, user.org_id, user.role, user.username, None, origin)
        request.state.organisation = user.org.name  # loaded with the user: the pages' header needs no query
    else:
        viewer = implicit_admin(store, origin)
        if viewer is None:
            raise NotSignedIn("sign in, or send an API token as 'Authorization: Bearer <token>'")
    if request.method not in SAFE_METHODS and not header:
        _check_same_site(request, session_row.csrf if session_row else None)
    request.state.viewer = viewer
    request.state.csrf = session_row.csrf if session_row else ""
    return viewer


def _session(store: Store, secret: str) -> WebSession | None:
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        row = session.scalar(select(WebSession).where(WebSession.secret_hash == token_hash(secret)))
        if row is None or row.user.disabled:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        if expires <= now:
            session.delete(row)
            return None
        session.expunge(row)
        return row


def check_origin(request: Request) -> None:
    """An unsafe request must come from a page of this site: its Origin (when sent) is this site's own, and not
    'null' (a sandboxed frame or a file, which any site can make); the browser does not call it cross-site. The Host
    itself was checked against the allowed hosts (jirga.web.security), so a rebound domain does not pass as ours."""
    origin = request.headers.get("origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.headers.get("host")):
        raise PermissionDenied(f"a request from {origin[:100]} may not change anything here")
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise PermissionDenied("a request from another site may not change anything here")


def _check_same_site(request: Request, csrf: str | None) -> None:
    check_origin(request)
    if csrf is not None:
        sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", "") or ""
        if not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise PermissionDenied("the form is out of date (missing or wrong CSRF token); reload the page")


def start_session(store: Store, username: str, password: str, origin: str) -> tuple[str, Viewer]:
    """Check the password (refusals are audited), and open a session: (the cookie's secret, the viewer)."""
    viewer = sign_in_with_password(store, username, password, origin)
    secret = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at <= now))  # tidy ended sessions
        session.add(WebSession(user_id=viewer.user_id, secret_hash=token_hash(secret), csrf=secrets.token_urlsafe(24),
                               created_at=now, expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
    return secret, viewer


def end_session(store: Store, secret: str | None) -> None:
    if secret:
        with store.session() as session:
            session.execute(delete(WebSession).where(WebSession.secret_hash == token_hash(secret)))
