"""How fast are signing and verifying shared STIX objects?

    python benchmarks/sign_speed.py [--objects N]

Signs N objects (default 10,000) with one Ed25519 key as `jirga.share.publish` does (a detached JWS over each
object's canonical JSON, `jirga.share.signing.sign`), then verifies each as `jirga.share.receive` does
(`signing.verify`: canonical JSON again, then the signature), and prints objects per second for each. The objects
are incidents shaped like Jirga's (the extension with a dozen claims, about 4 KB of JSON each), varied so that no
two are alike. One process, one core.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import uuid

from jirga.share import signing
from jirga.share.definitions import EXTENSION_ID, derived_id

CLAIM = {"report_ref": "report--2b8d3f4e-6a1c-4e5f-9b7a-0c1d2e3f4a5b", "field": "killed",
         "value": {"low": 70, "best": 70, "high": 70, "text": "70", "span": [120, 122],
                   "mentions": [{"low": 70, "best": 70, "high": 70, "text": "70", "span": [120, 122]}]},
         "text": "70", "span": [120, 122], "sentence": [60, 180], "source": "Dawn", "reliability": "B",
         "origin": "machine"}


def make(number: int) -> dict:
    claims = [CLAIM | {"id": str(uuid.UUID(int=number * 100 + i, version=4)), "text": str(70 + i)}
              for i in range(12)]
    return {"type": "incident", "spec_version": "2.1", "id": derived_id("incident", "benchmark", number),
            "created": "2026-12-02T10:00:00.000Z", "modified": "2026-12-02T10:00:00.000Z",
            "name": f"Suicide bombing in Quetta #{number}", "description": "Suicide bombing in Quetta; 70 killed.",
            "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
            "extensions": {EXTENSION_ID: {"extension_type": "property-extension", "incident": str(uuid.uuid4()),
                                          "kind": "attack", "killed": {"low": 70, "best": 70, "high": 74},
                                          "claims": claims}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    args = parser.parse_args()
    key = signing.generate()
    signer = signing.Signer(key, signing.thumbprint(key), "identity--0b8f2a4e-1c3d-4e5f-8a6b-7c8d9e0f1a2b")
    public = signing.read_public_jwk(signing.public_jwk(key))
    objects = [make(number) for number in range(args.objects)]
    size = sum(len(json.dumps(obj)) for obj in objects) / len(objects)

    start = time.perf_counter()
    signed = [signing.sign(obj, signer) for obj in objects]
    signing_time = time.perf_counter() - start

    received = [json.loads(json.dumps(obj)) for obj in signed]  # as parsed from a bundle: objects of their own
    start = time.perf_counter()
    for obj in received:
        signing.verify(obj, public)
    verifying_time = time.perf_counter() - start

    print(f"{args.objects:,} objects of about {size:,.0f} bytes, Ed25519 (joserfc), one core, Python "
          f"{platform.python_version()} on {platform.machine()}")
    print(f"sign:   {args.objects / signing_time:,.0f} objects/s ({signing_time:.2f} s)")
    print(f"verify: {args.objects / verifying_time:,.0f} objects/s ({verifying_time:.2f} s)")


if __name__ == "__main__":
    main()
