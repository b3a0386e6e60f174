"""Every coded list Jirga uses, written once, with its order. Extraction emits these codes, the store keeps them,
clue verification ranks them, forms and filters offer them; a code that is not here is a bug."""

from __future__ import annotations

# What an incident is. An analyst codes the first three by hand; the extractor finds all of them.
INCIDENT_KINDS: tuple[str, ...] = ("attack", "security_operation", "arrest", "statistic", "meeting", "visit")
HAND_CODED_KINDS: tuple[str, ...] = INCIDENT_KINDS[:3]

# How a group is involved in an incident, as a report says.
INVOLVEMENTS: tuple[str, ...] = ("claimed", "denied", "attributed", "target")

# How an attack was carried out (GTD attack types, shortened).
ATTACK_TYPES: tuple[str, ...] = (
    "armed_assault", "assassination", "bombing", "facility_attack", "kidnapping", "suicide_bombing",
)

# Who or what was attacked (GTD target/victim types, shortened).
TARGET_TYPES: tuple[str, ...] = (
    "business", "diplomatic", "educational", "government", "health", "journalists_media", "military", "ngo",
    "police", "political", "private_citizens", "religious", "tourists", "transportation", "utilities",
)

# How precisely a place is known, coarse to fine, and its rank (a higher rank is finer).
PLACE_PRECISIONS: tuple[str, ...] = ("country", "province", "district", "city")
PLACE_RANK: dict[str, int] = {precision: rank for rank, precision in enumerate(PLACE_PRECISIONS)}

# How precisely a date is known, fine to coarse: a day, a window of a few days, a week, a month, a quarter, a half
# year, a year; and its rank (a higher rank is coarser).
DATE_PRECISIONS: tuple[str, ...] = ("day", "days", "week", "month", "quarter", "half", "year")
DATE_RANK: dict[str, int] = {precision: rank for rank, precision in enumerate(DATE_PRECISIONS)}
