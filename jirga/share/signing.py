"""Ed25519 signatures on STIX objects: detached JWS (RFC 7515, appendix F) over the object's canonical JSON.

    payload    = canonical JSON of the object without the signature extension (jirga.share.canonical)
    protected  = {"alg": "Ed25519", "kid": <RFC 7638 thumbprint of the author's public JWK>}
    jws        = BASE64URL(protected) + ".." + BASE64URL(Ed25519 signature of BASE64URL(protected) + "." +
                 BASE64URL(payload))

The JWS sits in the object as a property extension (`definitions.SIGNATURE_EXTENSION_ID`) with `alg`, `kid` and
`jws`; the object's `created_by_ref` names the author. A receiver verifies with the key that author registered
under that kid (`jirga.share.keys`), never with a key of whoever passed the object on, so a relayed object still
verifies and a relay cannot change a byte of what it signed.

Keys are joserfc OKP keys (RFC 8037) made by `cryptography`; `alg` is "Ed25519" (RFC 9864's fully specified name
for EdDSA over Ed25519, which joserfc 1.8 implements).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from jirga.errors import BadInput
from jirga.share.canonical import canonical, loads
from jirga.share.definitions import SIGNATURE_EXTENSION_ID

ALG = "Ed25519"
PUBLIC_MEMBERS = ("kty", "crv", "x")  # what a public Ed25519 JWK needs (RFC 8037, 2)
MAX_KEY_BYTES = 10_000


class SignatureError(BadInput):
    """A signature that is missing, malformed, or does not verify; the message says which."""


@dataclass(frozen=True)
class Signer:
    """The private key an organisation signs with, and its key id."""

    key: OKPKey
    kid: str
    author: str  # the author's STIX identity id: identity--<organisation uuid>


def generate() -> OKPKey:
    return OKPKey.generate_key("Ed25519", private=True)


def thumbprint(key: OKPKey) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url) of the public key: the kid."""
    return key.thumbprint()


def public_jwk(key: OKPKey) -> dict[str, str]:
    public = {name: key.as_dict(private=False)[name] for name in PUBLIC_MEMBERS}
    return public | {"kid": thumbprint(key), "alg": ALG, "use": "sig"}


def read_public_jwk(value: dict[str, Any]) -> OKPKey:
    """A partner's public key from its JWK; BadInput if it is not one public Ed25519 key, or its kid (if given)
    is not its thumbprint."""
    if not isinstance(value, dict):
        raise BadInput("a key must be a JSON object (a JWK)")
    if "d" in value:
        raise BadInput("this JWK holds a private key: give the public key only (jirga key show prints it)")
    if value.get("kty") != "OKP" or value.get("crv") != "Ed25519" or not isinstance(value.get("x"), str):
        raise BadInput(f"not an Ed25519 public key (kty {value.get('kty')!r}, crv {value.get('crv')!r}): Jirga "
                       "signs with Ed25519 only")
    try:
        key = OKPKey.import_key({name: value[name] for name in PUBLIC_MEMBERS})
    except (JoseError, ValueError, TypeError) as error:
        raise BadInput(f"not a usable Ed25519 public key: {error}") from None
    if "kid" in value and value["kid"] != thumbprint(key):
        raise BadInput(f"the JWK's kid {str(value['kid'])[:60]!r} is not its thumbprint {thumbprint(key)!r}")
    return key


# The signed object.


def payload(obj: dict[str, Any]) -> bytes:
    """What the signature covers: the object's canonical JSON without the signature extension (and without
    `extensions` when nothing else is in it)."""
    unsigned = dict(obj)
    extensions = {name: ext for name, ext in (obj.get("extensions") or {}).items() if name != SIGNATURE_EXTENSION_ID}
    if extensions:
        unsigned["extensions"] = extensions
    else:
        unsigned.pop("extensions", None)
    return canonical(unsigned)


def sign(obj: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """A copy of `obj` by `signer`'s organisation, with `created_by_ref` and the signature extension set."""
    signed = dict(obj, created_by_ref=signer.author)  # `obj` itself is left as it was; nothing below it changes
    others = {name: ext for name, ext in (obj.get("extensions") or {}).items() if name != SIGNATURE_EXTENSION_ID}
    signed.pop("extensions", None)
    if others:
        signed["extensions"] = others
    header = {"alg": ALG, "kid": signer.kid}
    compact = jws.serialize_compact(header, canonical(signed), signer.key, algorithms=[ALG])
    head, _, signature = compact.split(".")
    signed["extensions"] = others | {SIGNATURE_EXTENSION_ID: {
        "extension_type": "property-extension", "alg": ALG, "kid": signer.kid, "jws": f"{head}..{signature}"}}
    return signed


def signature_of(obj: dict[str, Any]) -> dict[str, str]:
    """The object's signature extension; SignatureError if it has none or it is malformed."""
    found = (obj.get("extensions") or {}).get(SIGNATURE_EXTENSION_ID) if isinstance(obj.get("extensions"), dict) \
        else None
    if not isinstance(found, dict):
        raise SignatureError("not signed: no author signature (extension "
                             f"{SIGNATURE_EXTENSION_ID})")
    if found.get("alg") != ALG or not isinstance(found.get("kid"), str) or not isinstance(found.get("jws"), str):
        raise SignatureError(f"malformed signature: alg must be {ALG!r}, kid and jws strings")
    if found["jws"].count(".") != 2 or ".." not in found["jws"]:
        raise SignatureError("malformed signature: jws is not a detached compact JWS (header..signature)")
    return found


def verify(obj: dict[str, Any], key: OKPKey) -> None:
    """Nothing if `key` made the object's signature over exactly this object; SignatureError otherwise."""
    found = signature_of(obj)
    try:
        result = jws.deserialize_compact(found["jws"], key, algorithms=[ALG], payload=payload(obj))
    except (JoseError, ValueError, TypeError) as error:
        raise SignatureError(f"signature does not verify ({type(error).__name__}): the object was changed after "
                             "it was signed, or its author's key did not sign it") from None
    header = result.protected
    if header.get("alg") != ALG or header.get("kid") != found["kid"]:
        raise SignatureError("signature does not match its extension: the protected header names another alg or "
                             "kid")


# Private keys on disk.


def default_key_dir() -> Path:
    return platformdirs.user_data_path("jirga") / "keys"


def key_path(key_dir: Path, org_uuid: str, kid: str) -> Path:
    return key_dir / org_uuid / f"{kid}.jwk"


def save_private(key_dir: Path, org_uuid: str, key: OKPKey) -> Path:
    """Write the private JWK, readable by its owner only (directories 0700, the file 0600, never overwritten)."""
    folder = key_dir / org_uuid
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (key_dir, folder):
        os.chmod(path, 0o700)
    path = key_path(key_dir, org_uuid, thumbprint(key))
    data = canonical(key.as_dict(private=True))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data + b"\n")
    return path


def load_private(key_dir: Path, org_uuid: str, kid: str) -> OKPKey:
    """The private key of that kid; BadInput if its file is missing, readable by others, or not that key."""
    path = key_path(key_dir, org_uuid, kid)
    try:
        mode = path.stat().st_mode
        raw = path.read_bytes()[:MAX_KEY_BYTES + 1]
    except FileNotFoundError:
        raise BadInput(f"no private key {kid} in {path.parent}: give --key-dir, or make one with jirga key "
                       "rotate") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise BadInput(f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}): chmod 600 it first")
    try:
        key = OKPKey.import_key(loads(raw.decode("utf-8")))
    except (JoseError, ValueError, TypeError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: not a private Ed25519 JWK ({error})") from None
    if not key.is_private or thumbprint(key) != kid:
        raise BadInput(f"{path}: not the private key {kid}")
    return key


def remove_private(key_dir: Path, org_uuid: str, kid: str) -> bool:
    try:
        key_path(key_dir, org_uuid, kid).unlink()
    except FileNotFoundError:
        return False
    return True
