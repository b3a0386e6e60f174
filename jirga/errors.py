"""Every error Jirga raises on purpose. Each message names the input and the problem, and tells the caller nothing
about records it may not see. The front ends map the branches once: the command line to an exit code
(`jirga.cli.output.EXIT`), the web app to an HTTP status (`jirga.web.app.STATUS`).

    JirgaError
     ├── BadInput               input that cannot be used as given: a report, a bundle, a form field, a value
     │    ├── QueryError        a filter that cannot be understood (exit 2, HTTP 400)
     │    ├── CodingError       a hand-coded incident that does not validate (exit 2, HTTP 422)
     │    ├── GroupError        a sharing group the writer may not use (exit 2, HTTP 422)
     │    └── WithdrawalError   a withdrawal without a reason or with an impossible window (exit 2, HTTP 400)
     ├── Conflict               an act that contradicts the store's state (exit 1, HTTP 409)
     │    └── DecisionError     a decision that cannot apply: an unknown claim, an incident merged into itself
     ├── AccessError            access control refuses (exit 1)
     │    ├── AuthenticationError  unknown user, wrong password, bad, revoked or expired token (HTTP 401)
     │    ├── PermissionDenied     the role or organisation does not allow the act (HTTP 403)
     │    ├── NotFound             no such record, or not one the caller may see (HTTP 404)
     │    └── AuditChainMissing    the audit log's chain head is gone (HTTP 403)
     ├── StoreError             the database cannot be used (exit 1, HTTP 503)
     └── PeerError              a partner instance cannot be reached, or refuses what we ask (exit 1)

A `BadInput` is also a `ValueError`, so code that validates with the standard library's conventions keeps
working; the front ends map `BadInput`, not `ValueError`, so a bug never reads as the caller's mistake.
"""

from __future__ import annotations


class JirgaError(Exception):
    """Base of every error Jirga raises on purpose."""


class BadInput(JirgaError, ValueError):
    """Input that cannot be used as given; the message names it and the problem."""


class QueryError(BadInput):
    """A filter that cannot be understood; the message says which and why."""


class CodingError(BadInput):
    """A hand-coded incident that does not validate; the message names the field."""


class GroupError(BadInput):
    """A sharing group a writer may not use; the message is the same whether it does not exist or the writer's
    organisation is not one of its members, so it tells nothing about groups the writer cannot see."""


class WithdrawalError(BadInput):
    """A report that cannot be withdrawn by this caller."""


class Conflict(JirgaError):
    """An act that contradicts what the store holds."""


class DecisionError(Conflict):
    """An analyst's decision that cannot apply (an unknown claim, an incident merged into itself)."""


class AccessError(JirgaError):
    """Base of access-control refusals."""


class AuthenticationError(AccessError):
    pass


class PermissionDenied(AccessError):
    pass


class NotFound(AccessError):
    pass


class AuditChainMissing(AccessError):
    """The audit log has entries but its chain head is gone: someone deleted it."""


class StoreError(JirgaError):
    """The database cannot be used; the message says why."""


class PeerError(JirgaError):
    """A partner instance (a TAXII server) cannot be reached, answers something that is not TAXII 2.1, or refuses;
    the message names the peer and what it said."""
