"""A browser's selection -> evidence offsets as the standard counts them.

JavaScript counts UTF-16 code units; `char_start` and `char_end` are Python code points into the archived
text. A character beyond U+FFFF (an emoji, a rare CJK ideograph) is two units in the browser and one here, so
the browser sends its units and the text is counted again here: never trust offsets the page computed.
"""

from __future__ import annotations

from typing import Any


class SelectionRefused(ValueError):
    """A selection that is no passage of the text; the message says why."""


def code_point(text: str, unit: int) -> int:
    """The code-point offset of UTF-16 offset `unit` in `text`; refused inside a surrogate pair or past the end."""
    encoded = text.encode("utf-16-le")
    if not 0 <= unit <= len(encoded) // 2:
        raise SelectionRefused(f"offset {unit} lies outside the text ({len(encoded) // 2} UTF-16 units)")
    try:
        return len(encoded[: 2 * unit].decode("utf-16-le"))
    except UnicodeDecodeError:
        raise SelectionRefused(f"offset {unit} splits a character in two: select whole characters") from None


def passage(text: str, start: int, end: int) -> tuple[int, int]:
    """(char_start, char_end) of the selection from UTF-16 `start` to `end`, without the white space at its
    ends (a drag often takes a space or a line break with it); refused when nothing but white space is left."""
    first, last = code_point(text, start), code_point(text, end)
    if last < first:
        first, last = last, first
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    if first == last:
        raise SelectionRefused("the selection holds no text: select the passage that supports the values")
    return first, last


def evidence(text: str, source_id: str, start: int, end: int, supports: list[str]) -> dict[str, Any]:
    """An evidence item of the record, in the standard's key order, for the passage selected."""
    first, last = passage(text, start, end)
    return {
        "source_id": source_id,
        "quote": text[first:last],
        "char_start": first,
        "char_end": last,
        "supports": sorted(set(supports)),
    }
