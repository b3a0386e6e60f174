"""The REST API against its own OpenAPI schema (/api/v1/openapi.json), with schemathesis, on SQLite and PostgreSQL:
for requests generated from the schema (valid ones and invalid ones), signed in with a real API token over a store
holding the bundled example reports, no answer is a server error and every answer is one the schema declares:
its status, its content type, its headers and its body."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jirga.access import Viewer, admin
from jirga.access.auth import implicit_admin
from jirga.db import open_store
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.web.app import create_app
from tests.conftest import EXAMPLES, ingest_reports

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _schema() -> schemathesis.BaseSchema:
    """The schema as the app serves it. The document does not depend on the data, so an app over a throw-away
    in-memory store serves it; the requests go to the app of the `api` fixture. (schemathesis.pytest.from_fixture
    would load it from a fixture, but fails on this pytest: it sets Function._nodeid, which pytest 9 no longer has.)"""
    store = open_store("sqlite://")
    try:
        return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(store=store, hosts=["testserver"]))
    finally:
        store.close()


schema = _schema()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request, databases):
    """(the app, an instance admin's token) over a store holding every example report."""
    with databases.new(request.param) as url:
        store = open_store(url)
        reports = EXAMPLES / "reports"
        ingest_reports(store, read_inputs([str(reports)], detect_language=False), source="Jirga sample reports",
                       metadata=read_metadata(reports / "metadata.csv"), silent=True)
        boss = implicit_admin(store)
        user_id = admin.add_user(store, boss, "amina", "instance_admin", "correct horse battery staple")
        _, token = admin.create_token(store, Viewer(user_id, boss.org_id, "instance_admin", "amina"))
        yield create_app(store=store, hosts=["testserver"]), token
        store.close()


@pytest.mark.slow  # generated requests to every endpoint
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says_and_never_with_a_server_error(case, api):
    app, token = api
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
