"""A drafted incident as the extractor builds it: its values, the spans of the report that support each one,
and the notes a reviewer reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from incidents.extract import actors, classify, dates, places
from incidents.extract.text import Span


@dataclass
class Draft:
    """One drafted incident: values, the spans that support them, and notes for the reviewer."""

    date: dates.DateValue = dates.UNKNOWN
    date_key: str = ""
    town: places.Town | None = None
    unlisted: str | None = None  # a village the text names that the gazetteer lacks
    detail: str | None = None
    admin1: str | None = None
    country: str | None = None
    group: str = "violence"
    triggers: list[Span] = field(default_factory=list)
    actors: list[tuple[actors.Found, str]] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # "between 20-25 people were killed"
    ceilings: dict[str, int] = field(default_factory=dict)  # "nearly 60 people were killed"
    told: list[tuple[Span, str, int]] = field(default_factory=list)  # each figure with the clause that gives it
    rule: classify.Rule = classify.FALLBACK
    notes: list[str] = field(default_factory=list)
    support: dict[tuple[int, int], set[str]] = field(default_factory=dict)

    def supports(self, span: Span, *names: str) -> None:
        self.support.setdefault((span.start, span.end), set()).update(names)


# A clause that counts over several events: "at least four were killed in Russian missile and drone attacks".
SEVERAL = re.compile(
    r"\b(?:attacks|strikes|airstrikes|bombings|blasts|explosions|raids|assaults|killings|incidents)\b", re.I
)


def drop_totals(drafts: list[Draft]) -> None:
    """A lead's figure over several events, which the figures told later of each event add up to ("at least
    four killed in Russian attacks" ... "three" in one region, "one" in another), is their total, not a figure
    of its own event: it is dropped from the draft that took it, so each event keeps its own."""
    for draft in drafts:
        for span, name, value in list(draft.told):
            if not SEVERAL.search(span.text):
                continue
            parts: list[tuple[int, Draft, int]] = []  # the first figure each draft of the day gives after the lead
            for other in drafts:
                later = [(s.start, v) for s, n, v in other.told if n == name and s.start > span.start]
                if later and other.date_key == draft.date_key:
                    parts.append((min(later)[0], other, min(later)[1]))
            total, used = 0, list[Draft]()
            for _start, other, figure in sorted(parts, key=lambda p: p[0]):
                total, used = total + figure, [*used, other]
                if total >= value:
                    break
            if total == value and len(used) >= 2 and any(other is not draft for other in used):
                draft.counts[name].remove(value)
                if not draft.counts[name]:
                    del draft.counts[name]
                draft.told.remove((span, name, value))
                draft.notes.append(f"'{span.text}' gives the total over several events ({value}), not this one's.")
