"""Markdown for the generated pages. A value read from the data reaches a page only through `cell` (or `code`,
`Link`, `web_link`, `image`, `front_matter`), which makes it inert: shown as the text it is, never read as
Markdown or HTML, so a contributed record cannot put a script, a link or a layout on the site."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

from incidents.core.inert_markdown import cell, plain_text
from incidents.validate.rules.urls import WEB_URL


def code(value: object) -> str:
    """A value in code type: a Markdown code span, which shows its text as written, unless a backtick (which
    would end it early) or a pipe (which would end a table's cell) is in the value."""
    text = plain_text(value)
    return f"`{text}`" if text and not {"`", "|"} & set(text) else f"<code>{cell(text)}</code>"


def web_url(value: object) -> str | None:
    """The value as a link target if it is an http or https URL (`javascript:`, `data:` and the like never
    are), its characters that Markdown or HTML would read percent-encoded; else None."""
    if not isinstance(value, str) or re.fullmatch(WEB_URL, value) is None:
        return None
    return urllib.parse.quote(value, safe="/:?#@$&+,;=%~")


def web_link(value: object, text: object = None) -> str:
    """A URL as a link when it is a web address, else as text (what it is, not where it leads)."""
    target = web_url(value)
    shown = cell(value if text is None else text)
    return f"[{shown}]({target})" if target else shown


def table(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += [
        "| " + " | ".join(str(v) if isinstance(v, Link | Checksum | WebLink) else cell(v) for v in row) + " |"
        for row in rows
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Link:
    """A link to a page of the site inside a table cell: its text escaped like a value, its target made here."""

    text: str
    target: str

    def __str__(self) -> str:
        return f"[{cell(self.text)}]({self.target})"


@dataclass(frozen=True)
class WebLink:
    """A URL from the data inside a table cell: a link if it is a web address, else text (`web_link`)."""

    url: str | None

    def __str__(self) -> str:
        return web_link(self.url)


@dataclass(frozen=True)
class Checksum:
    """A checksum inside a table cell: code that may wrap anywhere (extra.css), as it has no spaces."""

    text: str

    def __str__(self) -> str:
        return f'<code class="checksum">{cell(self.text)}</code>' if self.text else ""


# Front matter for a page that is one wide table: material hides its table of contents, so the table has room.
WIDE_PAGE = "---\nhide:\n  - toc\n---\n\n"


def front_matter(title: str) -> str:
    """Front matter giving a page the title made from the data: the theme writes `title` into <title> and the
    header as HTML, unescaped, so it is HTML-escaped here (and YAML-quoted by the YAML library)."""
    return (
        "---\n" + yaml.safe_dump({"title": html.escape(plain_text(title))}, allow_unicode=True, width=10**6) + "---\n\n"
    )


def generated_note(what: str) -> str:
    return f'!!! info "Generated page"\n    This page is generated from {what} each time the site is built.\n\n'


def image(alt: str, path: str, caption: str) -> str:
    """An image whose alt text may hold values. Python-Markdown takes the alt text as written but for its
    backslash escapes, and writes it as an HTML attribute, escaped but for what looks like an entity: so
    brackets, backticks and backslashes (which would end the alt text or start a code span) are escaped,
    and `&` is written as an entity."""
    shown = plain_text(alt).translate({ord("&"): "&amp;", **{ord(c): "\\" + c for c in "\\`[]"}})
    return f"![{shown}]({path})\n\n*{caption}*\n"


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
