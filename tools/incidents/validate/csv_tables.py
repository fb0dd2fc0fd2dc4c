"""The CSV files datapackage.json publishes -> problems: each file's bytes and hash as its resource records
them, its cells parsed by the types of its Table Schema, and its rows equal to its Parquet twin's.

The Parquet tables get every rule (validate/package.py); a CSV row equal to its twin holds the same values, so
its findings are those of the Parquet row and are reported once, there. A CSV row that differs is reported as
a difference, and the rules on a row alone (required, codes, patterns, bounds, characters) run on it too, so
that what is wrong with the CSV value is said. The file is hashed, then parsed block by block beside the
Parquet file's batches: memory stays near a block of each, whatever the size of the table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from incidents import standard
from incidents.build import encode
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.incremental import kept_outputs as outputs
from incidents.validate import rules as checks
from incidents.validate.cells import conform

TWIN_ROWS = 16 * 1024  # rows of the Parquet twin decoded at a time
CSV_BLOCK = 4 << 20  # bytes of CSV parsed at a time (Arrow reports a longer row as unreadable)


def csv_options(names: list[str]) -> dict[str, Any]:
    """How the build's CSV is read, as text columns: an empty cell is no value, a quoted empty one the empty
    text. Values may hold line breaks (notes, quotes)."""
    return {
        "read_options": pacsv.ReadOptions(use_threads=True, block_size=CSV_BLOCK),
        "parse_options": pacsv.ParseOptions(newlines_in_values=True),
        "convert_options": pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    }


def unescape(table: pa.Table, std: standard.Standard, name: str) -> pa.Table:
    """Text cells without the "'" the build puts before a cell a spreadsheet would run (encode.csv_cell)."""
    for spec in std.fields(name):
        if spec["type"] not in ("string", "list") or spec["name"] not in table.column_names:
            continue
        column = table.column(spec["name"])
        escaped = pc.fill_null(pc.starts_with(column, encode.SPREADSHEET_ESCAPE), False)
        if pc.any(escaped).as_py():
            index = table.column_names.index(spec["name"])
            table = table.set_column(
                index, spec["name"], pc.if_else(escaped, pc.utf8_slice_codeunits(column, 1), column)
            )
    return table


def check_csv(root: str, name: str, resource: dict[str, Any] | None) -> list[Problem]:
    """One published CSV table (`resource`: its entry in datapackage.json, None when the descriptor has none)."""
    std = standard.load()
    layout = Layout(Path(root))
    path = layout.tables / f"{name}.csv"
    display = layout.rel(path)
    if not path.is_file():
        return [
            Problem(
                file=display, message="the file is missing", expected="every table of the package", code="missing-file"
            )
        ]
    with path.open("rb") as file:
        stats = encode.file_stats(outputs.Kept(path.stat().st_size, hashlib.file_digest(file, "sha256").hexdigest()))
    problems = _stats(layout, display, stats, resource)
    names = [f["name"] for f in std.fields(name)]
    twin = layout.tables / f"{name}.parquet"
    try:
        reader = pacsv.open_csv(path, **csv_options(names))
        shape = _columns(display, reader.schema.names, names)
        if shape:
            return problems + shape  # the cells cannot be put beside the Parquet's
        return problems + _check_rows(std, name, display, reader, twin, layout.rel(twin))
    except pa.ArrowInvalid as exc:
        message = f"the file cannot be read as CSV: {exc}"
        return [
            *problems,
            Problem(file=display, message=message, expected=f"the {name} table as CSV", code="table-unreadable"),
        ]


def _check_rows(
    std: standard.Standard, name: str, display: str, reader: pacsv.CSVStreamingReader, twin: Path, twin_display: str
) -> list[Problem]:
    """The CSV's cells parsed by the Table Schema's types, and its rows against the Parquet file's."""
    schema = std.arrow_schema(name)
    names = schema.names
    theirs: Iterator[pa.RecordBatch] | None = None
    expected_rows = None  # the Parquet check reports an unreadable twin, or one without the standard's columns
    try:
        parquet = pq.ParquetFile(twin, pre_buffer=False)  # pre-buffered, a row group is read whole at once
        if set(names) <= set(parquet.schema_arrow.names):
            theirs, expected_rows = parquet.iter_batches(TWIN_ROWS, columns=names), parquet.metadata.num_rows
    except (OSError, pa.ArrowException):
        pass
    problems: list[Problem] = []
    rows = 0
    for ours, twin_rows in _aligned(reader, theirs):
        table, unparsed = conform(unescape(pa.Table.from_batches([ours]).select(names), std, name), schema)
        ids = table.column(standard.ID_FIELDS.get(name, "incident_id"))
        for cell in unparsed:
            record = ids[cell.row].as_py()
            problems.append(
                Problem(
                    file=display,
                    line=rows + cell.row + 2,
                    record=record,
                    field=cell.field,
                    message=cell.found,
                    expected=cell.expected,
                    code="value-type",
                )
            )
        if twin_rows is not None:
            bad = {(cell.row, cell.field) for cell in unparsed}
            found = _differences(std, name, display, table, conform(twin_rows, schema)[0], twin_display, bad)
            problems += [p.with_location(p.file, (p.line or 0) + rows, p.record) for p in found]
        rows += table.num_rows
    if expected_rows is not None and rows != expected_rows:
        message = f"{rows} rows"
        expected = f"{expected_rows} rows, as in {twin_display}"
        problems.append(Problem(file=display, message=message, expected=expected, code="csv-differs"))
    return problems


def _aligned(
    ours: Iterator[pa.RecordBatch], theirs: Iterator[pa.RecordBatch] | None
) -> Iterator[tuple[pa.RecordBatch, pa.Table | None]]:
    """The CSV's batches, each with the same rows of the Parquet file (None where it has no more rows): the
    two files are read in blocks of their own sizes."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in ours:
        while theirs is not None and held < batch.num_rows:
            more = next(theirs, None)
            if more is None:
                theirs = None
                break
            pending.append(more)
            held += more.num_rows
        if held < batch.num_rows:
            yield batch, None  # the Parquet file has fewer rows: only the row count is compared
            pending, held = [], 0
            continue
        joined = pa.Table.from_batches(pending)
        yield batch, joined.slice(0, batch.num_rows)
        rest = joined.slice(batch.num_rows)
        pending, held = rest.to_batches(), rest.num_rows


def _stats(layout: Layout, display: str, stats: dict[str, Any], resource: dict[str, Any] | None) -> list[Problem]:
    """The file's bytes and hash against those its resource records."""
    if resource is None:
        return []  # check_descriptor reports the missing resource
    index, have = resource["index"], resource["entry"]
    problems = []
    for key, value in stats.items():
        if have.get(key) != value:
            message = f"{display} has {key} {value}"
            problems.append(
                Problem(
                    file=layout.rel(layout.descriptor),
                    field=f"resources[{index}].{key}",
                    message=message,
                    expected=f"{have.get(key)}",
                    code="descriptor",
                )
            )
    return problems


def _columns(display: str, found: list[str], names: list[str]) -> list[Problem]:
    """The header against the Table Schema's fields."""
    problems = [
        Problem(
            file=display,
            line=1,
            field=n,
            message="the column is missing",
            expected="the columns of the standard",
            code="missing-column",
        )
        for n in names
        if n not in found
    ]
    problems += [
        Problem(
            file=display,
            line=1,
            field=n,
            message="a column the standard does not have",
            expected="only the standard's columns",
            code="extra-column",
        )
        for n in found
        if n not in names
    ]
    return problems


def _differences(
    std: standard.Standard,
    name: str,
    display: str,
    table: pa.Table,
    parquet: pa.Table,
    twin_display: str,
    bad: set[tuple[int, str]],
) -> list[Problem]:
    """CSV rows against the same rows of the Parquet file, cell by cell (vectorised), and the rules on a row
    alone run on the rows that differ. Cells that did not parse are reported already. Lines count from the
    first row given."""
    ids = table.column(standard.ID_FIELDS.get(name, "incident_id"))
    problems = []
    differing: set[int] = set()
    for field in table.column_names:
        ours, theirs = table.column(field), parquet.column(field)
        if not theirs.type.equals(ours.type):  # Parquet's timestamps in ms, its lists' item named otherwise
            try:
                theirs = theirs.cast(ours.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        if ours.equals(theirs):  # the usual case, in one call
            continue
        ours, theirs = _comparable(ours), _comparable(theirs)
        same = pc.or_kleene(pc.equal(ours, theirs), pc.and_(pc.is_null(ours), pc.is_null(theirs)))
        for row in pc.indices_nonzero(pc.invert(pc.fill_null(same, False))).to_pylist():
            if (row, field) in bad:
                continue
            differing.add(row)
            message = f"found {_shown(table, field, row)}, where {twin_display} holds {_shown(parquet, field, row)}"
            problems.append(
                Problem(
                    file=display,
                    line=row + 2,
                    record=ids[row].as_py(),
                    field=field,
                    message=message,
                    expected=f"the value of {twin_display}",
                    code="csv-differs",
                )
            )
    if differing:
        rows = sorted(differing)
        subset = table.take(pa.array(rows, pa.int64()))
        for rule in checks.table_checks(std, name, subset, {}):
            for finding in rule():
                row = rows[finding.row]
                problems.append(
                    Problem(
                        file=display,
                        line=row + 2,
                        record=ids[row].as_py(),
                        field=finding.field,
                        message=finding.message,
                        expected=finding.expected,
                        code=finding.code,
                    )
                )
    return problems


def _comparable(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column in a form `pc.equal` compares: a list as its items joined (it has no equality for lists)."""
    if pa.types.is_list(column.type):
        return pc.binary_join(column, "\x1f")
    return column


def _shown(table: pa.Table, field: str, row: int) -> str:
    value = table.column(field)[row].as_py()
    return "no value" if value is None else repr(value)[:200]
