"""A trainee's coding as the web form gives it, and where the gold's answers stand in the report's text.

The trainee fills the analysts' hand-coding form (without the extractor's suggestions) once per incident; each
filled form becomes one item of a coding in the form `jirga extract` writes, so it is scored like any other. The
gold file carries no character spans, so the feedback marks where the gold's answers are written in the text: the
place, the figures and the groups (under any of their listed spellings), as a reader would find them.
"""

from __future__ import annotations

import datetime as dt
import re

from jirga.errors import CodingError
from jirga.store.coding import people_count
from jirga.train.names import group_spellings

FORM_FIELDS = ("kind", "date", "place", "country", "attack_type", "perpetrators", "claimed_by", "killed_low",
               "killed_best", "killed_high", "injured_low", "injured_best", "injured_high")
KINDS = ("attack", "security_operation", "meeting")
MAX_ITEMS = 50


def _period(value: str) -> dict | None:
    value = value.strip()
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}", value):
            return {"start": f"{value}-01-01", "end": f"{value}-12-31"}
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = map(int, value.split("-"))
            start = dt.date(year, month, 1)
            end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            return {"start": start.isoformat(), "end": end.isoformat()}
        return {"start": dt.date.fromisoformat(value).isoformat(), "end": dt.date.fromisoformat(value).isoformat()}
    except ValueError:
        raise CodingError(f"date: YYYY-MM-DD, YYYY-MM or YYYY, not {value[:20]!r}") from None



def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(";") if name.strip()]


def incident_from_form(form: dict[str, str]) -> dict:
    """One filled form as one coded item; CodingError naming the field where it cannot be one."""
    kind = (form.get("kind") or "attack").strip()
    if kind not in KINDS:
        raise CodingError(f"kind: one of {', '.join(KINDS)}, not {kind[:40]!r}")
    place = (form.get("place") or "").strip()
    country = (form.get("country") or "").strip().upper()
    if not place and not country:
        raise CodingError("place: name the place (and its country) where it happened")
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise CodingError(f"country: a two-letter code such as PK, not {country[:10]!r}")
    item: dict = {"kind": kind, "place": {"name": place or None, "country": country or None},
                  "date": _period(form.get("date") or "")}
    if (form.get("attack_type") or "").strip():
        item["attack_type"] = form["attack_type"].strip()
    for toll in ("killed", "injured"):
        low, best, high = (people_count(form.get(f"{toll}_{part}") or "", f"{toll} ({part})") for part in
                           ("low", "best", "high"))
        if low is not None and high is not None and low > high:
            raise CodingError(f"{toll}: the low figure {low} is above the high one {high}")
        if any(v is not None for v in (low, best, high)):
            item[toll] = {"low": low, "best": best if best is not None else low, "high": high}
    item["perpetrator"] = _names(form.get("perpetrators") or "")
    item["claimed_by"] = _names(form.get("claimed_by") or "")
    return item


def has_content(form: dict[str, str]) -> bool:
    return any((form.get(name) or "").strip() for name in FORM_FIELDS if name != "kind")


# ---- where the gold's answers are written --------------------------------------------------------------------

def gold_terms(gold: dict) -> list[str]:
    """The words a reader would look for: every gold item's place, figures and groups."""
    terms: set[str] = set()
    for group in ("incidents", "meetings"):
        for section in ("required", "optional"):
            for item in (gold.get(group) or {}).get(section) or []:
                place = item.get("place") or {}
                terms.update(str(place[k]) for k in ("city", "district") if place.get(k))
                terms.update(str(c) for c in place.get("cities") or [])
                for toll in ("killed", "injured"):
                    if isinstance(item.get(toll), dict) and item[toll].get("value") is not None:
                        terms.add(str(item[toll]["value"]))
                for key in ("claimed_by", "perpetrator"):
                    for name in item.get(key) or []:
                        terms.update(group_spellings(str(name)))
    return sorted(terms, key=len, reverse=True)


def marked_segments(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """The text cut into (piece, is a gold answer) so a template can mark the answers without trusting markup."""
    words = [re.escape(t) for t in terms if len(t) >= 2]
    if not words:
        return [(text, False)]
    pattern = re.compile(r"(?<![\w])(" + "|".join(words) + r")(?![\w])", re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append((text[last:match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    pieces.append((text[last:], False))
    return [p for p in pieces if p[0]]
