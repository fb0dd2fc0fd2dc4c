"""Evidence offsets from quotes: where a quote lies in its archived source, counted in code points.

A coder copies a passage; the tools count. `locate` is the one place offsets are computed from a quote, for
`incidents quotes fill` and the workbench alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from incidents.core.problems import Problem
from incidents.records import Loaded


class QuoteNotFound(ValueError):
    """The quote is not in the text, or is in it more than once and nothing says which one is meant."""


def occurrences(quote: str, text: str) -> list[int]:
    """Every offset at which `quote` starts in `text`, overlapping ones included."""
    found: list[int] = []
    at = text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def locate(quote: str, text: str, near: int | None = None) -> tuple[int, int]:
    """(char_start, char_end) of `quote` in `text` (Python code-point offsets, end exclusive).

    A quote found more than once needs `near`: the occurrence starting closest to it is taken (the earlier one
    on a tie)."""
    if not quote:
        raise QuoteNotFound("the quote is empty: expected the exact passage of the source it quotes")
    starts = occurrences(quote, text)
    if not starts:
        raise QuoteNotFound(
            f"the quote {_short(quote)} is not in the source: expected a passage copied exactly from the "
            "archived text (same spelling, punctuation and spaces)"
        )
    if len(starts) > 1 and near is None:
        shown = ", ".join(str(s) for s in starts[:5]) + (", ..." if len(starts) > 5 else "")
        raise QuoteNotFound(
            f"the quote {_short(quote)} is found {len(starts)} times in the source (at {shown}): "
            f"expected a longer quote, or the item's char_start set near the one meant (e.g. char_start: {starts[-1]})"
        )
    start = min(starts, key=lambda s: (abs(s - near), s)) if near is not None else starts[0]
    return start, start + len(quote)


def _short(quote: str, limit: int = 60) -> str:
    return repr(quote if len(quote) <= limit else quote[: limit - 1] + "…")


def unfilled(item: object) -> TypeGuard[dict[str, Any]]:
    """An evidence item given as a quote without both offsets (a char_start alone is a hint)."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("quote"), str)
        and (item.get("char_start") is None or item.get("char_end") is None)
    )


def fill(loaded: Loaded, texts: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The record of `loaded` with the offsets of its quote-only evidence counted in the cited sources
    (`texts` by source_id, those archived), and a problem for each quote that cannot be placed."""
    record = dict(loaded.data)
    evidence = record.get("evidence")
    found: list[Problem] = []
    if not isinstance(evidence, list):
        return record, found
    record["evidence"] = list(evidence)
    for index, item in enumerate(evidence):
        if not unfilled(item):
            continue
        try:
            record["evidence"][index] = _placed(item, texts)
        except QuoteNotFound as exc:
            message, _, expected = str(exc).partition(": expected ")
            incident_id = record.get("incident_id")
            found.append(
                Problem(
                    file=loaded.path,
                    line=loaded.line("evidence", index, "quote"),
                    record=incident_id if isinstance(incident_id, str) else None,
                    field=f"evidence[{index}].quote",
                    message=message,
                    expected=expected or None,
                    code="quote-not-found",
                )
            )
    return record, found


def _placed(item: dict[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """The item with its offsets, its keys in the standard's order (quote, char_start, char_end, supports)."""
    source_id = item.get("source_id")
    if not isinstance(source_id, str) or source_id not in texts:
        raise QuoteNotFound(
            f"its source {source_id!r} is not archived: expected the source_id of a text in data/sources/ "
            "(`incidents ingest` archives one)"
        )
    hint = item.get("char_start")
    start, end = locate(item["quote"], texts[source_id], hint if type(hint) is int else None)
    values = {**item, "char_start": start, "char_end": end}
    order = ["source_id", "quote", "char_start", "char_end"]
    return {key: values[key] for key in [*order, *(k for k in values if k not in order)] if key in values}
