"""The running consensus (`jirga.fuse.tally`) gives what the consensus of all the facts gives, whatever order the
facts come in and however often it is asked along the way."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jirga.fuse.consensus import Fact, consensus
from jirga.fuse.tally import Tally

DAY = dt.date(2016, 8, 9)
SOURCES = st.sampled_from(["AP", "Dawn", "Geo", "AFP"])


def figure(best, qualifier, **marks) -> dict:
    low, high = {"over": (best, None), "at_least": (best, None), "about": (None, None),
                 "nearly": (None, best)}.get(qualifier, (best, best))
    return {"low": low, "best": best, "high": high, "qualifier": qualifier, "text": str(best)} | marks


FIGURES = st.builds(
    lambda field, best, qualifier, revision, official, subset: (field, figure(
        best, qualifier, **({"revision": True} if revision else {}), **({"official": True} if official else {}),
        **({"subset": "civilians"} if subset else {}))),
    st.sampled_from(["killed", "injured"]), st.integers(0, 120),
    st.sampled_from([None, "over", "at_least", "about", "nearly"]), st.booleans(), st.booleans(),
    st.sampled_from([False, False, True]))
OTHERS = st.one_of(
    st.tuples(st.just("kind"), st.sampled_from(["attack", "arrest"])),
    st.tuples(st.just("attack_type"), st.sampled_from(["bombing", "suicide_bombing", "armed_assault", "unknown"])),
    st.tuples(st.just("target"), st.sampled_from([{"target_type": "police"}, {"target_type": "health"}, {}])),
    st.tuples(st.just("responsibility"), st.builds(lambda actor, mode: {"actor_id": actor, "mode": mode},
                                                   st.sampled_from(["ttp", "iskp", "bla"]),
                                                   st.sampled_from(["claimed", "claimed", "denied"]))),
    st.tuples(st.just("date"), st.builds(lambda day, precision: {"start": day, "end": day, "precision": precision},
                                         st.sampled_from(["2016-08-08", "2016-08-09"]),
                                         st.sampled_from(["day", "day", "week", "month"]))),
    st.tuples(st.just("place"), st.builds(lambda place, precision: {"gazetteer_id": place, "country": "PK",
                                                                    "name": place, "precision": precision},
                                          st.sampled_from(["quetta", "karachi", "balochistan"]),
                                          st.sampled_from(["city", "city", "province"]))),
)
FACTS = st.lists(st.tuples(st.one_of(FIGURES, OTHERS), SOURCES, st.sampled_from("ABCF"), st.integers(0, 3)),
                 max_size=30)


def facts_of(drawn) -> list[Fact]:
    """Facts as the store makes them: each of its own claim, a report per source and day."""
    return [Fact(name, value, source, reliability, DAY + dt.timedelta(day),
                 report_id=100 * day + "ABCDEFG".index(source[0]), claim_id=number + 1)
            for number, ((name, value), source, reliability, day) in enumerate(drawn)]


def without_notes(agreed):
    return dataclasses.replace(agreed, notes=[], superseded={})


@pytest.mark.slow  # 300 generated examples
@settings(max_examples=300, deadline=None)
@given(FACTS, st.randoms(use_true_random=False), st.integers(1, 5))
def test_a_tally_gives_the_consensus_of_all_its_facts(drawn, rnd, every):
    facts = facts_of(drawn)
    arriving = list(facts)
    rnd.shuffle(arriving)  # a later batch may bring an earlier report
    tally = Tally()
    for number, fact in enumerate(arriving, 1):
        tally.add(fact)
        if number % every == 0 or number == len(arriving):
            assert tally.consensus() == without_notes(consensus(arriving[:number]))


def test_an_earlier_figure_of_a_source_arriving_late_narrows_its_later_ones():
    later = Fact("killed", figure(130, "over"), "AP", "B", DAY + dt.timedelta(1), report_id=2, claim_id=2)
    earlier = Fact("killed", figure(141, "at_least"), "AP", "B", DAY, report_id=1, claim_id=1)
    tally = Tally()
    tally.add(later)
    tally.add(earlier)
    assert tally.consensus().killed == consensus([later, earlier]).killed == (141, 141, None)
