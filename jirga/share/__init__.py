"""Sharing between instances: STIX 2.1 objects signed by their author, what an audience receives, and verifying
and storing what partners send (docs/sharing.md).

- `stix_out`: records as STIX 2.1 objects, one TLP marking each; `stix_links`: relations as `relationship`,
  assessments as `opinion`; `definitions`: the fixed objects and ids.
- `signing`: Ed25519 detached JWS over canonical JSON; `keys`: key pairs, rotation, partners' keys.
- `publishing`: `publish` signs and versions what an organisation shares; `shared` is what one audience receives;
  `preview`: what one partner (a sharing group or an organisation) receives, and why.
- `receiving`: `receive` verifies every object before storing any, stores the valid ones, and fuses a partner's
  reports and incidents with ours.
- `objects`: what a STIX 2.1 object received over TAXII must be, the envelope of an add, the timestamps of versions.
- `inbox`: objects coming into a TAXII collection through a pluggable receiver (`Receiver`; by default
  `verify_and_fuse`: Jirga objects through `receive`, other STIX objects kept unverified), and publishing into
  collections; `sync`: partner instances (peers), pulling from and pushing to their TAXII collections. The TAXII
  server's routes are in `jirga.web.taxii`, its SQL in `jirga.store.taxii`.
"""

from __future__ import annotations

import importlib
from typing import Any

# The public names, each from its module; imported when first used (jsonschema and stix2 take seconds to import, and
# `jirga key show` needs neither).
_WHERE = {"Published": "publishing", "audience": "publishing", "bundle_text": "publishing",
          "definitions": "publishing", "publish": "publishing", "shared": "publishing",
          "Received": "receiving", "read_bundle": "receiving", "read_envelope": "receiving", "receive": "receiving"}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'jirga.share' has no attribute {name!r}")
    return getattr(importlib.import_module(f"jirga.share.{_WHERE[name]}"), name)
