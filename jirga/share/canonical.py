"""The one JSON form a signature covers, and a strict reader for what partners send.

Canonical JSON (what Jirga signs): keys sorted, no whitespace, UTF-8, non-ASCII characters written as themselves,
numbers as Python writes them; exactly `json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False, allow_nan=False).encode("utf-8")`. It is close to RFC 8785 (JCS) and equal to it for every
object Jirga makes (integers, and floats that round-trip in their shortest form).

The strict reader refuses what two JSON parsers could read differently, so that what a receiver verifies is what
every other reader of the same bytes sees: a key repeated in one object (parsers keep the first or the last),
NaN and Infinity (not JSON), lone surrogates (not Unicode), nesting deeper than `MAX_DEPTH`.
"""

from __future__ import annotations

import json
from typing import Any

from jirga.errors import BadInput

MAX_DEPTH = 40  # a Jirga incident nests about 9 deep (extensions, claims, a figure's mentions)


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of `value`; BadInput if it holds something JSON cannot carry."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput("a string holds a lone surrogate (not valid Unicode)") from None
    except ValueError as error:
        raise BadInput(f"not JSON: {error}") from None


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadInput(f"the key {key[:60]!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise BadInput(f"{name} is not a JSON number")


DECODER = json.JSONDecoder(object_pairs_hook=_no_repeats, parse_constant=_no_constant)


def loads(text: str, limit: int = MAX_DEPTH) -> Any:
    """Strictly parsed JSON (see the module's docstring), nested at most `limit` deep; BadInput saying why not."""
    try:
        value = DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise BadInput("not JSON that can be read: nested too deeply") from None
    except ValueError as error:  # a number of thousands of digits
        if isinstance(error, BadInput):
            raise
        raise BadInput(f"not JSON that can be read: {error}") from None
    check_depth(value, limit)
    return value


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (a scalar is 0); stops counting past MAX_DEPTH + 1."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    if depth(value) > limit:
        raise BadInput(f"nested more than {limit} deep")
