"""Traffic Light Protocol levels and the STIX 2.1 marking definitions that carry them.

TLP 2.0 (FIRST, 2022) has five levels; STIX 2.1 predefines only the four TLP 1.0 markings, the TLP 2.0 ones are
published by OASIS under the extension definition below. TLP 1.0's WHITE is TLP 2.0's CLEAR.
"""

from __future__ import annotations

from collections.abc import Iterable

from jirga.errors import BadInput

# From least to most restrictive.
LEVELS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict", "red")

NAMES: dict[str, str] = {level: f"TLP:{level.upper()}" for level in LEVELS}

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

# TLP 2.0 marking definitions (OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
TLP2_MARKING_IDS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# TLP 1.0 marking definitions predefined by STIX 2.1 (section 7.2.1.4; stix2.v21.TLP_WHITE ...), as TLP 2.0 levels.
TLP1_MARKING_IDS: dict[str, str] = {
    "clear": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",  # TLP:WHITE
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

LEVEL_BY_MARKING_ID: dict[str, str] = {
    **{marking: level for level, marking in TLP1_MARKING_IDS.items()},
    **{marking: level for level, marking in TLP2_MARKING_IDS.items()},
}


def rank(level: str) -> int:
    """0 for clear up to 4 for red; ValueError for anything else."""
    return LEVELS.index(normalize(level))


def normalize(level: str) -> str:
    """'TLP:AMBER+STRICT', 'amber+strict', 'White' -> the TLP 2.0 level name; ValueError if it is none."""
    name = level.strip().lower().removeprefix("tlp:").strip()
    name = {"white": "clear", "amber strict": "amber+strict", "amber-strict": "amber+strict"}.get(name, name)
    if name not in LEVELS:
        raise BadInput(f"not a TLP level: {level!r} (one of {', '.join(LEVELS)})")
    return name


def from_marking_refs(refs: Iterable[str]) -> str | None:
    """The most restrictive TLP level among STIX marking-definition ids; None if there are none.

    An id that is not one of the TLP markings above counts as RED: a statement, a partner's own marking, or a TLP
    marking defined under another id may forbid sharing, and guessing it allows more would break the marking."""
    levels = [LEVEL_BY_MARKING_ID.get(ref, "red") for ref in refs]
    return max(levels, key=LEVELS.index) if levels else None


def most_restrictive(*levels: str | None) -> str | None:
    known = [normalize(level) for level in levels if level]
    return max(known, key=LEVELS.index) if known else None
