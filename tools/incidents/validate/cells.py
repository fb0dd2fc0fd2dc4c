"""Columns brought to the standard's Arrow types, cell by cell: a value that does not parse becomes empty and
is returned as a finding, so that one malformed cell (a date `2024-02-30` in a CSV file, a Parquet column
written as text by another tool) is reported at its row and the rules still check every other value."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from incidents import standard

# The text of a number a Table Schema integer or number reads (Arrow's cast would fail the whole column).
INTEGER_TEXT = r"^[+-]?\d{1,18}$"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
# A datetime's text as the build writes it; a zero fraction (as Parquet's milliseconds give) is the same second.
ZERO_FRACTION = r"\.0+Z$"


@dataclass(frozen=True)
class Unparsed:
    row: int
    field: str
    found: str
    expected: str


def expected_text(arrow_type: pa.DataType) -> str:
    """What a cell of this type looks like, for the contributor reading the error."""
    if pa.types.is_date(arrow_type):
        return "a date YYYY-MM-DD"
    if pa.types.is_timestamp(arrow_type):
        return "a datetime YYYY-MM-DDTHH:MM:SSZ"
    if pa.types.is_integer(arrow_type):
        return "an integer"
    if pa.types.is_floating(arrow_type):
        return "a number"
    return f"a value of type {arrow_type}"


def parse_text(text: pa.ChunkedArray, to: pa.DataType) -> pa.ChunkedArray:
    """Text cells as `to` (lists split on ';', as the CSV files join them); a cell that does not parse is
    empty. Dates and datetimes must read back as the same text: strptime alone takes 2024-02-30 as March 1."""
    if pa.types.is_string(to):
        return text
    if pa.types.is_list(to):
        return pa.chunked_array([_split(chunk, to) for chunk in text.chunks], to)
    if pa.types.is_date(to):
        parsed = pc.strptime(text, "%Y-%m-%d", "s", error_is_null=True).cast(to)
        return pc.if_else(pc.equal(parsed.cast(pa.string()), text), parsed, None)
    if pa.types.is_timestamp(to):
        plain = pc.replace_substring_regex(text, ZERO_FRACTION, "Z")
        parsed = pc.strptime(plain, "%Y-%m-%dT%H:%M:%SZ", "s", error_is_null=True)
        if parsed.null_count == len(parsed):
            return parsed.cast(to)
        return pc.if_else(pc.equal(pc.strftime(parsed, "%Y-%m-%dT%H:%M:%SZ"), plain), parsed, None).cast(to)
    pattern = INTEGER_TEXT if pa.types.is_integer(to) else NUMBER_TEXT
    return pc.if_else(pc.match_substring_regex(text, pattern), text, None).cast(to)


def _split(text: pa.Array, to: pa.DataType) -> pa.Array:
    """Text cells split on ';' into lists, the empty text the empty list (as the build joins them): the empty
    texts are split as missing, then given back as empty lists by the validity of `text` (a list `if_else`
    took 20 times as long: 3 s of CPU over the CSV tables of 1M incidents)."""
    blank = pc.equal(text, "")
    items = pc.split_pattern(pc.if_else(blank, pa.scalar(None, text.type), text), standard.LIST_DELIMITER)
    return pa.ListArray.from_arrays(items.offsets, items.values.cast(to.value_type), type=to, mask=pc.is_null(text))


def conform(table: pa.Table, schema: pa.Schema) -> tuple[pa.Table, list[Unparsed]]:
    """`table` with each column of `schema` in its type: cast where every value converts (the usual case,
    one call), else parsed from its text cell by cell. Columns `schema` lacks are kept as they are."""
    unparsed: list[Unparsed] = []
    for spec in schema:
        if spec.name not in table.column_names:
            continue
        column = table.column(spec.name)
        if same_type(column.type, spec.type):
            continue
        try:
            typed = column.cast(spec.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            text = column if pa.types.is_string(column.type) else column.cast(pa.string())
            typed = parse_text(text, spec.type)
            bad = pc.and_(pc.is_valid(text), pc.is_null(typed))
            for row in pc.indices_nonzero(bad).to_pylist():
                unparsed.append(Unparsed(row, spec.name, f"found {text[row].as_py()!r}", expected_text(spec.type)))
        index = table.column_names.index(spec.name)
        table = table.set_column(index, table.schema.field(index).with_type(spec.type), typed)
    return table, unparsed


def same_type(found: pa.DataType, wanted: pa.DataType) -> bool:
    """Whether a column needs no conversion: Parquet has no seconds, so its timestamps read back in ms."""
    if pa.types.is_timestamp(found) and pa.types.is_timestamp(wanted):
        return found.tz == wanted.tz
    return found.equals(wanted)
