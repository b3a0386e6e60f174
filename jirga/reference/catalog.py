"""Load the curated actor and public-figure catalogs (actors.yaml, people.yaml)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str  # armed_group | party | organisation
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    part_of: str | None = None
    splinter_of: str | None = None
    country: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    aliases: tuple[str, ...]
    role: str
    country: str | None = None
    actor: str | None = None
    source: str = ""


def _read_yaml(name: str) -> dict:
    return yaml.safe_load(resources.files("jirga.reference").joinpath(name).read_text(encoding="utf-8"))


@functools.cache
def load_actors() -> tuple[Actor, ...]:
    """The actor catalog, read once per process."""
    actors = []
    for row in _read_yaml("actors.yaml")["actors"]:
        actors.append(
            Actor(
                id=row["id"],
                name=row["name"],
                kind=row["kind"],
                aliases=tuple(dict.fromkeys([row["name"], *row.get("aliases", [])])),
                acronyms=tuple(row.get("acronyms", [])),
                part_of=row.get("part_of"),
                splinter_of=row.get("splinter_of"),
                country=row.get("country"),
                source=row.get("source", ""),
            )
        )
    _check_links(actors)
    return tuple(actors)


def _check_links(actors: list[Actor]) -> None:
    ids = {a.id for a in actors}
    if len(ids) != len(actors):
        raise ValueError("actors.yaml: duplicate actor id")
    for actor in actors:
        for link in (actor.part_of, actor.splinter_of):
            if link and link not in ids:
                raise ValueError(f"actors.yaml: {actor.id} links to unknown actor {link!r}")


def load_people() -> tuple[Person, ...]:
    return tuple(
        Person(
            name=row["name"],
            aliases=tuple(row.get("aliases", [])),
            role=row.get("role", ""),
            country=row.get("country"),
            actor=row.get("actor"),
            source=row.get("source", ""),
        )
        for row in _read_yaml("people.yaml")["people"]
    )


@functools.cache
def _parents() -> dict[str, str]:
    return {actor.id: actor.part_of for actor in load_actors() if actor.part_of}


def root_of(actor_id: str) -> str:
    """The group an actor is ultimately part of (ISKP -> Islamic State); the actor itself when it is part of none."""
    parents, seen = _parents(), {actor_id}
    while actor_id in parents and parents[actor_id] not in seen:  # the catalog has no cycles; never loop if it did
        actor_id = parents[actor_id]
        seen.add(actor_id)
    return actor_id
