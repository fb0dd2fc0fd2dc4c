"""No text hides what it says: no bidirectional overrides, and no invisible format characters.

Control characters (C0, C1) never get this far: the YAML reader refuses them with the file's line
(records.parse, code `encoding`). Unicode's format characters (category Cf) are printable to YAML, and some
disguise text: an override (U+202D, U+202E), an embedding (U+202A, U+202B) or an isolate (U+2066-U+2069)
reorders what follows, so "Militia \\u202eaitilim" shows as "Militia militia"; a zero-width space or joiner,
a word joiner or a byte-order mark inside a text makes two names that look the same differ (and one that
looks like another match nothing). They are refused in every text of a record, actor or source, on its
field, with the character, its name and its place, as a rule over the text columns (so a built table is
held to it too).

Allowed, because real names need them: the marks U+200E (LRM), U+200F (RLM) and U+061C (ALM), which set the
direction of the neutral characters beside them (a Latin word after an Arabic one) and reorder no letters;
and U+200C (ZWNJ) between two letters of the Arabic script, where Persian and Kurdish spelling requires it
(می‌خواهم). Evidence quotes are exempt: they must match the archived source verbatim, whatever it holds.
A citation's title is the source's own headline, copied as published: it may keep the source's invisible
characters (UCDP's headlines hold zero-width spaces and a byte-order mark: removing them would change the
source's text, and they hide nothing the archived row does not show), but never a bidirectional control.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import Standard
from incidents.validate.rules.findings import Finding, Tables

EXEMPT = {"quote"}
VERBATIM = {("incident_citations", "title")}  # (table, field): the source's text, checked for bidi controls only
BIDI = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}  # embeddings, overrides, isolates and their ends
MARKS = {0x200E, 0x200F, 0x061C}  # LRM, RLM, ALM
ZWNJ = 0x200C
# The Arabic script's blocks: Arabic, its Supplement, Extended-A, and the presentation forms A and B.
ARABIC_BLOCKS = (
    range(0x0600, 0x0700),
    range(0x0750, 0x0780),
    range(0x08A0, 0x0900),
    range(0xFB50, 0xFE00),
    range(0xFE70, 0xFF00),
)
_FORMAT = r"\p{Cf}"  # RE2: the rows worth a look in Python; most texts hold none


def check_characters(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """The first hidden character (see the module) of each text value, or list item, of each table."""
    for name, table in tables.items():
        for spec in standard.fields(name):
            skip = spec["name"] in EXEMPT or "codelist" in spec or spec["name"] not in table.column_names
            if spec["type"] not in ("string", "list") or skip:  # codes are checked against their codelist
                continue
            column = table.column(spec["name"])
            if spec["type"] == "list":
                items = column.combine_chunks()
                parents = pc.list_parent_indices(items)
                rows = pc.unique(pc.take(parents, _suspects(pc.list_flatten(items)))).to_pylist()
            else:
                rows = _suspects(column).to_pylist()
            for row in rows:
                value = column[row].as_py()
                found = next(
                    (
                        (text, at)
                        for text in (value if isinstance(value, list) else [value])
                        if (at := hidden(text, (name, spec["name"]) in VERBATIM)) is not None
                    ),
                    None,
                )
                if found is not None:
                    yield _finding(name, row, spec["name"], *found)


def _suspects(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The indices of the values holding a format character: looked for only in the values that are not
    ASCII (a fraction of most columns, and a cheaper test)."""
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        return pa.array([], pa.uint64())  # a column of nulls only
    wide = pc.indices_nonzero(pc.fill_null(pc.invert(pc.string_is_ascii(values)), False))
    found = pc.fill_null(pc.match_substring_regex(pc.take(values, wide), _FORMAT), False)
    return pc.filter(wide, found)


def hidden(text: str, verbatim: bool = False) -> int | None:
    """The position of the first character of `text` that hides what it says, or None; of a `verbatim` copy
    of a source's text, the first bidirectional control."""
    for at, char in enumerate(text):
        if unicodedata.category(char) != "Cf" or ord(char) in MARKS or (verbatim and ord(char) not in BIDI):
            continue
        if ord(char) == ZWNJ and _between_arabic_letters(text, at):
            continue
        return at
    return None


def _between_arabic_letters(text: str, at: int) -> bool:
    """Whether the character at `at` stands between two Arabic-script letters (their marks skipped)."""

    def letter(step: int) -> bool:
        k = at + step
        while 0 <= k < len(text) and unicodedata.category(text[k]) == "Mn":
            k += step
        if not 0 <= k < len(text) or not unicodedata.category(text[k]).startswith("L"):
            return False
        return any(ord(text[k]) in block for block in ARABIC_BLOCKS)

    return letter(-1) and letter(1)


def _finding(table: str, row: int, field: str, text: str, at: int) -> Finding:
    code_point = ord(text[at])
    name = unicodedata.name(text[at], "a format character")
    shown = text if len(text) <= 80 else ("…" if at > 30 else "") + text[max(0, at - 30) : at + 30] + "…"
    message = f"U+{code_point:04X} {name} at character {at + 1} of {shown!r}"
    if code_point in BIDI:
        expected = (
            "text in its own order: no bidirectional overrides, embeddings or isolates (U+202A-U+202E, U+2066-U+2069)"
        )
        return Finding(table, row, field, message, expected, "bidi-control")
    expected = (
        "visible text: no zero-width or other invisible format characters (U+200C only between two Arabic letters; "
        "the marks U+200E, U+200F and U+061C are allowed)"
    )
    return Finding(table, row, field, message, expected, "invisible-character")
