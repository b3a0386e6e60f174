"""The REST API, /api/v1: every route takes the acting user and reads through the store's access-controlled queries."""

from fastapi import APIRouter

from jirga.web.api import account, incidents, reference, reports, stats
from jirga.web.api.models import Problem

# Listed in the schema so clients (and schemathesis) know the shape of every error.
ERRORS = {status: {"model": Problem} for status in (400, 401, 403, 404, 409, 422, 503)}

router = APIRouter(responses=ERRORS)
for module in (incidents, reports, reference, account, stats):
    router.include_router(module.router)
