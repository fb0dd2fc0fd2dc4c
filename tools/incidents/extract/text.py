"""Split a report into sentences and clauses that keep their character offsets in the archived text.

Every value the assistant drafts points at one of these spans, so a reviewer can check it against the
source and `incidents validate` can check the quote against the archived bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = "\"'“”‘’«»"
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?(?=\s)|\n\s*\n|\n")
# Where one sentence holds two events: "..., hours before a bomb killed ..." or "...; ...", or an act and what its
# doer said of it: "X took responsibility for the attack, saying it was retaliation for the shelling in June".
_CLAUSE_BREAK = re.compile(r",\s+(?=(?:hours|minutes|days|shortly) (?:before|after)\b|saying\b)|;\s+")


@dataclass(frozen=True)
class Span:
    """A stretch of the source text: `text == source[start:end]`."""

    start: int
    end: int
    text: str
    paragraph: int = 0


def _trimmed(source: str, start: int, end: int, paragraph: int) -> Span | None:
    """The span without surrounding spaces and unbalanced quote marks; None when nothing is left."""
    while start < end and (source[start].isspace() or source[start] in _QUOTES):
        start += 1
    while end > start and (source[end - 1].isspace() or source[end - 1] in _QUOTES + ","):
        end -= 1
    if end - start < 2:
        return None
    return Span(start, end, source[start:end], paragraph)


def sentences(source: str) -> list[Span]:
    """Sentences in reading order, each tagged with its paragraph number (blank-line separated)."""
    out: list[Span] = []
    paragraph, start = 0, 0
    for match in _SENTENCE_END.finditer(source):
        span = _trimmed(source, start, match.end() if match.group().strip() else match.start(), paragraph)
        if span:
            out.append(span)
        if "\n" in match.group() and source[match.start() : match.end()].count("\n") >= 1:
            if match.group().count("\n") >= 2 or (match.end() < len(source) and source[match.end()] == "\n"):
                paragraph += 1
        start = match.end()
    span = _trimmed(source, start, len(source), paragraph)
    if span:
        out.append(span)
    return _renumber(source, out)


def _renumber(source: str, spans: list[Span]) -> list[Span]:
    """Paragraph numbers from the blank lines between spans (robust to how the splitter matched)."""
    out: list[Span] = []
    paragraph, previous_end = 0, 0
    for span in spans:
        if "\n\n" in source[previous_end : span.start].replace("\r", "") or (
            previous_end and "\n" in source[previous_end : span.start] and not out
        ):
            paragraph += 1
        out.append(Span(span.start, span.end, span.text, paragraph))
        previous_end = span.end
    return out


def clauses(source: str, sentence: Span) -> list[Span]:
    """The sentence cut where it joins two events; a sentence without such a joint is one clause."""
    out, start = [], sentence.start
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        span = _trimmed(source, start, sentence.start + match.start(), sentence.paragraph)
        if span:
            out.append(span)
        start = sentence.start + match.end()
    span = _trimmed(source, start, sentence.end, sentence.paragraph)
    if span:
        out.append(span)
    return out or [sentence]
