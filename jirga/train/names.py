"""Telling when two spellings name the same group or place: lenient on spelling, strict on facts.

A name is compared by its letters and digits only, in lower case ("Jamaat-ul-Ahrar" and "jamaat ul ahrar" are one);
beyond that, only the spellings listed in spellings.yaml count as the same name.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

SPELLINGS = Path(__file__).with_name("spellings.yaml")


def fold(text: object) -> str:
    """A name reduced to what spelling cannot change: lower-case letters and digits."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


@cache
def _spellings() -> dict:
    return yaml.safe_load(SPELLINGS.read_text(encoding="utf-8"))


@cache
def _group_names() -> dict[str, str]:
    """Every folded spelling of a listed group, to the gold's name of that group."""
    names = {}
    for gold_name, others in _spellings()["groups"].items():
        for spelling in (gold_name, *others):
            names[fold(spelling)] = gold_name
    return names


def group_name(name: object) -> str:
    """The gold's name for a group, or the name as given when it is not a listed spelling."""
    return _group_names().get(fold(name), str(name))


def group_spellings(name: str) -> list[str]:
    """Every listed spelling of the group `name` names (the name alone when it is not listed)."""
    gold_name = group_name(name)
    return [gold_name, *_spellings()["groups"].get(gold_name, [])] if gold_name in _spellings()["groups"] else [name]


def parent_of(group: str) -> str | None:
    return _spellings()["parents"].get(group)


def same_groups(coded: list | None, gold: list | None) -> bool:
    """The coded groups are exactly the gold's, where a branch coded in place of a parent the gold names counts as
    that parent."""
    wanted = {group_name(g) for g in gold or []}
    got = set()
    for group in (group_name(g) for g in coded or []):
        parent = parent_of(group)
        got.add(parent if parent in wanted else group)
    return got == wanted


def standing_for(coded: str, wanted: set[str]) -> str:
    """The gold group a coded one counts as: itself, or its parent where the gold names the parent."""
    group = group_name(coded)
    parent = parent_of(group)
    return parent if parent in wanted else group


def place_spellings(name: object) -> set[str]:
    """The folded spellings of a place name: the name itself and, for a listed place, all its transliterations."""
    key = fold(name)
    found = {key}
    for main, others in _spellings()["places"].items():
        if key == main or key in others:
            found |= {main, *others}
    return found
