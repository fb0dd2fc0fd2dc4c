"""A drafted incident as the extractor builds it: its values, the spans of the report that support each one,
and the notes a reviewer reads."""

from __future__ import annotations

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
    rule: classify.Rule = classify.FALLBACK
    notes: list[str] = field(default_factory=list)
    support: dict[tuple[int, int], set[str]] = field(default_factory=dict)

    def supports(self, span: Span, *names: str) -> None:
        self.support.setdefault((span.start, span.end), set()).update(names)
