"""Access control: organisations, users, TLP 2.0 markings, sharing groups, the one access filter, the audit log.

- `rules`: `Viewer` (who asks) and `visible(Model, viewer)`, the WHERE clause every query of the store uses.
- `auth`: passwords (argon2id), API tokens, signing in, the implicit admin of a store without users.
- `admin`: organisations, users, tokens and sharing groups, each act checked and audited.
- `audit`: the hash-chained audit log, `record` and `verify`.
- the tables (users, api_tokens, audit_log, audit_chain) live with every other table in `jirga.db.access_schema`.

The rules are written out in docs/access-control.md.
"""

from jirga.access.rules import Viewer, visible
from jirga.errors import AccessError, AuthenticationError, NotFound, PermissionDenied

__all__ = ["AccessError", "AuthenticationError", "NotFound", "PermissionDenied", "Viewer", "visible"]
