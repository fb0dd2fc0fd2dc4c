"""A value from the data as inert Markdown: shown as the text it is, never read as Markdown or HTML. The site's
pages and the changelog (CHANGELOG.md, which GitHub and the site render) put every contributed value through
`cell`, so that no record, reason or name can put a script, a link or a layout on a page."""

from __future__ import annotations

import datetime as dt
import re
import string

# Markdown that may start anywhere in a line is escaped wherever it is in a value: `<`, `>`, `&` and the
# brackets of links and images as HTML character references (no tag, comment, autolink, entity, link, or
# `[id]: url` definition, which ignores backslashes), and with a backslash, which Python-Markdown turns back
# into the character, emphasis, code, attribute lists `{...}`, table cells and a heading's closing `#`s.
_INERT = str.maketrans(
    {"<": "&lt;", ">": "&gt;", "&": "&amp;", "[": "&#91;", "]": "&#93;", **{c: "\\" + c for c in "\\`*_{}|#"}}
)

# What opens a block only at the start of a line (a list, a quote, an admonition, details, tabs, a fence, a
# rule) is escaped at a value's start, as a value may start a line: leading punctuation as a character
# reference, and the `.` of a leading number (a numbered list).
_OPENS_A_BLOCK = frozenset(string.punctuation) - {chr(c) for c in _INERT}
_NUMBERED = re.compile(r"^(\d+)\.")


def plain_text(value: object) -> str:
    """A value as plain text: empty for null, lists joined, dates in ISO 8601, whitespace runs (newlines
    too) as one space: HTML shows them so anyway, and a newline would end a table row or start a block."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return " ".join(str(value).split())


def cell(value: object) -> str:
    """A value as inert Markdown text, wherever text goes: a table cell, a paragraph, a heading, a quote, an
    admonition's title, a link's text."""
    text = plain_text(value)
    if text[:1] in _OPENS_A_BLOCK:
        return f"&#{ord(text[0])};{text[1:].translate(_INERT)}"
    return _NUMBERED.sub(r"\1\\.", text.translate(_INERT), count=1)
