"""One coded item against one gold item, field by field, each verdict explained in words.

The fields and their rules (the shared scorer's, ../shared/tools/score_extraction.py, so that totals agree):

| field          | right when                                                                                 |
|----------------|--------------------------------------------------------------------------------------------|
| place          | same country; and the gold's city or district (or one of its cities) among the coded place's names |
| date           | a day: the coded range holds it and spans at most a day; `within`: the coded range lies in it; |
|                | a month: same month, a range of at most 31 days; a year: same year                         |
| killed/injured | the coded best figure (else the low one) within 2% of the gold's, and never further than 1 |
| claimed_by,    | exactly the gold's groups, a branch (ISKP) counting as its parent where the gold names the  |
| perpetrator    | parent                                                                                     |
| attack_type    | the same type, spelled either way ("suicide_bombing", "Suicide bombing")                  |
| participants   | every gold participant among the coded ones                                                |
| victims        | (only where the gold gives them) each gold category's figure, by the rule for figures      |

Place decides whether two items may be paired at all; the other fields are what a paired item gets right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jirga.train.names import fold, group_name, place_spellings, same_groups, standing_for

# The fields the shared scorer counts, in its order; `victims` is ours and kept out of its totals.
SCORED_FIELDS = ("date", "killed", "injured", "claimed_by", "perpetrator", "attack_type", "participants")
EXTRA_FIELDS = ("victims",)
QUALIFIER_WORDS = {"about": "about", "over": "more than", "at_least": "at least", "under": "fewer than",
                   "at_most": "at most", "nearly": "nearly", "dozens": "dozens"}


@dataclass(frozen=True)
class Check:
    """One field of one paired item: right or not, and why not in words."""

    field: str
    ok: bool
    why: str = ""

    def as_dict(self) -> dict:
        return {"field": self.field, "ok": self.ok, "why": self.why}


# ---- places ---------------------------------------------------------------------------------------------------

def coded_place_names(place: dict | None) -> set[str]:
    names: set[str] = set()
    for key in ("name", "city", "district", "province", "admin1", "admin2"):
        if (place or {}).get(key):
            names |= place_spellings(place[key])
    return names


def same_place(coded: dict | None, gold: dict | None) -> bool:
    if not gold:
        return True
    coded = coded or {}
    if gold.get("country") and fold(coded.get("country", "")) != fold(gold["country"]):
        return False
    wanted = gold.get("city") or gold.get("district")
    if not wanted and gold.get("cities"):
        return bool(coded_place_names(coded) & set().union(*(place_spellings(c) for c in gold["cities"])))
    return not wanted or bool(place_spellings(wanted) & coded_place_names(coded))


def describe_place(place: dict | None) -> str:
    if not place:
        return "no place"
    name = (place.get("city") or place.get("district") or place.get("name") or ", ".join(place.get("cities") or [])
            or place.get("province"))
    country = place.get("country")
    if name and country:
        return f"{name} ({country})"
    return str(name or country or "no place")


# ---- dates ----------------------------------------------------------------------------------------------------

def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_right(coded: dict | None, gold: object) -> bool:
    if gold is None:
        return True
    if not coded:
        return False
    start, end = _day(coded.get("start")), _day(coded.get("end") or coded.get("start"))
    if start is None:
        return False
    if isinstance(gold, (str, dt.date)):
        day = _day(gold)
        return start <= day <= end and (end - start).days <= 1
    if "within" in gold:
        first, last = (_day(d) for d in gold["within"])
        return first <= start and end <= last + dt.timedelta(days=1)
    if "month" in gold:
        return (start.year, start.month) == (gold["year"], gold["month"]) and (end - start).days <= 31
    if "year" in gold:
        return start.year == gold["year"]
    return True


def describe_date(gold: object) -> str:
    if isinstance(gold, (str, dt.date)):
        return str(gold)[:10]
    if not isinstance(gold, dict):
        return "no date"
    if "within" in gold:
        return f"between {gold['within'][0]} and {gold['within'][1]}"
    if "month" in gold:
        return dt.date(int(gold["year"]), int(gold["month"]), 1).strftime("%B %Y")
    return str(gold.get("year", "no date"))


def describe_coded_date(coded: dict | None) -> str:
    if not coded or not coded.get("start"):
        return ""
    start, end = str(coded["start"])[:10], str(coded.get("end") or coded["start"])[:10]
    return start if start == end else f"{start} to {end}"


# ---- figures --------------------------------------------------------------------------------------------------

def figure_right(coded: dict | None, gold: dict | None) -> bool:
    if gold is None:
        return True
    if not coded:
        return False
    value = coded.get("best", coded.get("low"))
    return value is not None and abs(float(value) - float(gold["value"])) <= max(1.0, 0.02 * gold["value"])


def describe_figure(gold: dict) -> str:
    qualifier = gold.get("qualifier")
    return f"{gold['value']} ({QUALIFIER_WORDS.get(qualifier, qualifier)})" if qualifier else str(gold["value"])


def _coded_figure(coded: dict | None) -> str:
    if not coded:
        return ""
    value = coded.get("best", coded.get("low"))
    return "" if value is None else str(value)


# ---- the checks -----------------------------------------------------------------------------------------------

def _figure_check(name: str, coded: dict | None, gold: dict | None) -> Check:
    if figure_right(coded, gold):
        return Check(name, True)
    got = _coded_figure(coded)
    said = f"you coded {got}" if got else "not coded"
    return Check(name, False, f"{name}: {said}, gold {describe_figure(gold)}")


def _groups_check(name: str, coded: list, gold: list) -> Check:
    if same_groups(coded, gold):
        return Check(name, True)
    wanted = {group_name(g) for g in gold}
    got = {standing_for(g, wanted) for g in coded}
    noun = "claim by" if name == "claimed_by" else "perpetrator"
    words = [f"missing {noun} {g}" for g in sorted(wanted - got)]
    words += [f"{noun} {g} is not in the gold" for g in sorted(got - wanted)]
    return Check(name, False, "; ".join(words))


def _victims_check(coded: dict | None, gold: dict) -> Check:
    """Gold `victims: {killed: {civilians: {value: 24}}}` against the coded breakdown of the same shape."""
    wrong = []
    for toll, categories in gold.items():
        for category, figure in (categories or {}).items():
            got = ((coded or {}).get(toll) or {}).get(category)
            if not figure_right(got, figure):
                said = _coded_figure(got) or "not coded"
                wrong.append(f"{category} {toll}: you coded {said}, gold {describe_figure(figure)}"
                             if got else f"{category} {toll}: not coded, gold {describe_figure(figure)}")
    return Check("victims", not wrong, "; ".join(wrong))


def field_checks(coded: dict, gold: dict, *, extras: bool = True) -> list[Check]:
    """Every field the gold item gives, checked against the coded item."""
    checks = []
    if "date" in gold:
        ok = date_right(coded.get("date"), gold["date"])
        got = describe_coded_date(coded.get("date"))
        checks.append(Check("date", ok, "" if ok else
                            f"date: {'you coded ' + got if got else 'not coded'}, gold {describe_date(gold['date'])}"))
    for name in ("killed", "injured"):
        if name in gold:
            checks.append(_figure_check(name, coded.get(name), gold[name]))
    for name in ("claimed_by", "perpetrator"):
        if name in gold:
            checks.append(_groups_check(name, coded.get(name) or coded.get(name + "s") or [], gold[name] or []))
    if "attack_type" in gold:
        ok = fold(coded.get("attack_type") or "") == fold(gold["attack_type"])
        got = (coded.get("attack_type") or "").replace("_", " ")
        checks.append(Check("attack_type", ok, "" if ok else
                            f"attack type: {'you coded ' + got if got else 'not coded'}, gold {gold['attack_type']}"))
    if "participants" in gold:
        got = {fold(p) for p in coded.get("participants") or []}
        missing = sorted(p for p in gold["participants"] if fold(p) not in got)
        checks.append(Check("participants", not missing, f"participants: missing {', '.join(missing)}" if missing
                            else ""))
    if extras and gold.get("victims"):
        checks.append(_victims_check(coded.get("victims"), gold["victims"]))
    return checks


def describe_gold_item(item: dict) -> list[tuple[str, str]]:
    """A gold item's fields in words, for a trainee to read beside their own coding."""
    shown = []
    for key, value in item.items():
        if key in ("kind", "precision") or value is None:
            continue
        if key == "place" and isinstance(value, dict):
            text = ", ".join(str(value[k]) for k in ("city", "district", "province", "country") if value.get(k))
        elif key == "date":
            text = describe_date(value)
        elif key in ("killed", "injured") and isinstance(value, dict) and "value" in value:
            text = describe_figure(value)
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        shown.append((key.replace("_", " "), text))
    return shown
