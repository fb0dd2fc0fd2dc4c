"""Markdown for the generated pages: table cells escaped once, links and checksums kept as Markdown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def cell(value: object) -> str:
    """A value as a Markdown table cell: empty for null, lists joined, pipes and newlines escaped."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def table(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += [
        "| " + " | ".join(str(v) if isinstance(v, Link | Checksum) else cell(v) for v in row) + " |" for row in rows
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Link:
    """A Markdown link inside a table cell (not escaped like a value)."""

    text: str
    target: str

    def __str__(self) -> str:
        return f"[{cell(self.text)}]({self.target})"


@dataclass(frozen=True)
class Checksum:
    """A checksum inside a table cell: a code span that may wrap anywhere (extra.css), as it has no spaces."""

    text: str

    def __str__(self) -> str:
        return f"`{self.text}`{{.checksum}}" if self.text else ""


# Front matter for a page that is one wide table: material hides its table of contents, so the table has room.
WIDE_PAGE = "---\nhide:\n  - toc\n---\n\n"


def generated_note(what: str) -> str:
    return f'!!! info "Generated page"\n    This page is generated from {what} each time the site is built.\n\n'


def image(alt: str, path: str, caption: str) -> str:
    return f"![{alt}]({path})\n\n*{caption}*\n"


def raw_table(header: list[str], rows: list[list[str]]) -> str:
    """A table whose cells are already Markdown (code spans, links)."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(c.replace("\n", " ") for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def thousands(n: int) -> str:
    return f"{n:,}"


def count_noun(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def indent(markdown: str) -> str:
    """Markdown indented to sit inside an admonition or a collapsible block."""
    return "".join(f"    {line}" if line.strip() else line for line in markdown.splitlines(keepends=True))
