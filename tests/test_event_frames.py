"""How real reporting's constructions become events: layout, individuation, places, tolls (docs/extraction-format.md).

Each text is our own, written in the style the rule answers; each test fails if the rule is removed.
"""

from __future__ import annotations

import datetime as dt

from jirga.extract import extract
from jirga.extract.layout import BULLET, BYLINE, CHROME, DATE_LINE, HEADLINE, SUBHEADING, read_layout
from jirga.extract.text import sentences

PUBLISHED = dt.date(2023, 3, 20)


def attacks(text: str, published: dt.date = PUBLISHED):
    return [i for i in extract(text, published).incidents if i.kind == "attack"]


def test_layout_roles():
    text = ("Bomb kills five in Quetta\n\nBy Our Correspondent\n\nQUETTA: A bomb went off near a police van on "
            "Sunday, killing five people.\n\nRescue under way\n\n- Five dead, twelve hurt\n\nShare this article\n\n"
            "12 March 2023 —\n\nA grenade hit a shop in Quetta.")
    spans = sentences(text)
    layout = read_layout(text, spans, [d for d in extract(text, PUBLISHED).incidents[0:0]], [])
    roles = dict(zip((text[s.start : s.end] for s in spans), layout.roles, strict=True))
    assert roles["Bomb kills five in Quetta"] == HEADLINE
    assert roles["By Our Correspondent"] == BYLINE
    assert roles["Rescue under way"] == SUBHEADING
    assert roles["- Five dead, twelve hurt"] == BULLET
    assert roles["Share this article"] == CHROME
    from jirga.extract.dates import find_dates

    dated = read_layout(text, spans, find_dates(text, PUBLISHED), [])
    assert dict(zip((text[s.start : s.end] for s in spans), dated.roles, strict=True))["12 March 2023 —"] == DATE_LINE


def test_quotations_keep_their_speaker():
    text = ('"Eleven policemen were killed in the attack," said Deputy Governor Reza Karimi. Police chief Ali Nouri '
            'said: "We will find them."')
    layout = read_layout(text, sentences(text), [], [])
    said = [(text[q.span.start : q.span.end], text[q.speaker.start : q.speaker.end]) for q in layout.quotations]
    assert said == [("Eleven policemen were killed in the attack,", "Deputy Governor Reza Karimi"),
                    ("We will find them.", "Ali Nouri")]


def test_a_timeline_dates_each_entry_by_the_line_above_it():
    text = ("Attacks on the convoy route: a timeline\n\n4 January 2023 —\nA roadside bomb hit a lorry near Turbat, "
            "killing two drivers.\n\n19 February 2023 —\nGunmen fired on a checkpoint in Panjgur, killing three "
            "policemen.")
    found = {(i.place.name, i.date.start) for i in attacks(text)}
    assert found == {("Turbat", dt.date(2023, 1, 4)), ("Panjgur", dt.date(2023, 2, 19))}


def test_a_bulletin_heading_dates_and_places_its_item():
    text = ("Weekly security digest\n\nPAKISTAN | Balochistan, Kech district | 8 March\nA bomb planted on a "
            "motorcycle exploded near a bus stop, killing four people.")
    (attack,) = attacks(text)
    assert (attack.place.name, attack.date.start, attack.killed.best) == ("Kech", dt.date(2023, 3, 8), 4)


def test_the_headline_retells_the_lead_and_a_country_in_it_places_nothing():
    text = ("Pakistan mourns after suicide attack kills 12\n\nPESHAWAR: A suicide bomber blew himself up at a "
            "mosque in Peshawar on Friday, killing 12 worshippers.")
    (attack,) = attacks(text)
    assert attack.place.name == "Peshawar" and attack.killed.best == 13  # 12 worshippers and the bomber


def test_an_earlier_attack_is_another_event_placed_where_the_report_is():
    text = ("QUETTA: A bomb killed six people in Quetta on Saturday, police said. Balochistan has seen many such "
            "attacks. In an earlier attack, eight policemen were killed when their truck was rammed.")
    events = attacks(text)
    assert len(events) == 2
    earlier = next(i for i in events if i.killed.best == 8)
    assert earlier.place.province == "Balochistan" and earlier.date is None


def test_a_dated_toll_without_an_event_word_opens_its_own_event():
    text = ("ZAHEDAN: Gunmen killed four border guards near Saravan on Tuesday, officials said. On 23 July, two "
            "policemen and four assailants were killed in the province.")
    tolls = sorted(i.killed.best for i in attacks(text))
    assert tolls == [4, 6]


def test_two_separate_bombings_in_two_places_are_two_events():
    text = "Last month, two separate suicide bombings near mosques in Mastung and Hangu left many people dead."
    assert sorted(i.place.name for i in attacks(text)) == ["Hangu", "Mastung"]


def test_counted_attacks_are_no_event():
    text = ("Islamabad (PR) – Nineteen terrorist attacks took place in the country in August, killing 14 people. "
            "These attacks also injured 51 people.")
    assert attacks(text) == []


def test_places_that_are_not_the_scene():
    text = ("KABUL - A suicide bomber struck a school in Logar province, some 70 kilometres south of Kabul, on "
            "Thursday, killing nine pupils, officials of the Logar health department said.")
    (attack,) = attacks(text)
    assert attack.place.name == "Logar"


def test_victim_lists_add_up_and_attackers_count():
    text = ("MIR ALI: A soldier and six militants were killed in a gunfight in North Waziristan on Monday, the "
            "military said.")
    (event,) = extract(text, PUBLISHED).incidents
    assert event.killed.best == 7
    victims = {(which, category): figure.best for which, category, figure in event.victims}
    assert victims == {("killed", "security_forces"): 1, ("killed", "militants"): 6}


def test_attackers_shot_dead_are_added_unless_the_total_holds_them():
    added = attacks("KARACHI: Gunmen killed 21 people at a college on Tuesday before troops shot all four "
                    "attackers dead.")
    assert added[0].killed.best == 25
    held = attacks("URUMQI: Forty-three people died in the market attack on Thursday, of whom four were the "
                   "attackers, police said.")
    assert held[0].killed.best == 43


def test_a_toll_killed_in_operations_belongs_to_the_operations():
    text = ("SEHWAN: A suicide bomber killed 88 people at the shrine on Thursday. Hours after the blast, the army said "
            "more than 100 militants had been killed in operations across the country.")
    (attack,) = attacks(text)
    assert attack.killed.best == 88  # the militants belong to the crackdown


def test_two_weeks_after_dates_the_other_event():
    text = ("ZAHEDAN: Gunmen killed four policemen on patrol in Saravan on 23 July. That came two weeks after two "
            "policemen and four assailants were killed in a shootout in the province.")
    other = next(i for i in attacks(text, dt.date(2023, 8, 1)) if i.killed.best == 6)
    assert other.date.start <= dt.date(2023, 7, 9) <= other.date.end


def test_explain_says_why_each_sentence_joined():
    text = ("QUETTA: A bomb went off near a police van in Quetta on Sunday, killing five people. The blast also "
            "wounded twelve passers-by.")
    (attack,) = attacks(text)
    assert attack.trail[0].startswith("sentence 1: opened it ('bomb went off' with place Quetta, date 'on Sunday'")
    assert any("refers back to it" in line for line in attack.trail[1:])


def test_an_attribution_with_an_adverb_or_a_belief_names_its_subject_or_the_group_last_named():
    lead = "A bomb killed four soldiers in Mastung on Monday. "
    for said in ("The Balochistan Liberation Army is believed to have been behind the attack, officials said.",
                 "The Balochistan Liberation Army was likely behind the attack, officials said."):
        (attack,) = attacks(lead + said)
        assert attack.perpetrator == ("Balochistan Liberation Army",)
    earlier = attacks("Lashkar-e-Jhangvi claimed the bombing of a bus in Quetta on 4 March 2023, police said. In "
                      "February, they were also behind the shooting of a shopkeeper in Mastung.")
    assert [a.perpetrator for a in earlier] == [(), ("Lashkar-e-Jhangvi",)]
    (unknown,) = attacks(lead + "Officials said they were not sure who was behind it.")
    assert unknown.perpetrator == ()


def test_a_claim_of_many_attacks_covers_the_one_named_as_among_them():
    (bombing,) = attacks("The TTP has claimed responsibility for the latest attacks on the police, including a "
                         "suicide bombing at a checkpoint in Bannu on 2 March 2023 that killed six officers.")
    assert [c.actor for c in bombing.claims if c.mode == "claimed"] == ["Tehrik-i-Taliban Pakistan"]
    (bombing,) = attacks("The TTP has claimed responsibility for the latest attacks on the police. A suicide bombing "
                         "at a checkpoint in Bannu on 2 March 2023 killed six officers.")
    assert bombing.claims == ()


def test_an_attack_overnight_is_dated_by_the_night_before_publication_not_a_later_aside():
    published = dt.date(2019, 11, 6)
    (attack,) = attacks("Gunmen attacked a border post in Tajikistan overnight, killing a guard, officials said on "
                        "Wednesday. The committee said the gunmen had crossed the border earlier this month.",
                        published)
    assert (attack.date.start, attack.date.end) == (dt.date(2019, 11, 5), published)
    text = ("Floods in Sindh\n\n- Army says 40 militants killed in raids across the country overnight\n\n"
            "KARACHI: Heavy rain flooded the city on Tuesday. Security forces killed 40 militants in an operation in "
            "North Waziristan on Monday, the army said.")
    assert len([i for i in extract(text, published).incidents if i.kind == "security_operation"]) == 1


def test_injuries_sustained_count_and_an_operations_toll_may_follow_in_the_next_sentence():
    (attack,) = attacks("A bomb exploded near a police van in Quetta on Monday, killing two policemen. Five passers-by "
                        "also sustained injuries.")
    assert (attack.killed.best, attack.injured.best) == (2, 5)
    (operation,) = extract("Security forces killed six militants in an operation in Mir Ali on Friday. During the "
                           "exchange of fire, eight terrorists also sustained injuries, the army said.",
                           PUBLISHED).incidents
    assert operation.kind == "security_operation" and (operation.killed.best, operation.injured.best) == (6, 8)
