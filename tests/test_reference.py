"""The actor catalog and gazetteer resolve the names analysts meet in reporting."""

import pytest

from jirga.extract import extract
from jirga.reference.catalog import load_actors
from jirga.reference.lexicon import default_lexicon


def actors_in(text):
    return [(a.text, a.name, a.match) for a in extract(text).actors]


@pytest.mark.parametrize("alias", ["Da'ish", "Da’ish", "Daesh", "ISIS", "ISIL", "IS", "Islamic State",
                                   "Islamic State of Iraq and the Levant", "Amaq"])
def test_islamic_state_aliases_are_one_actor(alias):
    (found,) = extract(f"A statement from {alias} was released.").actors
    assert found.name == "Islamic State"


@pytest.mark.parametrize("alias", ["ISKP", "IS-K", "Wilayat-e-Khorasan", "Islamic State Khorasan Province",
                                   "Islamic State of Khorassan Province"])
def test_khorasan_province_is_a_province_of_islamic_state(alias):
    (found,) = extract(f"Officials blamed {alias} for the plot.").actors
    assert found.name == "Islamic State Khorasan Province"
    assert default_lexicon().parent_chain(found.id) == ["iskp", "islamic-state"]


def test_acronyms_match_only_as_written():
    assert extract("This is what it is.").actors == ()


def test_spelling_variants_resolve_fuzzily_and_say_so():
    (found,) = extract("Fighters of the Lashkar-e-Jhangwi were arrested.").actors
    assert found.name == "Lashkar-e-Jhangvi" and found.match == "fuzzy" and 88 <= found.score < 100


def test_unknown_group_is_kept_unresolved_with_a_suggestion():
    (found,) = extract("A new outfit calling itself Jaish-ul-Hind claimed it.").actors
    assert found.kind == "unresolved" and found.match == "unresolved"
    assert found.name == "Jaish-ul-Hind" and found.suggestion


def test_taliban_means_the_ttp_in_a_report_about_the_ttp():
    found = actors_in("Taliban gunmen attacked the school. The TTP said it was revenge.")
    assert found[0][1] == "Tehrik-i-Taliban Pakistan"


def test_party_names_are_not_places():
    result = extract("A rally of the Balochistan Awami Party was held.")
    assert [p.name for p, _, _ in result.places] == []


def test_catalog_links_are_consistent():
    ids = {a.id for a in load_actors()}
    for actor in load_actors():
        assert actor.part_of in ids | {None} and actor.splinter_of in ids | {None}
        assert actor.source


@pytest.mark.parametrize(
    ("text", "name", "kind", "country", "province"),
    [
        ("in Sayyad district of Sar-e-Pul", "Sayyad", "district", "AF", "Sar-e Pul"),
        ("in Mastung district", "Mastung", "district", "PK", "Balochistan"),
        ("in Quetta", "Quetta", "city", "PK", "Balochistan"),
        ("in Kabul", "Kabul", "city", "AF", "Kabul"),
        ("in Urumqi, Xinjiang", "Urumqi", "city", "CN", "Xinjiang"),
        ("in Konduz", "Kunduz", "city", "AF", "Kunduz"),
    ],
)
def test_places_geocode_with_precision(text, name, kind, country, province):
    places = [p for p, _, _ in extract(text).places]
    place = places[0]
    assert (place.name, place.kind, place.country) == (name, kind, country)
    assert province in (place.province, place.name)
    assert place.lat is not None and place.lon is not None


def test_nationality_words_are_not_places():
    assert [p.name for p, _, _ in extract("Kurdish and Uyghur fighters").places] == []


def test_public_figures_by_title_or_catalog_only():
    people = extract("Balochistan's home minister, Sarfraz Bugti, said Foreign Secretary Aizaz Chaudhry would visit. "
                     "A shopkeeper, Ali Raza, was hurt.").people
    assert [(p.name, p.role) for p in people] == [
        ("Sarfraz Bugti", "home minister"), ("Aizaz Chaudhry", "Foreign Secretary of Pakistan (2013-2017)")]


AFGHAN_PROVINCIAL_CAPITALS = [
    "Kabul", "Kandahar", "Herat", "Mazar-i-Sharif", "Jalalabad", "Kunduz", "Lashkar Gah", "Ghazni", "Pul-e-Alam",
    "Pul Alam", "Asadabad", "Mehtar Lam", "Gardez", "Khost", "Sharan", "Maidan Shahr", "Charikar",
    "Mahmud-i-Raqi", "Bazarak", "Parun", "Bamyan", "Nili", "Chaghcharan", "Qala-i-Naw", "Maymana", "Sheberghan",
    "Sar-e Pul", "Aibak", "Pul-i-Khumri", "Taloqan", "Faizabad", "Farah", "Zaranj", "Tarinkot", "Qalat",
]


@pytest.mark.parametrize("name", AFGHAN_PROVINCIAL_CAPITALS)
def test_every_afghan_provincial_capital_resolves(name):
    from jirga.reference.gazetteer import find_place

    place = find_place(name, "AF")
    assert place.kind == "city" and place.lat is not None


@pytest.mark.parametrize(
    ("name", "country", "province"),
    [
        ("Reasi", "IN", "Jammu and Kashmir"), ("Kupwara", "IN", "Jammu and Kashmir"),
        ("Dantewada", "IN", "Chhattisgarh"), ("Imphal West", "IN", "Manipur"),
        ("Wushi County", "CN", "Xinjiang"), ("Uqturpan", "CN", "Xinjiang"), ("Yarkant", "CN", "Xinjiang"),
        ("Lop County", "CN", "Xinjiang"), ("Pishan", "CN", "Xinjiang"),
    ],
)
def test_indian_districts_and_xinjiang_counties_resolve(name, country, province):
    from jirga.reference.gazetteer import find_place

    place = find_place(name, country)
    assert place.province == province


@pytest.mark.parametrize(
    ("text", "name", "kind", "country"),
    [
        ("in the town of Rask", "Rask", "city", "IR"),
        ("in Jammu and Kashmir's Reasi district", "Reasi", "district", "IN"),
        ("near a park in Wushi County", "Wushi", "district", "CN"),
        ("in Pul Alam, the provincial capital", "Pul-e 'Alam", "city", "AF"),
    ],
)
def test_towns_and_districts_reporting_names(text, name, kind, country):
    place = [p for p, _, _ in extract(text).places][-1]
    assert (place.name, place.kind, place.country) == (name, kind, country)


@pytest.mark.parametrize("word", ["Bay", "Kim", "Korea", "South East", "Krishna District", "Ramin", "Khan Ali"])
def test_stopwords_are_not_gazetteer_names(word):
    from jirga.reference.gazetteer import load_gazetteer
    from jirga.reference.names import match_key

    names = {match_key(n) for place, known, _ in load_gazetteer() if place.country in ("IN", "CN", "TJ", "AF")
             for n in known}
    if word.endswith("District"):
        assert match_key(word) in names and match_key(word.split()[0]) not in names
    else:
        assert match_key(word) not in names


# Coverage of the region's armed groups: names and spellings reporting uses resolve to one canonical group.
@pytest.mark.parametrize("written, name", [
    ("Hafiz Gul Bahadur group", "Hafiz Gul Bahadur group"),
    ("Gul Bahadur faction", "Hafiz Gul Bahadur group"),
    ("Jaish-e-Fursan-e-Muhammad", "Jaish-e-Fursan-e-Muhammad"),
    ("Jaamat-ul-Ahrar", "Jamaat-ul-Ahrar"),
    ("Hizb-ul-Ehrar", "Hizbul Ahrar"),
    ("Tehrik-e-Jihad Pakistan", "Tehreek-e-Jihad Pakistan"),
    ("Fitna al-Khawarij", "Tehrik-i-Taliban Pakistan"),
    ("Ittehad-ul-Mujahideen Pakistan", "Ittehad-ul-Mujahideen Pakistan"),
    ("Ahle Sunnat Wal Jamat", "Sipah-e-Sahaba Pakistan"),
    ("Sipah-e-Mohammad Pakistan", "Sipah-e-Muhammad Pakistan"),
    ("Lashkar-e-Balochistan", "Lashkar-e-Balochistan"),
    ("Baloch Republican Guards", "Baloch Republican Guards"),
    ("Jaish al-Zolm", "Jaish ul-Adl"),
    ("Jaish-e-Adl", "Jaish ul-Adl"),
    ("Harakat Ansar Iran", "Harakat Ansar Iran"),
    ("The Resistance Front", "The Resistance Front"),
    ("PAFF", "People's Anti-Fascist Front"),
    ("Kashmir Tigers", "Kashmir Tigers"),
    ("Harkat-ul-Mujahideen", "Harkat-ul-Mujahideen"),
    ("Al-Badr Mujahideen", "Al-Badr"),
    ("CPI (Maoist)", "Communist Party of India (Maoist)"),
    ("ULFA-I", "United Liberation Front of Asom (Independent)"),
    ("NSCN (IM)", "National Socialist Council of Nagaland (Isak-Muivah)"),
    ("HuJI-B", "Harkat-ul-Jihad al-Islami Bangladesh"),
    ("Neo-JMB", "Neo-JMB"),
    ("Ansarullah Bangla Team", "Ansar al-Islam (Bangladesh)"),
    ("Tajik Taliban", "Jamaat Ansarullah"),
    ("Katibat Imam Bukhari", "Katibat Imam al-Bukhari"),
    ("Turkestan Islamic Party", "East Turkestan Islamic Movement"),
    ("National Resistance Front", "National Resistance Front of Afghanistan"),
    ("Afghanistan Freedom Front", "Afghanistan Freedom Front"),
    ("Hezb-i-Islami", "Hezb-e-Islami Gulbuddin"),
    ("al-Qa'ida", "al-Qaeda"),
])
def test_regional_groups_resolve_to_their_canonical_name(written, name):
    (found,) = extract(f"Officials said {written} was behind the attack.").actors
    assert found.name == name and found.kind == "armed_group" and found.match in ("alias", "acronym")


@pytest.mark.parametrize("child, link, parent", [
    ("trf", "part_of", "let"), ("paff", "part_of", "jem"), ("kashmir-tigers", "part_of", "jem"),
    ("huji-b", "part_of", "huji"), ("neo-jmb", "splinter_of", "jmb"), ("ulfa-i", "splinter_of", "ulfa"),
    ("nscn-im", "splinter_of", "nscn"), ("nscn-k", "splinter_of", "nscn"),
    ("jaish-ul-adl", "splinter_of", "jundallah-iran"),
    ("ansar-ghazwat-ul-hind", "splinter_of", "hizbul-mujahideen"), ("hizbul-ahrar", "splinter_of", "jamaat-ul-ahrar"),
    ("jamaat-ul-ahrar", "splinter_of", "ttp"), ("lej-alami", "splinter_of", "lej"),
    ("iskp", "part_of", "islamic-state"),
])
def test_parent_and_splinter_links(child, link, parent):
    actors = {a.id: a for a in load_actors()}
    assert getattr(actors[child], link) == parent


def test_a_front_rolls_up_to_its_parent():
    (found,) = extract("TRF claimed the ambush.").actors
    assert default_lexicon().parent_chain(found.id) == ["trf", "let"]


@pytest.mark.parametrize("text", [
    # AFF: football federations, not the Afghanistan Freedom Front
    "The AFF Championship final drew a record crowd.",
    "CPI inflation eased to 4 percent in March.",            # CPI alone is no armed group
    "The hum of the generators kept residents awake.",       # HuM matches only as written
    "She works for the IM desk of the bank.",                 # IM (Indian Mujahideen) is left out
])
def test_ambiguous_acronyms_are_not_groups_in_ordinary_text(text):
    assert [a for a in extract(text).actors if a.kind == "armed_group"] == []


def test_communist_parties_are_not_the_maoists():
    found = actors_in("The CPI(M) and the CPI condemned the attack by CPI (Maoist) cadres.")
    assert [name for _, name, _ in found] == [
        "Communist Party of India (Marxist)", "Communist Party of India", "Communist Party of India (Maoist)"]


def test_every_alias_and_acronym_belongs_to_one_actor():
    from jirga.reference.names import name_key

    owners = {}
    for actor in load_actors():
        for alias in actor.aliases:
            owners.setdefault(name_key(alias), set()).add(actor.id)
        for acronym in actor.acronyms:
            owners.setdefault(("acronym", acronym), set()).add(actor.id)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
