"""The analysts' pages: server-rendered Jinja2 templates, with HTMX (vendored under static/vendor) for the parts
that change in place. Every page reads through the same access-controlled store functions as the API."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from jirga.web.pages import account, actors, admin, assess, coding, incidents, reports, sharing, training
from jirga.web.pages.rendering import error_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
for module in (account, assess, incidents, reports, actors, coding, admin, sharing, training):
    router.include_router(module.router)

__all__ = ["error_page", "router"]
