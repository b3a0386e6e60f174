"""Sharing between instances: STIX 2.1 objects in TAXII 2.1 collections.

- `objects`: what a received STIX 2.1 object must be, the envelope of an add, and the timestamps of versions.
- `inbox`: objects coming into a collection, through a pluggable receiver (`Receiver`), and publishing our own.
- `sync`: the client side: partner instances (peers), pulling from and pushing to their collections.

The TAXII server's routes are in `jirga.web.taxii`, its SQL in `jirga.store.taxii`; docs/sharing.md tells the story.
"""
