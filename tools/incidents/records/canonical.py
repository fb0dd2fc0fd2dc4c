"""A reader of the layout `records.dump` writes, a small part of YAML, at several times libyaml's speed.

A cold build reads every record file, and half of that time was PyYAML building and resolving nodes in
Python callbacks. Nearly every file is in the layout the tools write: block mappings of plain names, block
sequences, plain and single-quoted scalars (folded over lines), literal blocks (`|`, `|-`), `[]` and `{}`.
`read` takes such a text line by line and returns None for anything else: an anchor, alias, tag, comment,
double quote, flow collection, blank line, tab, control character, duplicate key, deep nesting, odd
indentation or a value it does not resolve as PyYAML would. The caller then reads the file with PyYAML,
which finds and reports every problem as it always did. So this reader never judges a file: it returns
exactly what PyYAML returns, or nothing (tests/records/test_canonical.py holds it to that on random texts).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 8  # records nest 3 deep; deeper files go to PyYAML, which applies the real limit

# A plain scalar may not start with these (or with "-", "?", ":" followed by a space).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters outside YAML's printable set, and those YAML 1.1 takes as line breaks (NEL, U+2028, U+2029)
# or marks (the byte-order mark).
_ODD = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


class _Other(Exception):
    """The text leaves the layout: PyYAML reads it."""


Scalar = Callable[[str], Any]


def read(text: str, scalar: Scalar) -> dict[str, Any] | None:
    """The mapping in `text`, if it is in the layout (`scalar` resolves a plain scalar's text to its value as
    PyYAML would, raising ValueError for one it does not take); None otherwise."""
    if not text.endswith("\n") or text[0] == " " or " \n" in text or _ODD.search(text):
        return None
    lines = text.split("\n")
    lines.pop()  # the text ends with a line break
    try:
        reader = _Reader(lines, scalar)
        data, end = reader.mapping(0, 0, 0)
    except (_Other, ValueError):
        return None
    return data if end == len(lines) else None


_NAMES: dict[Scalar, set[str]] = {}  # the keys each `scalar` resolves as text: the same few in every file


class _Reader:
    def __init__(self, lines: list[str], scalar: Scalar) -> None:
        self.end = len(lines)
        self.lines = [*lines, ""]
        # The last line's indent, -1, is below any other: a loop over lines at an indent stops there.
        self.indents = [len(line) - len(line.lstrip(" ")) for line in lines] + [-1]
        self.scalar = scalar
        self.names = _NAMES.setdefault(scalar, set())

    def block(self, i: int, indent: int, depth: int) -> tuple[Any, int]:
        """The collection starting on line i, whose first item is at column `indent`."""
        if depth > MAX_DEPTH:
            raise _Other
        if self.lines[i].startswith("- ", indent):
            return self.sequence(i, indent, depth)
        return self.mapping(i, indent, depth)

    def mapping(self, i: int, indent: int, depth: int) -> tuple[dict[str, Any], int]:
        lines, indents, scalar, names = self.lines, self.indents, self.scalar, self.names
        data: dict[str, Any] = {}
        while indents[i] == indent:
            key, colon, rest = lines[i][indent:].partition(":")
            if key not in names:
                if not colon or not _KEY.fullmatch(key) or scalar(key) != key:
                    raise _Other
                if len(names) < 10_000:  # field names, not every key a file could invent
                    names.add(key)
            if not colon or key in data:
                raise _Other
            i += 1
            if rest:
                first = rest[1:]
                if rest[0] != " ":
                    raise _Other
                if indents[i] <= indent and _one_line_plain(first):  # most values
                    data[key] = scalar(first)
                else:
                    data[key], i = self.value(first, i, indent)
            elif indents[i] > indent:
                data[key], i = self.block(i, indents[i], depth + 1)
            elif indents[i] == indent and lines[i].startswith("- ", indent):
                data[key], i = self.sequence(i, indent, depth + 1)
            else:
                data[key] = None
        if indents[i] > indent:
            raise _Other
        return data, i

    def sequence(self, i: int, indent: int, depth: int) -> tuple[list[Any], int]:
        lines, indents = self.lines, self.indents
        items: list[Any] = []
        while indents[i] == indent and lines[i].startswith("- ", indent):
            line = lines[i]
            text = line[indent + 2 :]
            if ":" not in line and indents[i + 1] <= indent and _one_line_plain(text):
                items.append(self.scalar(text))  # most items: a plain scalar alone on its line, not a key
                i += 1
                continue
            inner = len(line) - len(line[indent + 1 :].lstrip(" "))  # the column after "- "
            body = line[inner:]
            key, colon, rest = body.partition(":")
            if body.startswith("- ") or (colon and rest[:1] in ("", " ") and _KEY.fullmatch(key)):
                lines[i], indents[i] = " " * inner + body, inner  # the item is a collection at that column
                item, i = self.block(i, inner, depth + 1)
            elif indents[i + 1] <= indent and _one_line_plain(body):
                item, i = self.scalar(body), i + 1
            else:
                item, i = self.value(body, i + 1, indent)
            items.append(item)
        if indents[i] > indent:
            raise _Other
        return items, i

    def value(self, first: str, i: int, indent: int) -> tuple[Any, int]:
        """The scalar whose text starts with `first` and may go on over the lines after it that are indented
        deeper than `indent`; and the line after it."""
        head = first[0]
        if head == " ":  # more than one space after the colon: left to PyYAML
            raise _Other
        if head == "'":
            return self.quoted(first, i, indent)
        if head == "|":
            return self.literal(first, i, indent)
        if first in ("[]", "{}"):
            return ([] if first == "[]" else {}), i
        if head in _INDICATORS and (head not in "-?:" or len(first) == 1 or first[1] == " "):
            raise _Other
        if not _plain_line(first):
            raise _Other
        parts = [first]
        lines, indents = self.lines, self.indents
        while indents[i] > indent:
            part = lines[i][indents[i] :]
            if part[0] == "#" or not _plain_line(part):  # a comment; any other character goes on the text
                raise _Other
            parts.append(part)
            i += 1
        return self.scalar(" ".join(parts)), i

    def quoted(self, first: str, i: int, indent: int) -> tuple[str, int]:
        """A single-quoted scalar: '' is a quote, and a line break between two lines of text is a space."""
        lines, indents = self.lines, self.indents
        parts: list[str] = []
        text, at = first, 1
        while True:
            close = text.find("'", at)
            while close != -1 and text.startswith("''", close):
                close = text.find("'", close + 2)
            if close != -1:
                if close != len(text) - 1:  # something after the closing quote
                    raise _Other
                parts.append(text[at:close])
                return " ".join(parts).replace("''", "'"), i
            parts.append(text[at:])
            if indents[i] <= indent:
                raise _Other
            text, at = lines[i], indents[i]
            i += 1

    def literal(self, first: str, i: int, indent: int) -> tuple[str, int]:
        """A literal block, `|` (one final line break kept) or `|-` (none): lines kept as written."""
        if first not in ("|", "|-"):
            raise _Other
        lines, indents = self.lines, self.indents
        if not lines[i] or indents[i] <= indent:
            raise _Other
        column, kept = indents[i], []
        while i < self.end and (not lines[i] or indents[i] >= column):
            kept.append(lines[i][column:])
            i += 1
        text = "\n".join(kept).rstrip("\n")
        return (text if first == "|-" or not text else text + "\n"), i


def _one_line_plain(text: str) -> bool:
    """Whether `text` is a whole plain scalar on its line (the common case, taken without more ado)."""
    return text[0] not in _INDICATORS and text[0] != " " and _plain_line(text)


def _plain_line(part: str) -> bool:
    """Whether a line of a plain scalar holds nothing that would end it (': ', ' #') or make it a key."""
    return ": " not in part and " #" not in part and part[-1] != ":"
