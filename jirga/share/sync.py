"""Syncing with partner instances (peers) over TAXII 2.1, with taxii2-client: pull their collections into ours, push
ours into theirs.

A peer is a partner's TAXII API root and the credential it gave us (an API token, or a username and password),
kept in the `peers` table with, per collection, how far we have pulled and pushed (`cursor`). Collections are
matched by id: the open collection and every sharing group's have the same id on every Jirga instance
(`jirga.store.taxii`), so a group of the same name on both sides is all the set-up a pull or a push needs; `into`
pulls a collection of another id (a medallion's, say) into one of ours.

- **pull** asks for every version added after the cursor (`added_after`, `match[version]=all`), page by page
  (`as_pages`), hands each page to the receiver (`jirga.share.inbox`: the same step a TAXII add goes through), then
  moves the cursor to the page's `X-TAXII-Date-Added-Last`. A killed pull resumes from the last page it finished;
  pulling twice stores nothing new (a page is asked again from one microsecond before the cursor, so objects added
  in the same instant as the last one are never skipped; the receiver finds them stored).
- **push** sends the objects added to our collection since the last push, in adds that fit the peer's
  `max_content_length`; never what the peer's own organisation owns here (it has it), and a sharing group's
  collection only to a peer whose organisation is a member of that group.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import requests
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import ApiRoot, as_pages

from jirga.access import Viewer, audit
from jirga.access.acts import audited, require
from jirga.db import Store
from jirga.db.share_schema import Peer
from jirga.errors import BadInput, NotFound, PeerError
from jirga.share import inbox, keys, signing
from jirga.share.objects import parse_timestamp
from jirga.store import sharing, taxii
from jirga.store.taxii import Collection, Filters

PAGE = 500  # objects asked for per page when pulling, and read per page when pushing
TIMEOUT = 60  # seconds a peer may take to answer one request


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass
class Tally:
    """What one collection's pull or push did."""

    collection: str
    title: str = ""
    received: int = 0  # objects read (pull) or sent (push)
    stored: int = 0  # new versions stored (pull) or accepted by the peer (push)
    unchanged: int = 0  # already there
    verified: int = 0  # of those stored, Jirga objects whose author's signature verified
    refused: list[str] = field(default_factory=list)  # why, one per object
    skipped: str | None = None  # why the collection was not synced at all

    def line(self) -> str:
        name = f"{self.title} ({self.collection})" if self.title else self.collection
        if self.skipped:
            return f"{name}: skipped: {self.skipped}"
        unverified = self.stored - self.verified
        return (f"{name}: {self.received} objects, {self.stored} new, {self.unchanged} already there, "
                f"{len(self.refused)} refused" + (f" ({self.verified} new signed by their author and verified, "
                                                  f"{unverified} new unverified)" if self.verified else ""))


Progress = Callable[[Tally], None]


def credential(*, token: str | None = None, user: str | None = None, password: str | None = None) -> dict:
    """What `add_peer` keeps of how to sign in at the peer."""
    if token:
        return {"token": token.strip()}
    if user and password is not None:
        return {"user": user, "password": password}
    raise BadInput("a peer needs a token, or a user and a password")


def add_peer(store: Store, viewer: Viewer, name: str, url: str, *, org: str | None = None,
             signin: dict | None = None, key: dict | None = None) -> Peer:
    """Remember a partner's TAXII API root and how to sign in there (org admins; the act is audited). `key`: the
    partner organisation's public key, its card as `jirga key show` prints it, registered first exactly as `jirga
    key register` does (instance admins): for `org`, or else for the organisation the card names, which becomes
    the peer's organisation. A key registered already for that organisation is left as it is."""
    if key is not None:
        org, kid = key_owner(org, key)
        with store.session() as session:
            holder, known = sharing.key_by_kid(session, kid), sharing.organisation_by_name(session, org)
        if holder is None or known is None or holder.org_id != known.id:
            keys.register(store, viewer, org, key)
    with audited(store, viewer, "admin", "peer", name[:100], f"add peer {name[:100]!r}", role="org_admin",
                 doing="add a peer") as act:
        return taxii.add_peer(act.session, viewer, name, url, signin, org)


def key_owner(org: str | None, key: object) -> tuple[str, str]:
    """Whose key this is (`org`, else the organisation its card names) and its kid; BadInput for a card that is not
    one public Ed25519 key or that names no organisation when `org` does not."""
    if not isinstance(key, dict):
        raise BadInput("the peer's key must be a JSON object: the card `jirga key show` prints on the partner's "
                       "instance")
    try:
        kid = signing.thumbprint(signing.read_public_jwk(key))
    except BadInput as error:
        raise BadInput(f"the peer's key: {error}") from None
    owner = org if org is not None else key.get("organisation")
    if not isinstance(owner, str) or not owner.strip():
        raise BadInput("the peer's key names no organisation (its 'organisation' member): say whose it is with --org")
    return owner.strip(), kid


def list_peers(store: Store, viewer: Viewer) -> list[tuple[Peer, str | None]]:
    with store.session() as session:
        return taxii.list_peers(session, viewer)


class _Connection:
    """The peer's API root, and the headers of the last answer (taxii2-client gives back only the JSON)."""

    def __init__(self, peer: Peer):
        signin = json.loads(peer.token) if peer.token else {}
        options = ({"auth": _Bearer(signin["token"])} if "token" in signin else
                   {"user": signin["user"], "password": signin["password"]} if "user" in signin else {})
        self.name = peer.name
        self.root = ApiRoot(peer.url, **options)
        self.headers: Mapping[str, str] = {}
        session = self.root._conn.session
        session.hooks["response"].append(self._keep_headers)
        session.request = _with_timeout(session.request)

    def _keep_headers(self, response, *args, **kwargs):
        self.headers = response.headers  # case-insensitive
        return response

    def collections(self) -> list:
        try:
            return list(self.root.collections)
        except Exception as error:  # taxii2-client raises requests' errors and its own
            raise _failed(self.name, "list its collections", error) from None

    def close(self) -> None:
        self.root.close()


def _with_timeout(request):
    def timed(method, url, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return request(method, url, **kwargs)

    return timed


def _failed(name: str, doing: str, error: Exception) -> PeerError:
    """The error of a request to a peer, in one line that names the peer and what it said."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        said = error.response.text[:300]
        with suppress(ValueError, AttributeError):
            said = json.loads(said).get("description", said)
        why = f"HTTP {error.response.status_code}: {said}"
    elif isinstance(error, requests.ConnectionError | requests.Timeout):
        why = f"cannot reach it ({type(error).__name__})"
    elif isinstance(error, TAXIIServiceException | ValueError | KeyError):
        why = f"its answer is not TAXII 2.1 ({error})"
    else:
        why = f"{type(error).__name__}: {error}"
    return PeerError(f"peer {name}: cannot {doing}: {' '.join(why.split())[:400]}")


@contextmanager
def _connected(store: Store, viewer: Viewer, name: str, doing: str) -> Iterator[tuple[Peer, _Connection, dict]]:
    require(store, viewer, "analyst", f"{doing} a peer", target_type="peer")
    with store.session() as session:
        peer = taxii.get_peer(session, viewer, name)
        audit.record(session, viewer, "write", "peer", peer.id, "ok", f"{doing} {peer.name}")
    cursor = json.loads(peer.cursor or "{}")
    connection = _Connection(peer)
    try:
        yield peer, connection, cursor
    finally:
        connection.close()


def _local(store: Store, viewer: Viewer) -> dict[str, Collection]:
    with store.session() as session:
        return {collection.id: collection for collection in taxii.collections(session, viewer)}


def pull(store: Store, viewer: Viewer, name: str, *, collection: str | None = None, into: str | None = None,
         receiver: inbox.Receiver | None = None, progress: Progress | None = None) -> list[Tally]:
    """Pull every collection of the peer we may read and have too (or `collection` alone, into `into` if given),
    each object through `receiver` (default: `inbox.default_receiver()`)."""
    receiver = receiver or inbox.default_receiver()
    if into and not collection:
        raise BadInput("--into needs --collection: it says where that one collection goes")
    with _connected(store, viewer, name, "pull from") as (peer, connection, cursor):
        local = _local(store, viewer)
        remote = [c for c in connection.collections() if collection is None or c.id == collection]
        if collection and not remote:
            raise NotFound(f"peer {peer.name} has no collection {collection!r} we may read")
        tallies = []
        for theirs in remote:
            tally = Tally(theirs.id, getattr(theirs, "title", "") or "")
            target = local.get(into or theirs.id)
            if not theirs.can_read:
                tally.skipped = "the peer does not let us read it"
            elif target is None:
                tally.skipped = (f"we have no collection {into or theirs.id} (a sharing group of the same name makes "
                                 "one, or pull it --into one of ours)")
            elif not target.can_write:
                tally.skipped = f"{viewer.username} may not write our collection {target.id}"
            else:
                _pull_collection(store, viewer, peer, connection, theirs, target, cursor, receiver, tally, progress)
            tallies.append(tally)
    return tallies


def _pull_collection(store, viewer, peer, connection, theirs, target, cursor, receiver, tally, progress) -> None:
    pulled = cursor.setdefault("pull", {})
    since = pulled.get(theirs.id)
    ask = {"version": "all"}
    if since:
        ask["added_after"] = parse_timestamp(since, "cursor") - dt.timedelta(microseconds=1)
    try:
        for envelope in as_pages(theirs.get_objects, PAGE, **ask):
            objects = envelope.get("objects", []) if isinstance(envelope, dict) else []
            if not isinstance(objects, list):
                raise PeerError(f"peer {peer.name}: collection {theirs.id} answered an envelope without a list of "
                                "objects")
            checked, refused = inbox.check_all(objects)
            outcomes = receiver(store, viewer, target, checked, owner_org_id=peer.org_id) + refused
            tally.received += len(objects)
            tally.stored += sum(o.stored for o in outcomes)
            tally.verified += sum(1 for o in outcomes if o.stored and o.verified_by)
            tally.unchanged += sum(1 for o in outcomes if not o.stored and o.refused is None)
            tally.refused += [o.refused for o in outcomes if o.refused]
            last = connection.headers.get("X-TAXII-Date-Added-Last")
            if last and objects:
                parse_timestamp(last, "X-TAXII-Date-Added-Last")
                pulled[theirs.id] = last
                with store.session() as session:
                    taxii.save_cursor(session, peer.id, cursor)
            if progress:
                progress(tally)
    except (PeerError, BadInput):
        raise
    except Exception as error:  # taxii2-client raises requests' errors and its own
        raise _failed(peer.name, f"pull collection {theirs.id}", error) from None
    with store.session() as session:
        audit.record(session, viewer, "write", "stix_object", None, "ok", f"pull from {peer.name}: {tally.line()}")


def push(store: Store, viewer: Viewer, name: str, *, collection: str | None = None,
         progress: Progress | None = None) -> list[Tally]:
    """Push what was added to our collections since the last push into the peer's collections of the same ids."""
    with _connected(store, viewer, name, "push to") as (peer, connection, cursor):
        local = _local(store, viewer)
        if collection and collection not in local:
            raise NotFound(f"no collection {collection!r}")
        remote = {c.id: c for c in connection.collections()}
        try:
            limit = int(connection.root.max_content_length)
        except Exception as error:  # as above
            raise _failed(peer.name, "read its API root", error) from None
        tallies = []
        for ours in local.values():
            if collection and ours.id != collection:
                continue
            tally = Tally(ours.id, ours.title)
            theirs = remote.get(ours.id)
            if theirs is None or not theirs.can_write:
                tally.skipped = "the peer has no collection of this id that we may write"
            elif ours.group_id is not None and not _member(store, peer, ours):
                tally.skipped = ("the peer's organisation is not a member of this sharing group" if peer.org_id else
                                 "the peer names no organisation (jirga peer add --org), so no group may reach it")
            else:
                _push_collection(store, viewer, peer, theirs, ours, cursor, limit, tally, progress)
            tallies.append(tally)
    return tallies


def _member(store: Store, peer: Peer, ours: Collection) -> bool:
    with store.session() as session:
        return peer.org_id is not None and peer.org_id in taxii.group_members(session, ours.group_id)


def _push_collection(store, viewer, peer, theirs, ours, cursor, limit, tally, progress) -> None:
    pushed = cursor.setdefault("push", {})
    since = pushed.get(ours.id)
    where = Filters(versions=("all",), limit=PAGE, not_owned_by=peer.org_id,
                    added_after=parse_timestamp(since, "cursor") if since else None)
    while True:
        with store.session() as session:
            page = taxii.objects_page(session, viewer, ours, where, what=f"push to {peer.name}")
        for batch in _batches([row.body for row in page.rows], limit):
            try:
                status = theirs.add_objects('{"objects":[' + ",".join(batch) + "]}", wait_for_completion=True,
                                            poll_interval=1, timeout=TIMEOUT)
            except Exception as error:  # as above
                raise _failed(peer.name, f"add to collection {theirs.id}", error) from None
            tally.received += len(batch)
            already = {d.get("id") for d in status.successes if "already" in str(d.get("message", ""))}
            tally.unchanged += len(already)
            tally.stored += status.success_count - len(already)
            reasons = [f"{d.get('id')}: {d.get('message', 'refused')}" for d in status.failures]
            tally.refused += reasons + ["refused by the peer"] * (status.failure_count - len(reasons))
        if page.rows:
            pushed[ours.id] = page.rows[-1].date_added.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            with store.session() as session:
                taxii.save_cursor(session, peer.id, cursor)
        if progress:
            progress(tally)
        if not page.more:
            break
        where = Filters(versions=("all",), limit=PAGE, not_owned_by=peer.org_id, added_after=where.added_after,
                        after=(page.rows[-1].date_added, page.rows[-1].id))
    with store.session() as session:
        audit.record(session, viewer, "write", "stix_object", None, "ok", f"push to {peer.name}: {tally.line()}")


def _batches(bodies: list[str], limit: int) -> Iterator[list[str]]:
    """The objects in adds of at most `limit` bytes (an object larger than that alone goes alone, to be refused)."""
    batch, size = [], 20
    for body in bodies:
        length = len(body.encode()) + 1
        if batch and size + length > limit:
            yield batch
            batch, size = [], 20
        batch.append(body)
        size += length
    if batch:
        yield batch
