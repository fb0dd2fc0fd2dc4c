"""Date expressions of a report resolved against its publication date, with their precision.

"on Wednesday", "late Tuesday", "yesterday", "last week", "in the evening", "on 3 March", "in January",
"12 March 2024". A weekday is the latest such day on or before publication (a report published on a
Thursday that says "on Thursday" means that day). Without a publication date only expressions that
carry their own year resolve; everything else stays unknown and the reason is kept for the notes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from incidents import standard

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
_MONTH = r"(?:" + "|".join(m.title() for m in MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day-month-year", re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b")),
    ("month-day-year", re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b")),
    ("day-month", re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\b")),
    ("month-day", re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*\d{{4}})")),
    ("month-year", re.compile(rf"\b(?:in|during|since|early|late|mid-?)\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b")),
    ("month", re.compile(rf"\b(?:[Ii]n|[Ee]arly|[Ll]ate|[Mm]id-?)\s+(?P<month>{_MONTH})\b(?!\s+\d)")),
    ("weekday", re.compile(r"\b(?P<weekday>" + "|".join(w.title() for w in WEEKDAYS) + r")\b")),
    ("yesterday", re.compile(r"\b[Yy]esterday\b")),
    ("today", re.compile(r"\b(?:[Tt]oday|[Tt]his (?:morning|afternoon|evening)|[Tt]onight|[Ee]arlier today)\b")),
    # "Overnight, drones struck" dates an event; "farmers who had stayed overnight" does not.
    ("last-night", re.compile(r"\b[Ll]ast night\b|\bOvernight\b|\bovernight(?=\s*[,.;]|\s+(?:on|into)\b)")),
    ("last-week", re.compile(r"\b[Ll]ast week\b")),
    ("last-month", re.compile(r"\b[Ll]ast month\b")),
    ("weekend", re.compile(r"\b(?:[Oo]ver )?the weekend\b|\b[Tt]his weekend\b|\b[Ll]ast weekend\b|\bweekend's\b")),
    ("earlier-this-week", re.compile(r"\b(?:[Ee]arlier|[Ee]arly) this week\b")),
    ("earlier-this-month", re.compile(r"\b(?:[Ee]arlier|[Ee]arly) this month\b")),
    ("week-ago", re.compile(r"\b(?:[Aa]|[Oo]ne) week ago\b")),
    ("days-ago", re.compile(r"\b(?P<days>two|three|four|five|six|\d) days (?:ago|earlier)\b")),
    ("past-day", re.compile(r"\b(?:[Ii]n|[Ww]ithin|[Oo]ver) the (?:past|last) 24 hours\b|\bwithin 24 hours\b")),
    (
        "same-day",
        re.compile(
            r"\b(?:[Ii]n|[Ll]ater in|[Ee]arly in|[Ll]ate in) the (?:evening|morning|afternoon|night"
            r"|day)\b|\b[Ll]ater (?:that|the same) day\b|\b[Tt]hat (?:evening|night|morning|afternoon)\b"
        ),
    ),
)
# A date right after a speech verb dates the telling, not the event: "told reporters on Monday".
_REPORTING = re.compile(
    r"\b(?:said|say|says|told|tells|reporters|announced|added|stated"
    r"|reported|statement)\W+(?:\w+\W+){0,2}(?:on|late on|on late)?\s*$",
    re.I,
)
# "since 2009", "in recent years": background, not an event of the report.
_BACKGROUND = re.compile(r"\b(?:since|until|before|by)\s+$", re.I)
# "might be able to give details Monday", "talks are expected to resume on Friday": a day yet to come.
_FUTURE = re.compile(r"\b(?:will|would|might|may|shall|expected to|plans? to|due to)\b[\w\s,'’-]{0,60}$", re.I)


@dataclass(frozen=True)
class DateValue:
    """A resolved date: start, end and precision (day, week, month, year, unknown) and why."""

    start: dt.date | None
    end: dt.date | None
    precision: str
    note: str | None = None


@dataclass(frozen=True)
class Mention:
    kind: str  # the pattern name, e.g. "weekday"
    start: int  # offsets within the text searched
    end: int
    text: str
    relative: bool  # needs the publication date to resolve


UNKNOWN = DateValue(None, None, "unknown")


def mentions(text: str) -> list[Mention]:
    """Date expressions that date an event, left to right; reporting dates and background are skipped."""
    return _mentions(text, telling=False)


def tellings(text: str) -> list[Mention]:
    """Date expressions that date only the telling: "officials said Wednesday", "told reporters on Monday".
    An event that has no date of its own is dated by them, as coders of ACLED and UCDP do (the day it was
    reported is the latest it can have happened)."""
    return _mentions(text, telling=True)


def _mentions(text: str, telling: bool) -> list[Mention]:
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            before = text[: match.start()]
            if _BACKGROUND.search(before[-12:]) or bool(_REPORTING.search(before[-60:])) != telling:
                continue
            if _FUTURE.search(before[-80:]):
                continue
            taken.append((match.start(), match.end()))
            relative = "year" not in match.groupdict() or match.groupdict().get("year") is None
            found.append(Mention(kind, match.start(), match.end(), match.group(), relative))
    return sorted(found, key=lambda m: m.start)


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(key))


def _month_span(year: int, month: int) -> DateValue:
    last = calendar.monthrange(year, month)[1]
    return DateValue(dt.date(year, month, 1), dt.date(year, month, last), "month")


def _latest_before(published: dt.date, month: int, day: int | None) -> dt.date:
    """The latest date with this month (and day) on or before publication: news reports look back."""
    year = published.year
    candidate = dt.date(year, month, day or 1)
    return candidate if candidate <= published else dt.date(year - 1, month, day or 1)


def resolve(mention: Mention, published: dt.date | None, context: DateValue | None = None) -> DateValue:
    """The date a mention stands for. `context` is the date of the event told just before (for "in the
    evening")."""
    groups = _groups(mention)
    if not mention.relative:
        year, month = int(groups["year"]), _month_number(groups["month"])
        if groups.get("day"):
            day = dt.date(year, month, int(groups["day"]))
            return DateValue(day, day, "day")
        return _month_span(year, month)
    if mention.kind == "same-day":
        if context and context.precision in ("day", "unknown"):
            return context
        return DateValue(None, None, "unknown", f"'{mention.text}' follows no dated event")
    if published is None:
        return DateValue(
            None,
            None,
            "unknown",
            f"the source has no publication date, so '{mention.text}' cannot be resolved to a date",
        )
    value = _relative(mention, published, groups)
    return replace(value, note=f"'{mention.text}' was resolved against the publication date {published.isoformat()}")


def _relative(mention: Mention, published: dt.date, groups: dict[str, str]) -> DateValue:
    if mention.kind == "weekday":
        target = WEEKDAYS.index(groups["weekday"].lower())
        day = published - dt.timedelta(days=(published.weekday() - target) % 7)
        return DateValue(day, day, "day")
    if mention.kind == "yesterday":
        day = published - dt.timedelta(days=1)
        return DateValue(day, day, "day")
    if mention.kind == "last-night":
        day = published - dt.timedelta(days=1)
        return DateValue(day, day, "day")
    if mention.kind == "today":
        return DateValue(published, published, "day")
    if mention.kind == "last-week":
        monday = published - dt.timedelta(days=published.weekday() + 7)
        return DateValue(monday, monday + dt.timedelta(days=6), "week")
    if mention.kind == "weekend":  # the Saturday and Sunday on or before publication (a Saturday's: that day)
        if published.weekday() == 5:
            return DateValue(published, published, "day")
        sunday = published - dt.timedelta(days=(published.weekday() + 1) % 7)
        return _spanning(sunday - dt.timedelta(days=1), sunday)
    if mention.kind == "earlier-this-week":  # Monday of the publication's week to the day before it
        return _spanning(published - dt.timedelta(days=published.weekday()), published - dt.timedelta(days=1))
    if mention.kind == "earlier-this-month":
        return _spanning(published.replace(day=1), published - dt.timedelta(days=1))
    if mention.kind == "week-ago":
        monday = published - dt.timedelta(days=published.weekday() + 7)
        return DateValue(monday, monday + dt.timedelta(days=6), "week")
    if mention.kind == "days-ago":
        words = ("two", "three", "four", "five", "six")
        n = int(groups["days"]) if groups["days"].isdigit() else words.index(groups["days"]) + 2
        day = published - dt.timedelta(days=n)
        return DateValue(day, day, "day")
    if mention.kind == "past-day":
        return DateValue(published - dt.timedelta(days=1), published, "week")
    if mention.kind == "last-month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        return _month_span(first.year, first.month)
    month = _month_number(groups["month"])
    if mention.kind in ("day-month", "month-day"):
        day = _latest_before(published, month, int(groups["day"]))
        return DateValue(day, day, "day")
    return _month_span(_latest_before(published, month, None).year, month)


def _spanning(start: dt.date, end: dt.date) -> DateValue:
    """The span from start to end (no earlier than start), with the precision the standard gives its length:
    "earlier this month" on the 3rd is two days, a week's precision, not a month's."""
    end = max(start, end)
    return DateValue(start, end, standard.load().date_precision_of(start, end) or "unknown")


def _groups(mention: Mention) -> dict[str, str]:
    pattern = dict(_PATTERNS)[mention.kind]
    match = pattern.search(mention.text)
    return {k: v for k, v in (match.groupdict() if match else {}).items() if v is not None}
