"""The one way an act that needs permission runs: check the role, run it in one transaction, audit it.

Reading is filtered by one function (`rules.visible`); writing (and the few guarded reads, such as the audit log) is
checked by this one helper, called from the library, so every front door (the command line, the web app, the
TAXII server) gets the same rule without remembering it:

    with audited(store, viewer, "write", "incident", role="analyst", doing="merge incidents") as act:
        ...                      # act.session: the transaction; set act.target_id / act.detail as they become known

A refusal (`PermissionDenied`, `NotFound`) rolls the act back, is written to the audit log in a transaction of its
own (so it survives the rollback), and is raised again. Success writes one "ok" entry with `act.detail`, unless the
act set `act.detail = None` because it recorded its own entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from jirga.access import audit
from jirga.access.rules import Viewer, require_role
from jirga.db.database import Store
from jirga.errors import NotFound, PermissionDenied


@dataclass
class Act:
    session: Session
    target_id: object = None
    detail: str | None = ""
    extra: dict = field(default_factory=dict)


@contextmanager
def audited(store: Store, viewer: Viewer, action: str, target_type: str, target_id: object = None, detail: str = "",
            *, role: str | None = None, doing: str = "", refusal_prefix: str = "") -> Iterator[Act]:
    """Run the body as `viewer` in one transaction if they hold at least `role`; audit the outcome (see above).
    `refusal_prefix` names the act in the refusal's audit entry ("merge: ..."), where the message alone does not."""
    act = None
    try:
        if role is not None:
            require_role(viewer, role, doing or f"{action} {target_type}")
        with store.session() as session:
            act = Act(session, target_id, detail)
            yield act
            if act.detail is not None:
                audit.record(session, viewer, action, target_type, act.target_id, "ok", act.detail)
    except (PermissionDenied, NotFound) as refusal:
        result = "denied" if isinstance(refusal, PermissionDenied) else "not_found"
        with store.session() as session:
            audit.record(session, viewer, action, target_type, act.target_id if act else target_id, result,
                         f"{refusal_prefix}{refusal}")
        raise


def require(store: Store, viewer: Viewer, role: str, doing: str, action: str = "write", target_type: str = "report",
            target_id: object = None) -> None:
    """PermissionDenied, audited, unless `viewer` holds at least `role`: for an act that audits its own success."""
    try:
        require_role(viewer, role, doing)
    except PermissionDenied as refusal:
        with store.session() as session:
            audit.record(session, viewer, action, target_type, target_id, "denied", str(refusal))
        raise
