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
# A run of number words ("twenty-three", "one hundred and five"), or digits ("1,200"), or "a"/"an".
NUMBER = re.compile(
    rf"\b(?:{_WORD}(?:(?:[\s-]+|\s+and\s+){_WORD})*|\d{{1,3}}(?:,\d{{3}})+|\d+|an?)\b(?!-year|-month|\s*(?:%|per\s?cent|kilo|km|metre|year|month|day|hour|minute))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    value: int
    start: int  # offsets within the text searched
    end: int
    article: bool  # "a"/"an": one, but only where a count is expected


def parse(word: str) -> int | None:
    """The value of one number expression, or None."""
    text = word.strip().lower()
    if text in ("a", "an"):
        return 1
    if text.replace(",", "").isdigit():
        return int(text.replace(",", ""))
    try:
        return int(text2num(text.replace(" and ", " "), "en"))
    except ValueError:
        return None


def find(text: str) -> list[Number]:
    """Every number expression in `text`, left to right."""
    out = []
    for match in NUMBER.finditer(text):
        value = parse(match.group())
        if value is not None:
            out.append(Number(value, match.start(), match.end(), match.group().lower() in ("a", "an")))
    return out


COUNT_VERBS = {
    "fatalities_best": r"kill(?:ed|ing|s)?|died|dead|neutrali[sz]ed",
    "injured": r"injur(?:ed|ing)|wound(?:ed|ing)|hurt",
    "detained": r"arrest(?:ed|ing)?|detain(?:ed|ing)?",
    "released": r"releas(?:ed|ing)|freed|exchang(?:ed|ing)|swapp(?:ed|ing)",  # "exchanged 21 prisoners"
}
_VERB = re.compile("|".join(rf"(?P<{k.split('_')[0]}>\b(?:{v})\b)" for k, v in COUNT_VERBS.items()), re.I)
_FIELD = {k.split("_")[0]: k for k in COUNT_VERBS}
_QUALIFIER = r"(?:(?:at least|more than|about|some|around|nearly|over|up to|another|all)\s+)?"
_ACTIVE = re.compile(rf"^\s*[\"'“‘]?\s*{_QUALIFIER}(?P<n>{NUMBER.pattern})")
_WITH = re.compile(rf"^\s+(?:that|the|a|an)\s+[\w\s-]{{0,30}}?\bwith\s+(?P<n>{NUMBER.pattern})")
_AND = re.compile(rf"^[^,;]*?\band\s+(?P<n>{NUMBER.pattern})\s+(?!others?\b)[\w-]+(?:\s+[\w-]+)?\s*(?:[,.;]|$)")
_AUX = re.compile(r"\b(?:were|was|been|are|is|had|have|has|being)\s+(?:\w+\s+)?$", re.I)
_CUT = re.compile(r"\b(?:including|among them|among whom|of whom)\b", re.I)
_ZERO = (
    (re.compile(r"\bno (?:deaths|fatalities)\b|\bno one was killed\b", re.I), ("fatalities_best",)),
    (
        re.compile(r"\bno casualties were reported\b|\bno one was (?:hurt|injured)\b", re.I),
        ("fatalities_best", "injured"),
    ),
)


@dataclass(frozen=True)
class Count:
    field: str  # fatalities_best, injured, detained or released
    value: int


def counts(text: str) -> list[Count]:
    """What a clause counts: killed, injured, detained, released. Figures of the same kind in one clause
    add up ("two policemen and one attacker were killed" is 3); figures after "including" are a part."""
    totals: dict[str, int] = {}
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
            totals[field] = totals.get(field, 0) + value
    for pattern, fields in _ZERO:
        if pattern.search(text):
            for field in fields:
                totals.setdefault(field, 0)
    return [Count(field, value) for field, value in totals.items()]


def _active(after: str) -> int | None:
    """ "killed two fighters", "arrested that fighter with eleven others" (12)."""
    with_ = _WITH.match(after)
    if with_:
        return (parse(with_.group("n")) or 0) + 1
    match = _ACTIVE.match(after)
    if not match or re.match(r"\s*(?:of them|-year)", after[match.end() :]):
        return None
    value = parse(match.group("n")) or 0
    rest = after[match.end() :]
    more = _AND.match(rest)
    if more and not _VERB.search(rest[: more.end()]):
        value += parse(more.group("n")) or 0
    return value


def _passive(before: str) -> int | None:
    """ "two policemen and one attacker were killed" (3), "and 17 wounded", "four of them were released"."""
    segment = re.split(r"[,;:]|\b(?:when|after|while|as|and\s+(?=\w+ed\b))\b|" + _VERB.pattern, before)[-1]
    if not (_AUX.search(before) or re.search(rf"(?:{NUMBER.pattern})\s+(?:\w+\s+)?$", segment)):
        return None
    found = [n for n in find(segment) if not n.article]
    if not found:
        articles = [n for n in find(segment) if n.article]
        return 1 if articles and re.search(r"\bwas\s+(?:\w+\s+)?$", before) else None
    return sum(n.value for n in found)
