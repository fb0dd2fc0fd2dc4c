"""The CSV files datapackage.json publishes -> problems: each file's bytes and hash as its resource records
them, its cells parsed by the types of its Table Schema, and its rows equal to its Parquet twin's.

The Parquet tables get every rule (validate/package.py); a CSV row equal to its twin holds the same values, so
its findings are those of the Parquet row and are reported once, there. A CSV row that differs is reported as
a difference, and the rules on a row alone (required, codes, patterns, bounds, characters) run on it too, so
that what is wrong with the CSV value is said. The file is hashed, then parsed block by block beside the
Parquet file's batches: memory stays near a block of each, whatever the size of the table.
"""

from __future__ import annotations

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
from incidents.validate import rules as checks
from incidents.validate.cells import conform
from incidents.validate.descriptor import file_stats

TWIN_ROWS = 16 * 1024  # rows of the Parquet twin decoded at a time
CSV_BLOCK = 4 << 20  # bytes of CSV parsed at a time (Arrow reports a longer row as unreadable)
CSV_REST = 16 * 1024  # rows checked at a time where the twin has no more


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
    """One published CSV table (`resource`: its entry in datapackage.json, None when the descriptor has none),
    read beside its Parquet twin's batches. Where the Parquet rules read the twin anyway (the single-file
    layout), they hand it their batches instead (`open_twin`): each file is decoded once."""
    layout = Layout(Path(root))
    twin = open_twin(root, name, resource)
    if twin.reading:
        try:
            parquet = pq.ParquetFile(layout.tables / f"{name}.parquet", pre_buffer=False)  # pre-buffered, a
            # row group is read whole at once
            if set(twin.schema.names) <= set(parquet.schema_arrow.names):
                twin.compared = 0
                for batch in parquet.iter_batches(TWIN_ROWS, columns=twin.schema.names):
                    twin.compare(conform(pa.Table.from_batches([batch]), twin.schema)[0])
        except (OSError, pa.ArrowException):
            twin.compared = None  # the Parquet check reports an unreadable twin
    return twin.finish()


def open_twin(root: str, name: str, resource: dict[str, Any] | None) -> Twin:
    """The CSV table `name` hashed, its header read, ready to be read beside its Parquet twin's rows."""
    std = standard.load()
    layout = Layout(Path(root))
    path = layout.tables / f"{name}.csv"
    display = layout.rel(path)
    twin = Twin(std, name, display, layout.rel(layout.tables / f"{name}.parquet"))
    if not path.is_file():
        twin.problems.append(
            Problem(
                file=display, message="the file is missing", expected="every table of the package", code="missing-file"
            )
        )
        return twin
    twin.problems += _stats(layout, display, file_stats(path), resource)
    try:
        reader = pacsv.open_csv(path, **csv_options(twin.schema.names))
    except pa.ArrowInvalid as exc:
        twin.unreadable(exc)
        return twin
    shape = _columns(display, reader.schema.names, twin.schema.names)
    twin.problems += shape  # then the cells cannot be put beside the Parquet's
    twin.reader = None if shape else reader
    return twin


class Twin:
    """A CSV table read beside the rows of its Parquet twin, handed over in order (`compare`): its cells parsed
    by the Table Schema's types, its rows against the twin's. Memory stays near a batch of each."""

    def __init__(self, std: standard.Standard, name: str, display: str, twin_display: str) -> None:
        self.std, self.name, self.display, self.twin_display = std, name, display, twin_display
        self.schema = std.arrow_schema(name)
        self.problems: list[Problem] = []  # the file's own (hash, header), then those of its rows
        self.found: list[Problem] = []
        self.reader: Iterator[pa.RecordBatch] | None = None
        self.held: list[pa.RecordBatch] = []  # CSV rows read and not yet compared
        self.rows = 0  # CSV rows compared or checked
        self.compared: int | None = None  # the twin's rows handed over (None: it could not be read, or not whole)

    @property
    def reading(self) -> bool:
        return self.reader is not None

    def unreadable(self, exc: pa.ArrowInvalid) -> None:
        """The CSV cannot be parsed: that alone is said of its rows."""
        message = f"the file cannot be read as CSV: {exc}"
        expected = f"the {self.name} table as CSV"
        self.found = [Problem(file=self.display, message=message, expected=expected, code="table-unreadable")]
        self.reader = None

    def compare(self, theirs: pa.Table) -> None:
        """The next CSV rows against `theirs`, the twin's next rows (of the Table Schema's types)."""
        if self.compared is not None:  # set to 0 by the reader of the twin when it begins
            self.compared += theirs.num_rows
        if self.reader is None:
            return
        try:
            ours = self._take(theirs.num_rows)
            if ours is not None:
                self._check(ours, theirs.slice(0, ours.num_rows))
        except pa.ArrowInvalid as exc:
            self.unreadable(exc)

    def finish(self) -> list[Problem]:
        """The problems of the file: with the CSV rows the twin did not have checked alone, and the row counts."""
        try:
            while (ours := self._take(CSV_REST)) is not None:
                self._check(ours, None)
        except pa.ArrowInvalid as exc:
            self.unreadable(exc)
        if self.reader is not None and self.compared is not None and self.rows != self.compared:
            message = f"{self.rows} rows"
            expected = f"{self.compared} rows, as in {self.twin_display}"
            self.found.append(Problem(file=self.display, message=message, expected=expected, code="csv-differs"))
        self.reader = None
        return self.problems + self.found

    def _take(self, count: int) -> pa.Table | None:
        """The next `count` rows of the CSV (fewer at its end, None past it)."""
        held = sum(b.num_rows for b in self.held)
        while held < count and self.reader is not None:
            batch = next(self.reader, None)
            if batch is None:
                break
            self.held.append(batch)
            held += batch.num_rows
        if not held:
            return None
        joined = pa.Table.from_batches(self.held)
        rest = joined.slice(count)
        self.held = rest.to_batches() if rest.num_rows else []
        return joined.slice(0, count)

    def _check(self, text: pa.Table, theirs: pa.Table | None) -> None:
        """CSV rows parsed by the Table Schema's types, and compared with the same rows of the twin."""
        names = self.schema.names
        table, unparsed = conform(unescape(text.select(names), self.std, self.name), self.schema)
        ids = table.column(standard.ID_FIELDS.get(self.name, "incident_id"))
        for cell in unparsed:
            self.found.append(
                Problem(
                    file=self.display,
                    line=self.rows + cell.row + 2,
                    record=ids[cell.row].as_py(),
                    field=cell.field,
                    message=cell.found,
                    expected=cell.expected,
                    code="value-type",
                )
            )
        if theirs is not None:
            bad = {(cell.row, cell.field) for cell in unparsed}
            found = _differences(self.std, self.name, self.display, table, theirs, self.twin_display, bad)
            self.found += [p.with_location(p.file, (p.line or 0) + self.rows, p.record) for p in found]
        self.rows += table.num_rows


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
