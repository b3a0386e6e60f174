"""The web app: the REST API under /api/v1 and the analysts' pages, over one store.

`create_app` builds it for `jirga serve` and for tests. Routes are plain (synchronous) functions, run in
Starlette's thread pool, each with its own store transaction. Problems become a JSON error with the right status
under /api (`{"error": "...", "status": 404}`) and a page saying what went wrong elsewhere; a browser that is not
signed in is sent to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import asynccontextmanager
from importlib import resources
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from jirga.access import auth
from jirga.db import Store, open_store
from jirga.errors import (
    AccessError,
    AuthenticationError,
    BadInput,
    CodingError,
    Conflict,
    GroupError,
    NotFound,
    StoreError,
)
from jirga.version import __version__
from jirga.web import api, pages
from jirga.web.security import Guard, allowed_hosts


def create_app(database: str | None = None, *, store: Store | None = None, hosts: Iterable[str] = ()) -> FastAPI:
    """The app over the store at `database` (a path or URL; default as for the command line), or over `store`.
    It answers as loopback names, `hosts` and those in JIRGA_ALLOWED_HOSTS only (see `jirga.web.security`)."""
    owned = store is None
    store = store or open_store(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        auth.warm_up()  # the first unknown username must not answer faster than the next ones
        yield
        if owned:
            store.close()

    # No /docs: Swagger UI loads its scripts from a CDN. The schema itself is served for clients and schemathesis.
    app = FastAPI(title="Jirga", version=__version__, openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan,
                  description="Shared terrorism-incident picture: reports, incidents with their claims side by "
                              "side, consensus and conflicts, actors, places, sources, assessments. Authenticate "
                              "with 'Authorization: Bearer <token>' (jirga token create).")
    app.state.store = store
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)
    static = resources.files("jirga.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _handle_errors(app)
    app.add_middleware(Guard, hosts=allowed_hosts(hosts))
    return app


STATUS = {  # an error's status: that of the nearest of its classes listed here
    AuthenticationError: 401, NotFound: 404, AccessError: 403, Conflict: 409, CodingError: 422, GroupError: 422,
    BadInput: 400, StoreError: 503,
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status,
                            headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
    if status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={quote(str(request.url.path))}", status_code=303)
    return pages.error_page(request, status, message)


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{' '.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors())
        return _error(request, 422, problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail))

    async def known(request: Request, error: Exception) -> Response:
        status = next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)
        return _error(request, status, str(error))

    for kind in STATUS:
        app.add_exception_handler(kind, known)
    # Anything else is a bug: Starlette logs it and answers 500 (and its server error middleware re-raises it).
