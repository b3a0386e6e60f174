"""Claim values between Jirga's store and STIX, which has no null and no empty list (STIX 2.1, 3.1, 3.3).

Going out, a value loses its nulls, empty lists and empty objects (`without_nulls`); coming in, `restored` puts
back the keys a claim value of that field always has in the store, as null (or an empty list), so the receiver's
consensus reads a partner's claim exactly as it reads its own.
"""

from __future__ import annotations

from typing import Any

# The keys each field's value always has in the store, and what an absent one stands for.
PLACE_KEYS = ("city", "district", "province", "province_code", "lat", "lon")
FIGURE_KEYS = ("low", "best", "high", "qualifier", "text", "span")
TARGET_KEYS = ("target", "target_type")


def without_nulls(value: Any) -> Any:
    """`value` without null members, empty lists and empty objects, however deep."""
    if isinstance(value, dict):
        kept = ((key, without_nulls(item)) for key, item in value.items() if item is not None)
        return {key: item for key, item in kept if item != [] and item != {}}
    if isinstance(value, list):
        return [without_nulls(item) for item in value if item is not None]
    return value


def _filled(value: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: None for key in keys} | value


def _figure(value: dict[str, Any], *, mentions: bool) -> dict[str, Any]:
    out = _filled(value, FIGURE_KEYS)
    if mentions:
        out["mentions"] = [_figure(item, mentions=False) for item in value.get("mentions", [])]
    return out


def restored(field: str, value: Any) -> Any:
    """A received claim value in the form the store keeps for `field`."""
    if not isinstance(value, dict):
        return value
    if field == "place":
        return _filled(value, PLACE_KEYS)
    if field in ("killed", "injured"):
        return _figure(value, mentions="subset" not in value or value.get("subset") is True)
    if field == "target":
        return _filled(value, TARGET_KEYS)
    if field == "statistic":
        figures = {unit: [_figure(item, mentions=False) for item in items]
                   for unit, items in (value.get("figures") or {}).items()}
        return {"source": None, "about": []} | value | {"figures": figures}
    return value
