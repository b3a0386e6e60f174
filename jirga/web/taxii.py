"""The TAXII 2.1 server: discovery at /taxii2/, one API root at /taxii2/jirga/, and its collections (one for CLEAR
and GREEN, one per sharing group of the caller's organisation; see `jirga.store.taxii`).

OASIS TAXII Version 2.1 (https://docs.oasis-open.org/cti/taxii/v2.1/os/taxii-v2.1-os.html): every route names its
section. Clients sign in with HTTP Basic (a Jirga username and password) or an API token (`Authorization: Bearer`,
or `Token`, which taxii2-client's TokenAuth sends); browser sessions are not accepted here. Requests must accept
`application/taxii+json;version=2.1` (406 otherwise) and adds must be sent as it (415 otherwise). Every error is a
TAXII error message resource with that media type. Objects are read only through the store's
access-controlled queries, so an object shows only to whom its marking allows, whatever collection holds it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from jirga.access import Viewer, audit
from jirga.access.auth import implicit_admin, sign_in_with_password, sign_in_with_token
from jirga.errors import AuthenticationError, BadInput, PermissionDenied
from jirga.share import inbox
from jirga.share.objects import (
    STIX_MEDIA_TYPE,
    NotAnEnvelope,
    parse_timestamp,
    read_envelope,
    version_key,
    version_text,
)
from jirga.store import taxii
from jirga.store.taxii import Collection, Filters, Page
from jirga.web.auth import origin_of, store_of

MEDIA_TYPE = "application/taxii+json;version=2.1"
PREFIX = "/taxii2"
API_ROOT = "jirga"
MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # bytes of one add; the API root advertises it (section 4.2.1)
MAX_MATCHES = 1000  # values of one match[...] filter
AUTHENTICATE = 'Basic realm="Jirga TAXII", Bearer'

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def install(app: FastAPI, *, receiver: inbox.Receiver | None = None,
            max_content_length: int = MAX_CONTENT_LENGTH) -> None:
    """Serve TAXII from `app`, handing each added object to `receiver` (default: `inbox.default_receiver()`)."""
    app.state.taxii_receiver = receiver or inbox.default_receiver()
    app.state.taxii_max_content_length = max_content_length
    app.include_router(router)


def is_taxii(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def error(status: int, message: str) -> Response:
    """The TAXII error message resource."""
    titles = {400: "Bad request", 401: "Not signed in", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
              406: "Not acceptable", 409: "Conflict", 413: "Too large", 415: "Unsupported media type",
              422: "Unprocessable", 503: "Unavailable"}
    body = {"title": titles.get(status, "Error"), "description": message, "http_status": str(status)}
    return Response(json.dumps(body), status_code=status, media_type=MEDIA_TYPE,
                    headers={"WWW-Authenticate": AUTHENTICATE} if status == 401 else None)


# Who asks, and what they accept


def viewer_of(request: Request, session: Session | None = None) -> Viewer:
    """HTTP Basic or an API token; without credentials, only a store with no users answers (as its implicit
    admin, like the rest of the app). `session`: a token is looked up in the caller's transaction."""
    store, origin = store_of(request), origin_of(request)
    header = request.headers.get("authorization")
    if not header:
        viewer = implicit_admin(store, origin)
        if viewer is None:
            raise AuthenticationError("sign in with HTTP Basic or an API token ('Authorization: Bearer <token>')")
        return viewer
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return sign_in_with_token(store, value.strip(), origin, session)
    if scheme.lower() == "basic":
        try:
            username, colon, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError("the Basic credentials are not base64 of UTF-8 'user:password'") from None
        if colon and username:
            return sign_in_with_password(store, username, password, origin)
    raise AuthenticationError("the Authorization header must be 'Basic <user:password in base64>' or "
                              "'Bearer <token>'")


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    ranges = []
    for item in header.split(","):
        kind, *parameters = (part.strip() for part in item.split(";"))
        values = dict(p.partition("=")[::2] for p in parameters if "=" in p)
        ranges.append((kind.lower(), {k.strip().lower(): v.strip().strip('"') for k, v in values.items()}))
    return ranges


def check_accept(request: Request) -> None:
    """406 unless the client accepts TAXII 2.1: application/taxii+json, version 2.1 or none."""
    header = request.headers.get("accept")
    if header is None:
        return
    for kind, parameters in _media_ranges(header):
        if kind in ("application/taxii+json", "*/*", "application/*") and parameters.get("version", "2.1") == "2.1":
            return
    raise HTTPException(406, f"this server answers only with {MEDIA_TYPE}, which the Accept header "
                             f"{header[:100]!r} does not allow")


def check_content_type(request: Request) -> None:
    header = request.headers.get("content-type", "")
    kind, parameters = _media_ranges(header)[0] if header else ("", {})
    if kind != "application/taxii+json" or parameters.get("version", "2.1") != "2.1":
        raise HTTPException(415, f"send the objects as {MEDIA_TYPE} (an envelope), not as {header[:100]!r}")


def _taxii(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _page_headers(page: Page) -> dict[str, str]:
    """X-TAXII-Date-Added-First and -Last: when the first and last object of the page were added."""
    if not page.rows:
        return {}
    return {"X-TAXII-Date-Added-First": _timestamp(page.rows[0].date_added),
            "X-TAXII-Date-Added-Last": _timestamp(page.rows[-1].date_added)}


def _values(request: Request, name: str, longest: int) -> tuple[str, ...]:
    raw = [part.strip() for value in request.query_params.getlist(name) for part in value.split(",")]
    values = tuple(dict.fromkeys(part for part in raw if part))
    if len(values) > MAX_MATCHES or any(len(value) > longest or any(ord(c) < 32 for c in value) for value in values):
        raise BadInput(f"{name}: at most {MAX_MATCHES} values of at most {longest} characters each")
    return values


def filters(request: Request, *, allowed: tuple[str, ...], versions: tuple[str, ...] = ("last",)) -> Filters:
    """The filtering URL parameters that the endpoint takes (`allowed`), checked; others are ignored."""
    params = request.query_params
    added_after = limit = after = None
    if "added_after" in allowed and params.get("added_after"):
        added_after = parse_timestamp(params["added_after"], "added_after")
    if "limit" in allowed and params.get("limit"):
        try:
            limit = int(params["limit"])
        except ValueError:
            raise BadInput(f"limit {params['limit'][:30]!r} is not a whole number") from None
        if limit < 1:
            raise BadInput(f"limit must be at least 1, not {limit}")
    if "next" in allowed and params.get("next"):
        after = taxii.decode_next(params["next"])
    if "version" in allowed and params.get("match[version]"):
        versions = tuple(value if value in ("first", "last", "all") else
                         version_key(parse_timestamp(value, "match[version]"))
                         for value in _values(request, "match[version]", 40))
    return Filters(added_after=added_after, limit=min(limit or taxii.DEFAULT_PAGE, taxii.MAX_PAGE), after=after,
                   ids=_values(request, "match[id]", 300) if "id" in allowed else (),
                   types=_values(request, "match[type]", 250) if "type" in allowed else (),
                   spec_versions=_values(request, "match[spec_version]", 10) if "spec_version" in allowed else (),
                   versions=versions)


LISTING = ("added_after", "limit", "next", "id", "type", "version", "spec_version")


def _read(request: Request, collection_id: str, work) -> Response:
    """Sign in, find the collection the caller reads, and answer `work(session, viewer, collection)`. The read's
    audit entries are committed with those of the reads that run meanwhile (`audit.read_session`) before the
    answer leaves."""
    check_accept(request)
    with audit.read_session(store_of(request)) as session:
        viewer = viewer_of(request, session)
        collection = taxii.get_collection(session, viewer, collection_id)
        return work(session, viewer, collection)


# Discovery and the API root (section 4)


@router.get("/")
def discovery(request: Request) -> Response:
    """Server discovery (section 4.1)."""
    check_accept(request)
    viewer_of(request)
    root = f"{str(request.base_url).rstrip('/')}{PREFIX}/{API_ROOT}/"
    return _taxii({"title": "Jirga", "description": "Terrorism incidents shared between partner organisations as "
                   "STIX 2.1, marked with TLP 2.0", "default": root, "api_roots": [root]})


@router.get(f"/{API_ROOT}/")
def api_root(request: Request) -> Response:
    """API root information (section 4.2)."""
    check_accept(request)
    viewer_of(request)
    return _taxii({"title": "Jirga", "description": "One collection for TLP:CLEAR and TLP:GREEN, and one per sharing "
                   "group of your organisation", "versions": [MEDIA_TYPE],
                   "max_content_length": request.app.state.taxii_max_content_length})


@router.get(f"/{API_ROOT}/status/{{status_id}}/")
@router.get(f"/{API_ROOT}/status/{{status_id}}")
def status(request: Request, status_id: str) -> Response:
    """The status of an add (section 4.3); only the organisation that added reads it."""
    check_accept(request)
    viewer = viewer_of(request)
    store = store_of(request)
    with audit.read_session(store) as session:
        return _taxii(taxii.get_status(session, viewer, status_id))


# Collections (section 5)


@router.get(f"/{API_ROOT}/collections/")
def collections(request: Request) -> Response:
    """The caller's collections (section 5.1)."""
    check_accept(request)
    viewer = viewer_of(request)
    store = store_of(request)
    with audit.read_session(store) as session:
        found = taxii.collections(session, viewer)
        audit.record(session, viewer, "read", "taxii_collection", None, "ok", f"list: {len(found)}")
    return _taxii({"collections": [collection.resource() for collection in found]})


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/")
def collection(request: Request, collection_id: str) -> Response:
    """One collection (section 5.2)."""
    return _read(request, collection_id, lambda session, viewer, found: _taxii(found.resource()))


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/manifest/")
def manifest(request: Request, collection_id: str) -> Response:
    """Object manifests (section 5.3): id, date added, version and media type of each matching object."""
    where = filters(request, allowed=LISTING)

    def work(session, viewer: Viewer, found: Collection) -> Response:
        page = taxii.objects_page(session, viewer, found, where, bodies=False, what="manifest")
        records = [{"id": row.stix_id, "date_added": _timestamp(row.date_added), "version": version_text(row.version),
                    "media_type": STIX_MEDIA_TYPE} for row in page.rows]
        return _taxii(_envelope(page, objects=records), headers=_page_headers(page))

    return _read(request, collection_id, work)


def _envelope(page: Page, **items: list) -> dict:
    """An envelope: `more`, `next` when there is more, and the items when there are any."""
    return {"more": page.more, **({"next": page.next} if page.more else {}),
            **{name: values for name, values in items.items() if values}}


def _objects_response(page: Page) -> Response:
    """The envelope, with the stored objects spliced in as they are (no parsing and dumping them again)."""
    head = json.dumps({"more": page.more, **({"next": page.next} if page.more else {})})
    body = head if not page.rows else f'{head[:-1]},"objects":[{",".join(row.body for row in page.rows)}]}}'
    return Response(body.encode(), media_type=MEDIA_TYPE, headers=_page_headers(page))


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/")
def get_objects(request: Request, collection_id: str) -> Response:
    """Objects (section 5.4), oldest added first, in pages: `limit` (at most 1,000), `more` and `next`."""
    where = filters(request, allowed=LISTING)
    return _read(request, collection_id, lambda session, viewer, found: _objects_response(
        taxii.objects_page(session, viewer, found, where)))


@router.post(f"/{API_ROOT}/collections/{{collection_id}}/objects/")
async def add_objects(request: Request, collection_id: str) -> Response:
    """Add objects (section 5.5): an envelope (or a STIX bundle) of at most `max_content_length` bytes. Each object
    is checked and handed to the receiver on its own; the answer is the status resource (202), which lists every
    object that was refused and why. A body that cannot be read at all is refused whole (400, 413, 422)."""
    check_accept(request)
    check_content_type(request)
    viewer = await run_in_threadpool(viewer_of, request)
    found = await run_in_threadpool(_writable, request, viewer, collection_id)
    limit = request.app.state.taxii_max_content_length
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is {int(declared):,} bytes; this API root takes at most {limit:,}")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, f"the body is over {limit:,} bytes, the most this API root takes")
    try:
        objects = read_envelope(bytes(data))
    except NotAnEnvelope as refusal:
        raise HTTPException(422, str(refusal)) from None
    receiver = request.app.state.taxii_receiver
    status_resource = await run_in_threadpool(inbox.add, store_of(request), viewer, found, objects, receiver)
    return _taxii(status_resource, 202)


def _writable(request: Request, viewer: Viewer, collection_id: str) -> Collection:
    with store_of(request).session() as session:
        found = taxii.get_collection(session, viewer, collection_id)
    if not found.can_write:
        raise PermissionDenied(f"{viewer.username} ({viewer.role}) may read collection {collection_id} but not write "
                               "it: that needs the role analyst or higher")
    return found


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
def get_object(request: Request, collection_id: str, object_id: str) -> Response:
    """One object (section 5.6): its latest version, or those match[version] names."""
    where = filters(request, allowed=("added_after", "limit", "next", "version", "spec_version"))
    return _read(request, collection_id, lambda session, viewer, found: _objects_response(
        taxii.objects_page(session, viewer, found, where, stix_id=object_id)))


@router.delete(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
def delete_object(request: Request, collection_id: str, object_id: str) -> Response:
    """Delete an object (section 5.7): every version, or those match[version] names. Only an admin of the
    organisation that wrote it may."""
    where = filters(request, allowed=("version", "spec_version"), versions=("all",))
    check_accept(request)
    viewer = viewer_of(request)
    found = _writable(request, viewer, collection_id)
    store = store_of(request)
    with store.write_turn(), store.session() as session:
        taxii.delete_object(session, viewer, found, object_id, where)
    return Response(status_code=200, media_type=MEDIA_TYPE)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/")
def versions(request: Request, collection_id: str, object_id: str) -> Response:
    """An object's versions (section 5.8), in the order they were added."""
    where = filters(request, allowed=("added_after", "limit", "next", "spec_version"), versions=("all",))

    def work(session, viewer: Viewer, found: Collection) -> Response:
        page = taxii.objects_page(session, viewer, found, where, stix_id=object_id, bodies=False, what="versions")
        return _taxii(_envelope(page, versions=[version_text(row.version) for row in page.rows]),
                      headers=_page_headers(page))

    return _read(request, collection_id, work)
