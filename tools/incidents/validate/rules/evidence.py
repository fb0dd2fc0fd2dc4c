"""Evidence quotes against the archived source texts they cite."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from incidents.validate.rules.findings import Finding, Tables


def check_evidence_text(tables: Tables, texts: Mapping[str, str | bytes]) -> Iterator[Finding]:
    """Each quote equals the archived source text between its offsets (counted in characters). Texts may be
    given as UTF-8 bytes, as read from disk; each is decoded once, when a quote first cites it."""
    evidence = tables["incident_sources"]
    columns = [evidence.column(name).to_pylist() for name in ("source_id", "char_start", "char_end", "quote")]
    decoded: dict[str, str] = {}
    for row, (source_id, start, end, quote) in enumerate(zip(*columns, strict=True)):
        if source_id not in texts or start is None or end is None:  # a missing source: a dangling reference
            continue
        if source_id not in decoded:
            text = texts[source_id]
            decoded[source_id] = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
        source = decoded[source_id]
        if not 0 <= start < end <= len(source):
            yield Finding(
                "incident_sources",
                row,
                "char_end",
                f"offsets {start}-{end} in a text of {len(source)} characters",
                "0 <= char_start < char_end <= the length of the source text",
                "evidence-offsets",
            )
        elif source[start:end] != quote:
            yield Finding(
                "incident_sources",
                row,
                "quote",
                f"the source reads {source[start:end]!r} at {start}-{end}",
                f"the quote {quote!r} exactly as archived" + _hint(source, quote or ""),
                "evidence-quote",
            )


def _hint(text: str, quote: str) -> str:
    at = text.find(quote) if quote else -1
    return f"; it is found at {at}-{at + len(quote)}" if at >= 0 else "; it is not found in the source"


# Text a spreadsheet would run: '=' anything, or '+', '-', '@' before a function call or a DDE pipe
# ('@SUM(', '+cmd|'). Prose such as "- two killed" or "@user said" stays allowed; the CSV export escapes
