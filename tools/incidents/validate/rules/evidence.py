"""Evidence quotes against the archived source texts they cite."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.records.quotes import occurrences
from incidents.validate.rules.findings import Finding, Tables, _filled


def check_evidence_text(tables: Tables, texts: Mapping[str, str | bytes]) -> Iterator[Finding]:
    """Each quote equals the archived source text between its offsets (counted in characters). Texts may be
    given as UTF-8 bytes, as read from disk; each is decoded once, when a quote first cites it."""
    evidence = tables["incident_sources"]
    rows = _unproven(evidence, texts)  # the others hold their quote exactly, and are not read in Python
    columns = [
        evidence.column(name).take(rows).to_pylist() for name in ("source_id", "char_start", "char_end", "quote")
    ]
    decoded: dict[str, str] = {}
    for row, source_id, start, end, quote in zip(rows.tolist(), *columns, strict=True):
        if source_id not in texts or start is None or end is None:  # a missing source: a dangling reference
            continue
        if source_id not in decoded:
            decoded[source_id] = _decoded(texts[source_id])
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


QUOTE_ROWS = 64 * 1024  # quotes compared at a time (their bytes, and an index of each byte)


def _unproven(evidence: pa.Table, texts: Mapping[str, str | bytes]) -> np.ndarray:
    """The rows whose quote is not shown here to equal its ASCII text's bytes between its offsets (character
    offsets are byte offsets there): only these are judged row by row, in Python, as before. At 1M incidents,
    3.3M quotes took 3.5 s of CPU in that loop, holding the GIL; compared as bytes, a fraction of it."""
    plain = [(source_id, text) for source_id, text in texts.items() if text.isascii()]
    proven = np.zeros(len(evidence), dtype=bool)
    if plain:
        raw = [text if isinstance(text, bytes) else text.encode() for _, text in plain]
        sizes = np.array([len(text) for text in raw], dtype=np.int64)
        bases = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        archive = np.frombuffer(b"".join(raw), dtype=np.uint8)
        which = _filled(pc.index_in(evidence.column("source_id"), value_set=pa.array([i for i, _ in plain])))
        start, end = _filled(evidence.column("char_start")), _filled(evidence.column("char_end"))
        quotes = evidence.column("quote").cast(pa.binary())
        length = _filled(pc.binary_length(quotes))
        known = which >= 0
        size = np.where(known, sizes[np.where(known, which, 0)], -1)
        fits = known & (start >= 0) & (start < end) & (end <= size) & (length == end - start)
        for first in range(0, len(evidence), QUOTE_ROWS):
            part = first + np.flatnonzero(fits[first : first + QUOTE_ROWS])
            if not len(part):
                continue
            proven[part[_equal(archive, bases[which[part]] + start[part], quotes.take(pa.array(part)))]] = True
    return np.flatnonzero(~proven)


def _equal(archive: np.ndarray, at: np.ndarray, quotes: pa.ChunkedArray) -> np.ndarray:
    """Whether each quote (binary, non-null) equals the bytes of `archive` from its position in `at` on."""
    quotes = quotes.combine_chunks()
    offsets = np.frombuffer(quotes.buffers()[1], dtype=np.int32)[quotes.offset : quotes.offset + len(quotes) + 1]
    data = np.frombuffer(quotes.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets).astype(np.int64)
    owner = np.repeat(np.arange(len(quotes)), lengths)
    positions = np.repeat(at - (offsets[:-1] - offsets[0]), lengths) + np.arange(len(data))
    differs = np.zeros(len(quotes), dtype=bool)
    differs[owner[archive[positions] != data]] = True
    return ~differs


def check_offsets_given(tables: Tables, texts: Mapping[str, str | bytes]) -> Iterator[Finding]:
    """Each quote has its offsets; one given without them is told where `incidents quotes fill` places it
    (the schema lets a contributor leave them out for that command to count)."""
    evidence = tables["incident_sources"]
    names = ("incident_id", "source_id", "char_start", "char_end", "quote")
    if not set(names) <= set(evidence.column_names):
        return
    missing = pc.and_(
        pc.is_valid(evidence["quote"]), pc.or_(pc.is_null(evidence["char_start"]), pc.is_null(evidence["char_end"]))
    )
    for row in pc.indices_nonzero(missing).to_pylist():
        incident_id, source_id, start, end, quote = (evidence[name][row].as_py() for name in names)
        text = texts.get(source_id)
        yield _unfilled(row, incident_id, quote, start, end, None if text is None else _decoded(text))


def _decoded(text: str | bytes) -> str:
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text


def _unfilled(row: int, incident_id: str, quote: str, start: int | None, end: int | None, text: str | None) -> Finding:
    """A quote given without its offsets, which `incidents quotes fill` counts: where it would place it."""
    missing = " and ".join(name for name, value in (("char_start", start), ("char_end", end)) if value is None)
    fill = f"run `incidents quotes fill {incident_id}` to write them"
    if text is None:
        where = f"its offsets: {fill} once its source is archived"
    else:
        at = occurrences(quote, text) if quote else []
        if len(at) == 1:
            where = f"its offsets in the source, {at[0]}-{at[0] + len(quote)}: {fill}"
        elif at and start is not None:
            where = f"its char_end: {fill} (it takes the occurrence nearest char_start)"
        elif at:
            where = f"its offsets: the quote is found {len(at)} times, so give char_start near the one meant and {fill}"
        else:
            where = "its offsets, counted from a quote copied exactly from the source: it is not found there"
    return Finding(
        "incident_sources",
        row,
        "char_start" if start is None else "char_end",
        f"the quote has no {missing}",
        f"{where}",
        "evidence-offsets-missing",
    )


def _hint(text: str, quote: str) -> str:
    at = text.find(quote) if quote else -1
    return f"; it is found at {at}-{at + len(quote)}" if at >= 0 else "; it is not found in the source"


# Text a spreadsheet would run: '=' anything, or '+', '-', '@' before a function call or a DDE pipe
# ('@SUM(', '+cmd|'). Prose such as "- two killed" or "@user said" stays allowed; the CSV export escapes
