"""Watchlists: a user's saved incident filters; the incidents opened since they last looked that match, and the
changes to the older ones it matches (a new report's claims, a revised toll, a new claimant).

A watchlist belongs to one user and is never shared. Its matches are read through `incident_query`, so they are the
incidents its owner may see, now (not when it was saved); a change is told from the claims its owner may see alone,
so that nobody learns of a claim through the toll it moved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jirga.access import NotFound, Viewer, audit, visible
from jirga.db.schema import Claim, Incident, Watchlist
from jirga.fuse.consensus import consensus
from jirga.store.queries import IncidentFilter, QueryError, actor_names, incident_query
from jirga.store.summary import facts_of

SAVED = ("actor", "country", "province", "kind", "attack_type", "conflicts")  # what a watchlist keeps of a filter
NEW_CAP = 100  # "100+ new" is enough to say


def _filter(watchlist: Watchlist, **more) -> IncidentFilter:
    return IncidentFilter(**{name: watchlist.filter.get(name) for name in SAVED if name in watchlist.filter}, **more)


def _owner(viewer: Viewer) -> int:
    if viewer.user_id is None:
        raise QueryError("watchlists belong to users: create one first (jirga user add)")
    return viewer.user_id


def add(session: Session, viewer: Viewer, name: str, where: IncidentFilter) -> Watchlist:
    """Save the filter; incidents stored from now on that match it will be new to the user."""
    saved = {key: value for key, value in asdict(where).items() if key in SAVED and value not in (None, False, "")}
    if not saved:
        raise QueryError("a watchlist needs at least one filter (actor, country, province, kind, attack type or "
                         "conflicts)")
    incident_query(where, viewer)  # resolves names now: an unknown actor or province is refused when saved
    watchlist = Watchlist(user_id=_owner(viewer), name=name.strip()[:200] or "watchlist", filter=saved,
                          seen_up_to=session.scalar(select(func.max(Incident.id))) or 0,
                          claims_seen_up_to=session.scalar(select(func.max(Claim.id))) or 0)
    session.add(watchlist)
    session.flush()
    audit.record(session, viewer, "write", "watchlist", watchlist.id, "ok", f"saved {saved}")
    return watchlist


def mine(session: Session, viewer: Viewer) -> list[tuple[Watchlist, int, int]]:
    """The user's watchlists, each with how many new incidents match it and how many of the older ones it matches
    changed (each at most NEW_CAP)."""
    if viewer.user_id is None:
        return []
    out = []
    newest_claim = session.scalar(select(func.max(Claim.id))) or 0
    for watchlist in session.scalars(select(Watchlist).where(Watchlist.user_id == viewer.user_id)
                                     .order_by(Watchlist.id)):
        new = incident_query(_filter(watchlist, min_id=watchlist.seen_up_to), viewer)
        count = session.scalar(select(func.count()).select_from(new.order_by(None).limit(NEW_CAP).subquery()))
        # Nothing stored since the last look (the usual case) needs no search of the watched incidents.
        changed = 0 if newest_claim <= watchlist.claims_seen_up_to else session.scalar(select(func.count()).select_from(
            _new_claims(watchlist, (watchlist.seen_up_to, watchlist.claims_seen_up_to), viewer)
            .with_only_columns(Claim.incident_id)
            .distinct().limit(NEW_CAP).subquery()))
        out.append((watchlist, count or 0, changed or 0))
    return out


@dataclass(frozen=True)
class Change:
    """What changed in a watched incident since its watcher last looked."""

    incident_id: int  # the id only: its stored title and place may rest on claims the viewer may not see
    reports: int  # new reports that told it
    what: list[str]  # "killed 70 → 74", "newly claimed by Islamic State"


def _new_claims(watchlist: Watchlist, marks: tuple[int, int], viewer: Viewer):
    """The claims the viewer may see stored after the claim mark in the incidents up to the incident mark that the
    watchlist matches."""
    up_to, after = marks
    watched = (incident_query(_filter(watchlist), viewer).where(Incident.id <= up_to)
               .order_by(None).with_only_columns(Incident.id))
    return select(Claim).where(Claim.id > after, ~Claim.retired, visible(Claim, viewer),
                               Claim.incident_id.in_(watched))


def changes(session: Session, viewer: Viewer, watchlist: Watchlist, marks: tuple[int, int]) -> list[Change]:
    """The watched incidents (up to the incident mark) that claims stored after the claim mark changed, newest
    change first (at most NEW_CAP), each with what changed: computed from the claims the viewer sees, before and
    after. `marks` are what `seen` returns."""
    after = marks[1]
    new: dict[int, list[Claim]] = {}
    for claim in session.scalars(_new_claims(watchlist, marks, viewer).order_by(Claim.id.desc())):
        if claim.incident_id in new or len(new) < NEW_CAP:
            new.setdefault(claim.incident_id, []).append(claim)
    if not new:
        return []
    older: dict[int, list[Claim]] = {}
    for claim in session.scalars(select(Claim).where(Claim.incident_id.in_(new), Claim.id <= after, ~Claim.retired,
                                                     visible(Claim, viewer))):
        older.setdefault(claim.incident_id, []).append(claim)
    found = []
    for incident_id, claims in new.items():
        before = consensus(facts_of(session, older.get(incident_id, [])))
        now = consensus(facts_of(session, older.get(incident_id, []) + claims))
        what = [f"{name} {_figure(getattr(before, name))} → {_figure(getattr(now, name))}"
                for name in ("killed", "injured") if getattr(before, name)[1] != getattr(now, name)[1]]
        claimants = actor_names(session, [a for a in now.claimed_by if a not in before.claimed_by])
        what += [f"newly claimed by {claimants.get(a, a)}" for a in now.claimed_by if a not in before.claimed_by]
        found.append(Change(incident_id, len({c.report_id for c in claims if c.report_id}), what))
    return found


def _figure(triple) -> str:
    return "?" if triple[1] is None else str(triple[1])


def get(session: Session, viewer: Viewer, watchlist_id: int) -> Watchlist:
    watchlist = session.get(Watchlist, watchlist_id)
    if watchlist is None or watchlist.user_id != viewer.user_id:
        raise NotFound(f"no watchlist {watchlist_id}")
    return watchlist


def as_filter(watchlist: Watchlist, **more) -> IncidentFilter:
    """The saved filter; `more` adds to it (limit, min_id)."""
    return _filter(watchlist, **more)


def seen(session: Session, viewer: Viewer, watchlist: Watchlist) -> tuple[int, int]:
    """Mark everything stored so far as seen; returns the marks it had before, (incident, claim): what was new is
    above the first, what changed the watched incidents above the second."""
    before = watchlist.seen_up_to, watchlist.claims_seen_up_to
    watchlist.seen_up_to = session.scalar(select(func.max(Incident.id))) or 0
    watchlist.claims_seen_up_to = session.scalar(select(func.max(Claim.id))) or 0
    audit.record(session, viewer, "read", "watchlist", watchlist.id, "ok", "seen")
    return before


def remove(session: Session, viewer: Viewer, watchlist_id: int) -> None:
    session.delete(get(session, viewer, watchlist_id))
    audit.record(session, viewer, "write", "watchlist", watchlist_id, "ok", "deleted")

