"""Templates and how a page is rendered."""

from __future__ import annotations

from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy import select

from jirga.db.schema import Organisation
from jirga.model import tlp as tlp_levels
from jirga.model.checks import is_safe_url
from jirga.store import present
from jirga.version import __version__

templates = Jinja2Templates(directory=str(resources.files("jirga.web").joinpath("templates")))


def outside_link(url: str | None, text: str) -> Markup:
    """The one way a template links to an address that came with the data (a report's URL): a link only if it is
    an http(s) address, else the address as plain text, so a `javascript:` or `data:` URL stored before the
    writers checked, or by a partner, never becomes something an analyst can click to run."""
    if is_safe_url(url):
        return Markup('<a href="{}" rel="noreferrer noopener" target="_blank">{}</a>').format(url, text)
    return Markup('<span class="unsafe-url" title="not an http(s) address: not linked">{}</span>').format(url or "")


templates.env.globals |= {"version": __version__, "present": present, "outside_link": outside_link}
templates.env.filters["label"] = lambda code: (code or "").replace("_", " ")
templates.env.filters["marked"] = lambda snippet: escape(snippet).replace("«", Markup("<mark>")).replace(
    "»", Markup("</mark>"))  # a search snippet, its matches between « and »
templates.env.filters["tlp_name"] = lambda level: f"TLP:{tlp_levels.normalize(level).upper()}"


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A page, with who is signed in (if anyone) and their CSRF secret for its forms."""
    viewer = getattr(request.state, "viewer", None)
    organisation = getattr(request.state, "organisation", None)
    if viewer is not None and organisation is None:
        with request.app.state.store.session() as session:
            organisation = session.scalar(select(Organisation.name).where(Organisation.id == viewer.org_id))
    return templates.TemplateResponse(request, template, {"viewer": viewer, "organisation": organisation,
                                                          "csrf": getattr(request.state, "csrf", ""),
                                                          "org_name": _org_names(request), **context},
                                       status_code=status_code)


def _org_names(request: Request):
    """org_name(id) for the templates: which organisation owns a record (every user may list the organisations)."""
    names: dict[int, str | None] = {}

    def org_name(org_id: int) -> str:
        if org_id not in names:
            with request.app.state.store.session() as session:
                names[org_id] = session.scalar(select(Organisation.name).where(Organisation.id == org_id))
        return names[org_id] or "?"
    return org_name


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, status=status, message=message)
