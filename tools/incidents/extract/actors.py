"""Actors named in a report: matched against the dataset's own actors and their aliases (so matching
improves as the dataset grows), and new names proposed as new actors for a coder to confirm.

Generic words ("soldiers", "police", "civilians", "gunmen") become the standard names ACLED-style
datasets use for them, with the report's country: "Military Forces of Mali", "Civilians (Mali)"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Found:
    name: str  # canonical name: the dataset's, or the one proposed
    actor_id: str | None  # None: a new actor to propose
    actor_type: str
    start: int  # offsets within the text searched
    end: int
    alias: str | None = None  # an acronym or other spelling seen beside the new name


_ORG_WORDS = (
    r"Forces?|Army|Police|Units|Front|Movement|Brigades?|Division|Group|Militias?|Party|Cartel|Committees?"
    r"|Guards?|Task Force|Department|Directorate|Province|Alliance|Council|Organi[sz]ation|Emirate|Battalion"
)
_ORG = re.compile(
    rf"\b(?:[Tt]he\s+)?((?:[A-Z][\w'’-]*\s+)(?:(?:of|the|for|al|and)\s+|[A-Z][\w'’-]*\s+)*(?:{_ORG_WORDS})"
    rf"(?:\s+(?:of|for)(?:\s+(?:the\s+)?[A-Z][\w'’-]*)+)?)(?:\s+\(([A-Z][\w&/-]+)\))?"
)
_ACRONYM = re.compile(r"(?<![\w'’-])(?:[Tt]he\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+)\s+\(([A-Z][A-Za-z&/-]{1,9})\)")
_NAMED_GROUPS = re.compile(
    r"\b(Taliban|Al-Shabaab|al-Shabaab|Al-Shabab|al-Shabab|Boko Haram|Houthis?|M23"
    r"|Wazalendo|Islamic State|Hamas|Hezbollah|JNIM|ISWAP|ISKP)\b"
)
# A group named after what it is: "the militant Islamic separatist group Abu Sayyaf", "the Islamist group al-Shabab".
_KIND_OF_GROUP = re.compile(
    r"\b(?:militant|separatist|Islamist|rebel|armed|jihadist|extremist|insurgent|terrorist|guerrilla)\s+groups?\s+"
    r"((?:al-|el-)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})"
)
# A group named by what its members are called in the sentence: "Abu Sayyaf rebels", "Maoist rebels",
# "RSF fighters", "the Tamil Tiger rebels". Names that only say a nationality or a faith ("Somali gunmen",
# "Islamist militants") name no group: those stay an unidentified armed group.
_GROUP_NOUN = re.compile(
    r"(?<![\w'’-])((?:(?:al-|el-)?[A-Z][\w'’-]*\s+){1,3})(rebels|militants|insurgents|guerrillas|fighters|separatists"
    r"|extremists|jihadists|militiamen)\b"
)
_PEOPLE = re.compile(
    r"(?:ish|ian|ese|an|i|ic)$|^(?:Tamil|Baloch|Pashtun|Tuareg|Fulani|Hausa|Malay|Moro|Uighur|Uyghur)$"
)
_NOT_GROUP_NAMES = {"The", "A", "An", "Suspected", "Armed", "Islamist", "Islamic", "Muslim", "Sunni", "Shiite", "Shia"}
_GENERIC: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            r"\b(?:(?:government|regime|security|pro-government) (?:forces|troops)|soldiers?|troops|army|military"
            r"|servicem[ae]n)\b",
            re.I,
        ),
        "Military Forces of {country}",
        "state_forces",
    ),
    (
        re.compile(r"\b(?:police(?:men|man| officers?)?|policem[ae]n|authorities)\b", re.I),
        "Police Forces of {country}",
        "state_forces",
    ),
    (
        re.compile(r"\b(?:protesters|demonstrators|traders protested|farmers gathered)\b", re.I),
        "Protesters",
        "protesters",
    ),
    (
        re.compile(
            r"\b(?:gunmen|unidentified (?:(?:armed )?men|attackers|assailants)|militants|attackers?|assailants)\b",
            re.I,
        ),
        "Unidentified armed group",
        "political_militia",
    ),
    (
        re.compile(
            r"\b(?:civilians?|farmers|traders|residents|villagers|passers?-by|fishermen|shopkeepers?|boy|girl|child(?:ren)?|women|men|people|family)\b",
            re.I,
        ),
        "Civilians",
        "civilians",
    ),
)
# A state's own forces, named through its nationality: "Pakistani troops", "the Somali National Army".
_STATE_ARMY = re.compile(
    r"\b(?:army|armed forces|defen[cs]e forces|national army|military|soldiers?|troops|forces|servicem[ae]n)\b", re.I
)
_STATE_POLICE = re.compile(r"\b(?:police(?:men|man)?|policem[ae]n|authorities)\b", re.I)
_NATIONAL = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+$")
# A state's weapons or forces named through its nationality: "a Russian missile", "Russian forces".
_NATION_ARMS = re.compile(
    r"\b([A-Z][a-z]+)\s+(?:[a-z-]+\s+){0,2}?(?:missiles?|bombs?|drones?|air ?strikes?|shelling|artillery"
    r"|forces|assaults?|jets?|aircraft|warplanes?|helicopters?|troops|soldiers?)\b"
)
_MEMBERS_OF = re.compile(r"(?:\s+members?)?\s+of\s+(?:the\s+)?")
_SKIP = {"Security Media Cell", "State Emergency Service", "General Staff", "Red Cross", "Defence Ministry"}


def _alias_index(actors: Iterable[dict[str, Any]]) -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """(pattern, actor) for every name and alias, longest first so 'Kurdish traffic police' beats 'police'."""
    pairs = []
    for actor in actors:
        for name in {actor["name"], *(actor.get("aliases") or [])}:
            if name:
                pairs.append((name, actor))
    pairs.sort(key=lambda p: (-len(p[0]), p[0]))
    return [(re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])", re.I), a) for n, a in pairs]


class ActorMatcher:
    """Finds actors in text; built once per report from the dataset's actors table."""

    def __init__(
        self,
        actors: Iterable[dict[str, Any]],
        country: str | None,
        country_name: str | None,
        nationality: Callable[[str], str | None] = lambda _: None,
        report: str = "",
    ) -> None:
        self.index = _alias_index(actors)
        self.country = country
        self.country_name = country_name or "unknown country"
        self.nationality = nationality  # "Pakistani" -> "Pakistan": whose forces a generic word names
        self.report = report  # the whole text, so one group keeps one name however a sentence spells it
        # "the Rapid Support Forces (RSF)" once in a report lets a later "RSF fighters" name the same group.
        self.acronyms = [
            (re.compile(rf"(?<![\w-]){re.escape(m.group(2))}(?![\w-])"), m.group(1).strip())
            for m in _ACRONYM.finditer(report)
            if m.group(1).split()[0] not in ("The", "A", "On", "In")
        ]

    def _state_forces(self, text: str, start: int, name: str) -> str | None:
        """ "Military Forces of Pakistan" for "Pakistani troops" or "the Somali National Army"; None when the
        words name no state's forces."""
        kind = _STATE_POLICE.search(name) and "Police" or (_STATE_ARMY.search(name) and "Military")
        if not kind:
            return None
        words = name.split()
        adjective = self.nationality(words[0]) if len(words) > 1 else None
        if len(words) > 1 and (adjective is None or not _generic_words(words)):
            # a named force of its own: "Rapid Support Forces", "Syrian Democratic Forces", "National Defense Forces"
            return None
        if adjective is None:
            before = _NATIONAL.search(text[:start])
            adjective = self.nationality(before.group(1)) if before else None
        return f"{kind} Forces of {adjective or self.country_name}"

    def _one_name(self, name: str) -> str:
        """One spelling per group within a report: a capital first letter ("al-Shabaab" -> "Al-Shabaab"),
        and the plural when the report also uses it ("Houthi fighters" and "the Houthis", "Tamil Tiger rebels"
        and "the Tamil Tigers")."""
        name = name[0].upper() + name[1:]
        if not name.endswith("s") and re.search(rf"\b{re.escape(name)}s\b", self.report):
            return name + "s"
        return name

    def find(self, text: str) -> list[Found]:
        """Actors in `text`, left to right; known ones first claim their words, then new names."""
        found: list[Found] = []
        taken: list[tuple[int, int]] = []

        def free(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in taken)

        for pattern, actor in self.index:
            for m in pattern.finditer(text):
                if free(m.start(), m.end()):
                    taken.append((m.start(), m.end()))
                    found.append(Found(actor["name"], actor["actor_id"], actor["actor_type"], m.start(), m.end()))
        for pattern, name in self.acronyms:
            for m in pattern.finditer(text):
                if free(m.start(), m.end()) and name not in _SKIP:
                    taken.append((m.start(), m.end()))
                    name = self._state_forces(text, m.start(), name) or self._one_name(name)
                    found.append(Found(name, None, _type_of(name), m.start(), m.end()))
        for m in _NATION_ARMS.finditer(text):
            country = self.nationality(m.group(1))
            if country and free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                found.append(Found(f"Military Forces of {country}", None, "state_forces", m.start(), m.end()))
        for pattern in (_ACRONYM, _ORG, _NAMED_GROUPS, _KIND_OF_GROUP):
            for m in pattern.finditer(text):
                for name, start, end in _pair(m.group(1).strip(), m.start(1), m.end()):
                    if name in _SKIP or not free(start, end) or name.split()[0] in ("The", "A", "On", "In"):
                        continue
                    alias = m.group(2) if m.re.groups >= 2 and end == m.end() else None
                    taken.append((start, end))
                    state = self._state_forces(text, start, name)
                    if state:
                        found.append(Found(state, None, "state_forces", start, end))
                        continue
                    name = self._one_name(name)
                    found.append(Found(name, None, _type_of(name), start, end, alias))
        for m in _GROUP_NOUN.finditer(text):
            words = m.group(1).split()
            while words and words[0] in _NOT_GROUP_NAMES:
                words = words[1:]
            start = m.end(1) - len(" ".join(words)) - 1 if words else m.end(1)
            if (
                not words
                or not free(start, m.end())
                or self.nationality(" ".join(words))
                or words[-1] in _NOT_GROUP_NAMES
                or (len(words) == 1 and _PEOPLE.search(words[0]))
            ):
                continue  # "Kurdish militants", "Baloch rebels": a people, not the name of a group
            name = " ".join(words)
            if len(words) == 1 and re.search(r"ist$", name):
                name = f"{name} {m.group(2)}"  # "Maoist rebels": the text gives no fuller name
            taken.append((start, m.end()))
            found.append(Found(self._one_name(name), None, "rebel_group", start, m.end()))
        named = {start for start, _ in taken}
        for pattern, template, actor_type in _GENERIC:
            for m in pattern.finditer(text):
                member = _MEMBERS_OF.match(text, m.end())
                if member and member.end() in named:
                    continue  # "traffic police members of the Kurdish forces": that actor's own people
                if free(m.start(), m.end()):
                    taken.append((m.start(), m.end()))
                    state = self._state_forces(text, m.start(), m.group()) if actor_type == "state_forces" else None
                    name = state or template.format(country=self.country_name)
                    found.append(Found(name, None, actor_type, m.start(), m.end()))
        return sorted(found, key=lambda f: f.start)


_AND = re.compile(rf"\b(?:{_ORG_WORDS})(\s+and\s+(?:the\s+)?)(?=[A-Z])")


def _pair(name: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Two forces joined by "and" are two actors ("the Iraqi Army and the Rapid Support Forces"), while
    an "and" inside one name stays ("Alliance of Patriots for a Free and Sovereign Congo")."""
    m = _AND.search(name)
    if not m:
        return [(name, start, end)]
    return [(name[: m.start(1)], start, start + m.start(1)), (name[m.end(1) :], start + m.end(1), end)]


def _generic_words(words: list[str]) -> bool:
    """Only a nationality and common words: "Iraqi Army", "Somali National Army", "Sudanese Armed Forces"."""
    return all(w.lower() in _COMMON for w in words[1:])


_COMMON = {"army", "armed", "forces", "force", "national", "defence", "defense", "military", "police", "troops"}


def _type_of(name: str) -> str:
    """A first guess at the actor type of a new name, for the coder to confirm."""
    lowered = name.lower()
    if re.search(r"\b(army|armed forces|police|military|national guard|directorate|ministry|department)\b", lowered):
        return "state_forces"
    if re.search(r"\b(militia|committees?|task force|cartel|wazalendo)\b", lowered):
        return "political_militia"
    return "rebel_group"
