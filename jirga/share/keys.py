"""Organisations' signing keys: made and rotated for an organisation whose users work here, shown to give to
partners, registered for partners; and the two look-ups signing and verification need.

The private key lives in a file of the key directory (`--key-dir`, default `signing.default_key_dir()`), never in
the database; the public key, as a JWK, is registered in `org_keys` with its kid (its RFC 7638 thumbprint). A
rotated key is retired, not deleted: what it signed before its retirement still verifies. Its private file is
deleted, since it must never sign again.

Every act is checked and audited (`access.acts.audited`): org admins make and rotate their own organisation's
key; instance admins register partners' keys, which decides whose objects this instance accepts as theirs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey

from jirga.access import Viewer
from jirga.access.acts import audited
from jirga.db import Store
from jirga.db.share_schema import OrgKey
from jirga.errors import BadInput, Conflict, NotFound
from jirga.share import signing
from jirga.share.definitions import parse_timestamp, stix_id, timestamp, uuid_of
from jirga.store import sharing

IDENTITY = re.compile(r"identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class KeyChange:
    organisation: str
    kid: str
    retired: str | None = None  # the kid it replaced
    path: Path | None = None  # where the private key was written


def _key_dir(key_dir: Path | None) -> Path:
    return Path(key_dir).expanduser() if key_dir else signing.default_key_dir()


def generate(store: Store, viewer: Viewer, key_dir: Path | None = None) -> KeyChange:
    """The first key pair of the viewer's organisation; Conflict if it has one (rotate it instead)."""
    return _new_key(store, viewer, _key_dir(key_dir), rotate=False)


def rotate(store: Store, viewer: Viewer, key_dir: Path | None = None) -> KeyChange:
    """A new key pair for the viewer's organisation; the old key is retired (it still verifies what it signed)
    and its private file deleted. Partners must register the new public key (`jirga key show`)."""
    return _new_key(store, viewer, _key_dir(key_dir), rotate=True)


def _new_key(store: Store, viewer: Viewer, key_dir: Path, *, rotate: bool) -> KeyChange:
    doing = "rotate" if rotate else "generate"
    with audited(store, viewer, "admin", "org_key", viewer.org_id, f"{doing} the signing key", role="org_admin",
                 doing=f"{doing} the organisation's signing key") as act:
        org = sharing.organisation(act.session, viewer.org_id)
        old = sharing.current_key(act.session, org.id)
        if old is not None and not rotate:
            raise Conflict(f"{org.name} already has a signing key ({old.key_id}): rotate it with jirga key rotate")
        if old is None and rotate:
            raise Conflict(f"{org.name} has no signing key to rotate: make one with jirga key generate")
        key = signing.generate()
        path = signing.save_private(key_dir, org.uuid, key)
        try:
            new = sharing.add_key(act.session, org.id, signing.thumbprint(key),
                                  json.dumps(signing.public_jwk(key), sort_keys=True))
        except Exception:
            path.unlink(missing_ok=True)
            raise
        act.detail = f"{doing} signing key {new.key_id}" + (f", retiring {old.key_id}" if old else "")
    if old is not None:
        signing.remove_private(key_dir, org.uuid, old.key_id)
    return KeyChange(org.name, new.key_id, old.key_id if old else None, path)


def card(store: Store, viewer: Viewer, organisation: str | None = None) -> dict[str, Any]:
    """The current public key of the viewer's organisation (or of `organisation`) as a JWK to give partners, with
    the organisation's name, its STIX identity and its retired keys (extra JWK members, which RFC 7517 lets readers
    ignore): a partner that registers it verifies what the retired keys signed before they were retired."""
    with audited(store, viewer, "read", "org_key", organisation or viewer.org_id, "show the public key") as act:
        org = (sharing.organisation(act.session, viewer.org_id) if organisation is None
               else sharing.organisation_by_name(act.session, organisation))
        if org is None:
            raise NotFound(f"no organisation {organisation!r}")
        key = sharing.current_key(act.session, org.id)
        if key is None:
            raise NotFound(f"{org.name} has no signing key" + (": make one with jirga key generate"
                                                                 if org.id == viewer.org_id else ""))
        card = json.loads(key.public_key) | {"organisation": org.name, "identity": stix_id("identity", org.uuid)}
        retired = [json.loads(old.public_key) | {"retired_at": timestamp(old.retired_at)}
                   for old in sharing.keys_of(act.session, org.id) if old.retired_at is not None]
        return card | ({"retired": retired} if retired else {})


def history(store: Store, viewer: Viewer, organisation: str | None = None) -> list[OrgKey]:
    with audited(store, viewer, "read", "org_key", organisation or viewer.org_id, "list keys") as act:
        org = (sharing.organisation(act.session, viewer.org_id) if organisation is None
               else sharing.organisation_by_name(act.session, organisation))
        if org is None:
            raise NotFound(f"no organisation {organisation!r}")
        return sharing.keys_of(act.session, org.id)


def register(store: Store, viewer: Viewer, organisation: str, jwk: dict[str, Any]) -> KeyChange:
    """Register a partner's public key (its card from `jirga key show`) as that organisation's current key,
    adding the organisation if this instance does not know it yet. The card's identity becomes the
    organisation's STIX identity, so that objects whose `created_by_ref` names it verify against this key."""
    name = organisation.strip()
    with audited(store, viewer, "admin", "org_key", name, f"register a key for {name!r}", role="instance_admin",
                 doing="register partners' keys") as act:
        key = signing.read_public_jwk(jwk)
        kid = signing.thumbprint(key)
        identity = jwk.get("identity")
        if identity is not None and (not isinstance(identity, str) or not IDENTITY.fullmatch(identity)):
            raise BadInput(f"the key's identity {str(identity)[:80]!r} is not a STIX identity id")
        session = act.session
        org = sharing.organisation_by_name(session, name)
        if org is None:
            if not name or len(name) > 200:
                raise BadInput(f"an organisation needs a name of 1-200 characters, not {name!r}")
            if identity is None:
                raise BadInput("the key names no identity (its 'identity' member): give the card jirga key show "
                               "prints on the partner's instance")
            _claim_identity(session, None, identity)
            org = sharing.add_organisation(session, name, uuid_of(identity))
        elif org.is_local:
            raise BadInput(f"{org.name} is this instance's own organisation: make its key with jirga key generate")
        known = sharing.keys_of(session, org.id)
        if identity is not None and uuid_of(identity) != org.uuid:
            if known:
                raise BadInput(f"the key names identity {identity}, but {org.name} is identity--{org.uuid}, which "
                               "its registered keys sign for: is this the right organisation?")
            _claim_identity(session, org, identity)
            org.uuid = uuid_of(identity)
        expected = (org.key_fingerprint or "").removeprefix("SHA256:")
        if not known and expected and expected != kid:
            raise BadInput(f"the key's thumbprint {kid} is not the fingerprint {expected} given when {org.name} was "
                           "added: check it with the partner")
        holder = sharing.key_by_kid(session, kid)
        if holder is not None:
            owner = sharing.organisation(session, holder.org_id)
            raise Conflict(f"key {kid} is registered already, for {owner.name}")
        previous = sharing.current_key(session, org.id)
        for old in _retired(jwk.get("retired")):
            if sharing.key_by_kid(session, old[0]) is None:
                sharing.add_retired_key(session, org.id, *old)
        sharing.add_key(session, org.id, kid, json.dumps(signing.public_jwk(key), sort_keys=True))
        act.target_id = org.id
        act.detail = f"register key {kid} for {org.name}" + (f", retiring {previous.key_id}" if previous else "")
        return KeyChange(org.name, kid, previous.key_id if previous else None)


def _retired(value: Any) -> list[tuple[str, str, dt.datetime]]:
    """The retired keys a card lists: (kid, public JWK, when retired)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 100:
        raise BadInput("the key's 'retired' member must be a list of retired public keys")
    out = []
    for item in value:
        key = signing.read_public_jwk(item)
        try:
            retired_at = parse_timestamp(item.get("retired_at"))
        except (ValueError, TypeError):
            raise BadInput(f"retired key {signing.thumbprint(key)}: no readable retired_at") from None
        if retired_at > dt.datetime.now(dt.UTC):
            raise BadInput(f"retired key {signing.thumbprint(key)}: retired_at lies in the future")
        out.append((signing.thumbprint(key), json.dumps(signing.public_jwk(key), sort_keys=True), retired_at))
    return out


def _claim_identity(session, org, identity: str) -> None:
    other = sharing.organisation_by_uuid(session, uuid_of(identity))
    if other is not None and other is not org:
        raise Conflict(f"identity {identity} is {other.name}'s already")


def signer(store: Store, viewer: Viewer, key_dir: Path | None = None) -> signing.Signer:
    """The viewer's organisation's current private key; BadInput if it has none here."""
    with store.session() as session:
        org = sharing.organisation(session, viewer.org_id)
        key = sharing.current_key(session, org.id)
        if key is None:
            raise BadInput(f"{org.name} has no signing key: make one with jirga key generate")
        kid, org_uuid = key.key_id, org.uuid
    return signing.Signer(signing.load_private(_key_dir(key_dir), org_uuid, kid), kid, stix_id("identity", org_uuid))


@dataclass(frozen=True)
class Registered:
    """A registered key as verification uses it."""

    org_id: int
    org_name: str
    key: OKPKey
    kid: str
    retired_at: Any  # datetime | None


def verification_keys(session) -> dict[str, Registered]:
    """Every registered key by kid (a few per partner), with the organisation it belongs to."""
    return {key.key_id: Registered(key.org_id, name, signing.read_public_jwk(json.loads(key.public_key)), key.key_id,
                                   key.retired_at) for key, name in sharing.registered_keys(session)}
