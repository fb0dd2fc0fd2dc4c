"""Counts in digits and in words ("20", "eleven", "twenty-three", "an"), with their offsets.

Number words are converted by text2num (a maintained parser of number words); this module only finds
where they are and what they count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand"
).split()
_WORD = r"(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_ONE = rf"(?:{_WORD}(?:(?:[\s-]+|\s+and\s+){_WORD})*|\d{{1,3}}(?:,\d{{3}})+|\d+)"
# A range ("between 20 and 25", "20-25", "two to fifteen"), a run of number words ("twenty-three", "one
# hundred and five"), digits ("1,200"), or "a"/"an"/"another".
_RANGE = re.compile(rf"(?:between\s+({_ONE})\s+and\s+({_ONE})|(\d+)\s*[-–]\s*(\d+)|({_ONE})\s+to\s+({_ONE}))", re.I)
NUMBER = re.compile(
    rf"\b(?:{_RANGE.pattern}|{_ONE}|an?|another)\b(?!-year|-month|\s*(?:%|per\s?cent|kilo|km|metre|year|month|day|hour|minute))",
    re.IGNORECASE,
)
_ARTICLES = ("a", "an", "another")  # one, where a count is expected: "another police officer was killed"
_NO = re.compile(r"\bno\s+$", re.I)  # "no one was hurt": a zero, not one


@dataclass(frozen=True)
class Number:
    value: int
    start: int  # offsets within the text searched
    end: int
    article: bool  # "a"/"an": one, but only where a count is expected
    high: int  # the top of a range ("20-25"); the value itself otherwise


def _single(text: str) -> int | None:
    if text in _ARTICLES:
        return 1
    if text.replace(",", "").isdigit():
        return int(text.replace(",", ""))
    try:
        return int(text2num(text.replace(" and ", " "), "en"))
    except ValueError:
        return None


def bounds(word: str) -> tuple[int, int] | None:
    """The low and high value of one number expression ("20-25" is (20, 25), "22" is (22, 22)), or None."""
    text = " ".join(word.strip().lower().split())
    match = _RANGE.fullmatch(text)
    if match:
        low, high = (_single(g) for g in match.groups() if g)
        if low is not None and high is not None and low < high:
            return low, high
        return None
    value = _single(text)
    return None if value is None else (value, value)


def parse(word: str) -> int | None:
    """The value of one number expression (the low end of a range), or None."""
    found = bounds(word)
    return found[0] if found else None


def find(text: str) -> list[Number]:
    """Every number expression in `text`, left to right; "no one" is not a number."""
    out = []
    for match in NUMBER.finditer(text):
        found = bounds(match.group())
        if found is not None and not _NO.search(text, 0, match.start()):
            low, high = found
            out.append(Number(low, match.start(), match.end(), match.group().lower() in _ARTICLES, high))
    return out


COUNT_VERBS = {
    "fatalities_best": r"kill(?:ed|ing|s)?|died|dead|neutrali[sz]ed|executed|massacred|beheaded|(?:the )?deaths? of",
    # "125 people were being treated at various hospitals": the wounded; "treated for shock" is not a wound
    "injured": r"injur(?:ed|ing)|wound(?:ed|ing)|hurt|treated (?:at|in) (?:[a-z]+ )?hospitals?|hospitali[sz]ed",
    "detained": r"arrest(?:ed|ing)?|detain(?:ed|ing)?",
    "released": r"releas(?:ed|ing)|freed|exchang(?:ed|ing)|swapp(?:ed|ing)",  # "exchanged 21 prisoners"
}
_VERB = re.compile("|".join(rf"(?P<{k.split('_')[0]}>\b(?:{v})\b)" for k, v in COUNT_VERBS.items()), re.I)
_FIELD = {k.split("_")[0]: k for k in COUNT_VERBS}
_QUALIFIER = r"(?:(?P<q>at least|more than|about|some|around|nearly|almost|over|up to|another|all)\s+)?"
# "nearly 60", "up to 25": a ceiling, not a count (README: "at least N" gives N; a figure below N gives no best).
_CEILING = re.compile(r"\b(?:nearly|almost|up to)\s+$", re.I)
_ACTIVE = re.compile(rf"^\s*[\"'“‘]?\s*{_QUALIFIER}(?P<n>{NUMBER.pattern})")
_WITH = re.compile(rf"^\s+(?:that|the|a|an)\s+[\w\s-]{{0,30}}?\bwith\s+(?P<n>{NUMBER.pattern})")
_AND = re.compile(rf"^[^,;]*?\band\s+(?P<n>{NUMBER.pattern})\s+(?!others?\b)[\w-]+(?:\s+[\w-]+)?\s*(?:[,.;]|$)")
_AUX = re.compile(r"\b(?:were|was|been|are|is|had|have|has|being)\s+(?:\w+\s+)?$", re.I)
_CUT = re.compile(r"\b(?:including|among them|among whom|of whom)\b", re.I)
# Zeros the text states: "no casualties were reported", "no one was hurt", "without injuries". What the
# words deny says which counts are zero: casualties and hurt both, deaths the dead, injuries the injured.
# "No immediate reports of casualties" is silence, not a zero: it is not read as one.
_ZERO = re.compile(
    r"\b(?:no|without(?:\s+any)?)\s+(?P<noun>casualties|deaths|fatalities|injuries|dead|injured)\b(?!\s+figures)"
    r"|\b(?:no\s*one|nobody|none)\s+(?:\w+\s+){0,2}?(?:was|were|had\s+been|has\s+been|got)\s+(?P<verb>killed|hurt|injured|wounded|harmed)\b",
    re.I,
)
_ZERO_FIELDS = {
    "casualties": ("fatalities_best", "injured"),
    "hurt": ("fatalities_best", "injured"),
    "harmed": ("fatalities_best", "injured"),
    "deaths": ("fatalities_best",),
    "fatalities": ("fatalities_best",),
    "dead": ("fatalities_best",),
    "killed": ("fatalities_best",),
    "injuries": ("injured",),
    "injured": ("injured",),
    "wounded": ("injured",),
}


@dataclass(frozen=True)
class Count:
    field: str  # fatalities_best, injured, detained or released
    value: int  # the low end when the text gives a range
    high: int
    ceiling: bool = False  # "nearly 60": only the high end is known


def counts(text: str) -> list[Count]:
    """What a clause counts: killed, injured, detained, released. Figures of the same kind in one clause
    add up ("two policemen and one attacker were killed" is 3); figures after "including" are a part; a
    range ("between 20-25") keeps both ends; a zero the text states is a count of 0."""
    totals: dict[str, tuple[int, int]] = {}
    ceilings: set[str] = set()
    cut = _CUT.search(text)
    for verb in _VERB.finditer(text):
        field = _FIELD[verb.lastgroup or ""]
        if cut and verb.start() > cut.start() and not re.search(r"[,;]", text[cut.start() : verb.start()]):
            continue
        if re.search(r"\bthe\s+$", text[: verb.start()], re.I):
            continue  # "the arrested 20 members": an adjective, the count belongs to a later verb
        value = _active(text[verb.end() :]) if verb.group().lower() not in ("died", "dead") else None
        if value is None:
            value = _passive(text[: verb.start()])
        if value is not None:
            low, high = totals.get(field, (0, 0))
            totals[field] = (low + value[0], high + value[1])
            if value[2]:
                ceilings.add(field)
    for zero in _ZERO.finditer(text):
        for field in _ZERO_FIELDS[(zero.group("noun") or zero.group("verb")).lower()]:
            totals.setdefault(field, (0, 0))
    return [Count(field, low, high, field in ceilings) for field, (low, high) in totals.items()]


def _active(after: str) -> tuple[int, int, bool] | None:
    """ "killed two fighters", "arrested that fighter with eleven others" (12), "killed nearly 60" (a ceiling)."""
    with_ = _WITH.match(after)
    if with_:
        low, high = bounds(with_.group("n")) or (0, 0)
        return low + 1, high + 1, False
    match = _ACTIVE.match(after)
    if not match or re.match(r"\s*-year", after[match.end() :]):
        return None
    low, high = bounds(match.group("n")) or (0, 0)
    rest = after[match.end() :]
    more = _AND.match(rest)
    if more and not _VERB.search(rest[: more.end()]):
        add = bounds(more.group("n")) or (0, 0)
        low, high = low + add[0], high + add[1]
    return low, high, (match.group("q") or "").lower() in ("nearly", "almost", "up to")


def _passive(before: str) -> tuple[int, int, bool] | None:
    """ "two policemen and one attacker were killed" (3), "and 17 wounded", "four of them were released",
    "Twenty Islamic State militants killed" (a headline: no auxiliary verb)."""
    if re.search(r"\band\s+$", before) and _VERB.search(before):
        return None  # "killed at least 100 people and injured dozens": the 100 are the killed
    segment = re.split(r"[,;:]|\b(?:when|after|while|as|and\s+(?=\w+ed\b))\b|" + _VERB.pattern, before)[-1]
    if not (
        _AUX.search(before) or re.search(rf"(?:{NUMBER.pattern})\s+(?:[A-Za-z][\w'’-]*\s+){{0,3}}$", segment, re.I)
    ):
        return None
    found = [n for n in find(segment) if not n.article]
    if not found:
        articles = [n for n in find(segment) if n.article]
        return (1, 1, False) if articles and re.search(r"\bwas\s+(?:\w+\s+)?$", before) else None
    ceiling = any(_CEILING.search(segment, 0, n.start) for n in found)
    return sum(n.value for n in found), sum(n.high for n in found), ceiling
