"""Reference data compiled for fast lookup: built once per process, then read-only."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from jirga.reference.catalog import Actor, Person, load_actors, load_people
from jirga.reference.gazetteer import load_gazetteer
from jirga.reference.names import PhraseIndex, skeleton

# Nationality adjectives and the country they point to (ISO 3166-1 alpha-2).
DEMONYMS = {
    "Afghan": "AF", "Afghani": "AF", "Pakistani": "PK", "Iranian": "IR", "Chinese": "CN", "Russian": "RU",
    "Indian": "IN", "Tajik": "TJ", "Tajikistani": "TJ", "Uzbek": "UZ", "Kyrgyz": "KG", "Turkmen": "TM",
    "Kazakh": "KZ", "Bangladeshi": "BD", "American": "US", "Syrian": "SY", "Iraqi": "IQ", "Saudi": "SA",
    "Turkish": "TR", "British": "GB", "Sri Lankan": "LK", "Nepali": "NP", "Nepalese": "NP", "Emirati": "AE",
    "Qatari": "QA", "French": "FR", "German": "DE", "Japanese": "JP", "Indonesian": "ID", "Malaysian": "MY",
    "Egyptian": "EG", "Jordanian": "JO", "Azerbaijani": "AZ",
}  # fmt: skip


@dataclass(frozen=True)
class FuzzyMatch:
    actor: Actor
    score: float


class Lexicon:
    """Everything the extractor looks names up in."""

    def __init__(self, actors: tuple[Actor, ...], people: tuple[Person, ...], gazetteer):
        self.actors = {a.id: a for a in actors}
        self.actor_index = PhraseIndex(
            [(alias, (a, "alias")) for a in actors for alias in a.aliases]
            + [(acronym, (a, "acronym")) for a in actors for acronym in a.acronyms]
        )
        self.people = people
        self.person_index = PhraseIndex([(n, p) for p in people for n in (p.name, *p.aliases)])
        self.places = tuple(place for place, _, _ in gazetteer)
        self.population = {place.gazetteer_id: pop for place, _, pop in gazetteer}
        self.place_index = PhraseIndex([(n, place) for place, names, _ in gazetteer for n in names])
        self.country_by_code = {p.country: p for p in self.places if p.kind == "country"}
        self.demonym_index = PhraseIndex(list(DEMONYMS.items()))
        self._fuzzy_keys = []
        self._fuzzy_actors = []
        for actor in actors:
            if actor.kind == "armed_group":
                for alias in actor.aliases:
                    self._fuzzy_keys.append(skeleton(alias))
                    self._fuzzy_actors.append(actor)

    def closest_group(self, name: str) -> FuzzyMatch | None:
        best = process.extractOne(skeleton(name), self._fuzzy_keys, scorer=Indel.normalized_similarity)
        if best is None:
            return None
        _, score, index = best
        return FuzzyMatch(self._fuzzy_actors[index], round(100 * score, 1))

    def parent_chain(self, actor_id: str) -> list[str]:
        chain, seen = [], set()
        while actor_id and actor_id not in seen:
            seen.add(actor_id)
            chain.append(actor_id)
            actor_id = self.actors[actor_id].part_of if actor_id in self.actors else None
        return chain



@functools.cache
def default_lexicon() -> Lexicon:
    return Lexicon(load_actors(), load_people(), load_gazetteer())
