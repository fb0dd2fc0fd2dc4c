"""A built package -> problems, from datapackage.json and the tables alone (no record YAML).

What a downloaded release or a cluster holds is tables, not records; this checks them with the same rules
as record validation (`checks`): first the descriptor and each file's Arrow schema, then the row rules
partition by partition (each a task an engine can run anywhere the files are readable), then the rules
across the whole dataset (unique ids, references) on the key columns only. A column of another type is
read cell by cell (validate/cells.py), so a value that does not parse is reported at its row and hides no
other problem. Each published CSV table is checked too (validate/csv_tables.py): its hash, its cells, and its
rows against its Parquet twin's, read beside the twin's batches where the rules read them (single files).

A problem names the Parquet file, the row as the line it has in the CSV table (row + 2: the header is line
1), the record's id, the field, what was found and what was expected.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incidents import standard
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.core.problems import sort as sort_problems
from incidents.validate import across, engines
from incidents.validate import rules as checks
from incidents.validate.archived_texts import has_texts, source_texts
from incidents.validate.cells import Unparsed, conform, same_type
from incidents.validate.csv_tables import Twin, check_csv, open_twin
from incidents.validate.descriptor import check_descriptor, check_schema
from incidents.validate.partitions import (
    INCIDENT_TABLES,  # noqa: F401 (read here by benchmarks and tests as tablecheck.INCIDENT_TABLES)
    PARTITIONED,
    Unit,
    partition_problems,
    units_of,
)


@dataclass
class Report:
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)  # what was read, and any check skipped (not problems)


def _problem(finding: checks.Finding, table: pa.Table, path: str, row: int | None = None) -> Problem:
    """A finding on a row of `table` (read from `path`) as a problem: the CSV line and the record's id."""
    at = finding.row if row is None else row
    ids = table.column(standard.ID_FIELDS.get(finding.table, "incident_id"))
    record = ids[finding.row].as_py() if len(ids) > finding.row else None
    return Problem(
        file=path,
        line=at + 2,
        record=record,
        field=finding.field,
        message=finding.message,
        expected=finding.expected,
        code=finding.code,
    )


def _collect(rule: checks.Check) -> list[checks.Finding]:
    return list(rule())


@dataclass(frozen=True)
class Pieces:
    """Files read one after another into one table: which file, and which row of it, a table row is."""

    files: tuple[str, ...]
    starts: tuple[int, ...]  # the table row where each file begins

    def locate(self, row: int) -> tuple[str, int]:
        index = bisect.bisect_right(self.starts, row) - 1
        return self.files[index], row - self.starts[index]


def check_unit(
    root: str,
    units: Sequence[Unit],
    today: dt.date,
    with_texts: bool,
    with_keys: bool = False,
    csv: Mapping[str, dict[str, Any] | None] | None = None,
) -> list[Problem]:
    """One task: the row rules on a group of units (small partitions are checked together, so that the cost
    of a rule call is paid once per group, not per partition), and with `with_keys` the key rules too (the
    single-file layout is one unit), and with `csv` (table -> its CSV resource) the CSV twins of its files,
    read beside them (csv_tables.Twin: each Parquet file is decoded once). Runs on any machine that can read
    `root` (a shared filesystem, or the same path on every worker). Memory stays near one batch of each table
    plus the columns the cross-table rules read."""
    engines.use_jemalloc()  # process-wide, so set by each task, wherever it runs
    std = standard.load()
    base = Path(root)
    names = list(units[0].files)
    problems = [p for u in units for name, path in u.files.items() for p in check_schema(std, name, base / path, path)]
    twins = dict(csv or {})
    if _blocking(problems):  # the rules need the standard's columns; a column of another type is read cell by cell
        return problems + [p for name, resource in twins.items() for p in check_csv(root, name, resource)]
    sources = Layout(base).sources if with_texts else None

    def columns(name: str) -> list[str]:
        if name not in checks.INCIDENT_COLUMNS:
            return [f["name"] for f in std.fields(name)]  # actors and sources are small: kept whole
        wanted = checks.INCIDENT_COLUMNS[name] + (checks.key_columns(std, name) if with_keys else [])
        return [f["name"] for f in std.fields(name) if f["name"] in wanted]

    def files(name: str) -> list[tuple[Path, str]]:
        return [(base / u.files[name], u.files[name]) for u in units]

    evidence = files("incident_sources") if "incident_sources" in names else []
    one_file = len(evidence) == 1  # then its quotes are checked with its rows, in the same tasks

    def rules(name: str) -> Callable[[pa.Table], list[checks.Check]]:
        if sources is not None and one_file and name == "incident_sources":
            return partial(_evidence_rules, std, sources)
        return partial(_row_rules, std, name)

    # Tasks by file, or by row group where there is one file per table and no CSV twin. The largest tables
    # first: the rules across tables wait for them, and both cores finish at about the same time (1M
    # incidents, with their twins: incident_sources, 850 MB of CSV, takes a core for most of the run).
    order = sorted(names, key=lambda name: -sum(path.stat().st_size for path, _ in files(name)))
    jobs: list[tuple[str, Job]] = []
    for name in order:
        found = files(name)
        groups: list[int | None] = [None]
        twin = partial(open_twin, root, name, twins[name]) if name in twins else None
        if len(found) == 1 and twin is None:  # a CSV twin is read from its start: the file in one task
            groups = list(range(pq.ParquetFile(found[0][0]).metadata.num_row_groups)) or [None]
        for group in groups:
            task = partial(_check_rows, name, found, rules(name), columns(name), None, group, twin)
            jobs.append((name, _pool().submit(task)))
    if sources is not None and evidence and not one_file:  # partitions: the same source is cited from many
        jobs.append(("", _pool().submit(_check_quotes_by_source, evidence, partial(_quote_rules, sources))))
    tables = _Pending(names, jobs)
    rules_across = checks.incident_checks(std, tables, today) + (checks.key_checks(std, tables) if with_keys else [])
    # Each on a thread of its own, started now: a rule waits for the tables it reads, then runs while the
    # other tables are still being checked (threads waiting cost no core).
    with ThreadPoolExecutor(max(1, len(rules_across)), thread_name_prefix="incidents-across") as pool:
        findings = list(pool.map(_collect, rules_across))
    problems += [p for _, job in jobs for p in job.result()[0]]
    for finding in (finding for found in findings for finding in found):
        path, row = tables.pieces(finding.table).locate(finding.row)
        problems.append(_problem(finding, tables[finding.table], path, row))
    if "incidents" in tables:
        starts = tables.pieces("incidents").starts
        for unit, start, end in zip(units, starts, starts[1:], strict=False):
            if unit.partition:
                problems += partition_problems(unit, tables["incidents"].slice(start, end - start))
    return problems


Job = Future[tuple[list[Problem], pa.Table, Pieces]]  # a task of `_check_rows`


class _Pending(Mapping[str, pa.Table]):
    """The columns the rules across tables read, table by table as the tasks reading them finish: looking up
    a table waits for it. One table object per name, made once (rules cache lookups by table)."""

    def __init__(self, names: Sequence[str], jobs: Sequence[tuple[str, Job]]) -> None:
        self.names = list(names)
        self.jobs = jobs
        self.lock = threading.Lock()
        self.made: dict[str, tuple[pa.Table, Pieces]] = {}

    def _made(self, name: str) -> tuple[pa.Table, Pieces]:
        if name not in self.names:
            raise KeyError(name)
        results = [job.result() for table, job in self.jobs if table == name]  # waits, outside the lock
        with self.lock:
            if name not in self.made:  # one file's row groups, in order, are the file: its first Pieces
                self.made[name] = (pa.concat_tables([kept for _, kept, _ in results]), results[0][2])
            return self.made[name]

    def __getitem__(self, name: str) -> pa.Table:
        return self._made(name)[0]

    def pieces(self, name: str) -> Pieces:
        return self._made(name)[1]

    def __contains__(self, name: object) -> bool:  # without waiting for the table (Mapping's looks it up)
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


BATCH_ROWS = 64 * 1024


QUOTE_COLUMNS = ["incident_id", "source_id", "quote", "char_start", "char_end"]


def _blocking(problems: list[Problem]) -> bool:
    """Schema problems the rules cannot run with: a file unreadable, a column missing or not the standard's."""
    return any(p.code != "column-type" for p in problems)


def _row_rules(std: standard.Standard, name: str, table: pa.Table) -> list[checks.Check]:
    return checks.table_checks(std, name, table, {})


def _evidence_rules(std: standard.Standard, sources: Path, table: pa.Table) -> list[checks.Check]:
    """The rules on rows of incident_sources, its quotes against the archived texts they cite included."""
    return checks.table_checks(std, "incident_sources", table, _cited_texts(sources, table))


def _cited_texts(sources: Path, table: pa.Table) -> dict[str, bytes]:
    return source_texts(sources, pc.unique(table.column("source_id")).drop_null().to_pylist())


def _quote_rules(sources: Path, table: pa.Table) -> list[checks.Check]:
    """The evidence quotes of a batch against the archived texts it cites (only those are loaded)."""
    return [partial(checks.check_evidence_text, {"incident_sources": table}, _cited_texts(sources, table))]


def _check_quotes_by_source(
    files: list[tuple[Path, str]], rules: Callable[[pa.Table], list[checks.Check]]
) -> tuple[list[Problem], pa.Table, Pieces]:
    """The evidence quotes of several files, in batches of rows sorted by source: each archived text is
    read once per batch that cites it, instead of once per partition that does."""
    expected = standard.load().arrow_schema("incident_sources")
    parts = [conform(pq.read_table(path, columns=QUOTE_COLUMNS), expected)[0] for path, _ in files]
    where = Pieces(tuple(d for _, d in files), tuple(np.cumsum([0] + [len(t) for t in parts[:-1]]).tolist()))
    whole = pa.concat_tables(parts)
    order = pc.sort_indices(whole, sort_keys=[("source_id", "ascending")])
    # One take, then slices: a take per batch from a table of many chunks (one per partition and row group)
    # finds each row's chunk anew, 3.1 s against 0.39 s of CPU on two partitions of a 2.5M package.
    ordered = whole.take(order)
    del whole, parts
    problems = []
    for start in range(0, len(ordered), BATCH_ROWS):
        rows = order.slice(start, BATCH_ROWS)
        batch = ordered.slice(start, BATCH_ROWS)
        for rule in rules(batch):
            for finding in rule():
                display, row = where.locate(rows[finding.row].as_py())
                problems.append(_problem(finding, batch, display, row))
    return problems, ordered.select([]), where


def _check_rows(
    name: str,
    files: list[tuple[Path, str]],
    rules: Callable[[pa.Table], list[checks.Check]],
    keep: list[str],
    read: list[str] | None = None,
    row_group: int | None = None,
    twin: Callable[[], Twin] | None = None,
) -> tuple[list[Problem], pa.Table, Pieces]:
    """`rules` (those on each row alone) on batches of about BATCH_ROWS rows of the columns `read` (default
    all; with `row_group`, of that row group of each file only): large files are split, small ones joined,
    so that a large table is never whole in memory; with `twin` (one file, every column), each batch is also
    handed to the file's CSV twin, which `twin` opens. Returns the problems, the columns `keep` of all rows
    (for the rules across tables) and where each file's rows begin in them."""
    problems: list[Problem] = []
    kept: list[pa.Table] = []
    buffer: list[tuple[pa.Table, str, int]] = []  # (rows, file, the first row's number in the file)
    starts, total = [], 0

    def check(buffer: list[tuple[pa.Table, str, int]]) -> None:
        table = pa.concat_tables([t for t, _, _ in buffer])
        begins = list(np.cumsum([0] + [len(t) for t, _, _ in buffer[:-1]]))
        for rule in rules(table):
            for finding in rule():
                index = bisect.bisect_right(begins, finding.row) - 1
                _, display, first = buffer[index]
                problems.append(_problem(finding, table, display, first + finding.row - int(begins[index])))

    expected = standard.load().arrow_schema(name)
    csv = twin() if twin is not None else None
    if csv is not None:
        csv.compared = 0
    for path, display in files:
        file = pq.ParquetFile(path)
        schema = file.schema_arrow
        retype = any(not same_type(schema.field(f.name).type, f.type) for f in expected if f.name in schema.names)
        typed = [
            schema.field(c).with_type(expected.field(c).type) if retype and c in expected.names else schema.field(c)
            for c in keep
        ]
        kept.append(_compact(pa.Table.from_batches([], schema=pa.schema(typed)), name))  # not Schema.empty_table():
        # it imports pandas
        small = row_group is None and file.metadata.num_rows <= BATCH_ROWS  # batches cost more than they save
        groups = None if row_group is None else [row_group]
        batches = (
            [file.read(read, use_threads=False)]
            if small
            else file.iter_batches(BATCH_ROWS, row_groups=groups, columns=read, use_threads=False)
        )
        starts.append(total)
        skipped = sum(file.metadata.row_group(group).num_rows for group in range(row_group or 0))
        first = skipped  # the number in the file of the next row read
        for batch in batches:
            table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
            if retype:  # a column of another type (reported by check_schema): its values, cell by cell
                table, unparsed = conform(table, expected)
                problems.extend(_unparsed(cell, table, name, display, first) for cell in unparsed)
            if csv is not None:
                csv.compare(table)
            kept.append(_compact(table.select(keep), name))
            buffer.append((table, display, first))
            first += len(table)
            if sum(len(t) for t, _, _ in buffer) >= BATCH_ROWS:
                check(buffer)
                buffer = []
        total += first - skipped
    if buffer:
        check(buffer)
    if csv is not None:
        problems += csv.finish()
    return problems, pa.concat_tables(kept), Pieces(tuple(d for _, d in files), tuple(starts))


def _compact(table: pa.Table, name: str) -> pa.Table:
    """The columns kept for the rules across tables, with a child table's references to other tables and the
    items of lists dictionary-encoded: they repeat a few values (a source's id in each of its quotes, a field's
    name in each quote supporting it), and the rules take them as they are. At 1M incidents, incident_sources'
    kept columns take 176 MB instead of 551 MB, and the run's peak 1.8 GB instead of 2.0-2.2 GB."""
    spec = standard.load().tables[name]
    parents = {f for fk in spec.get("foreignKeys", []) if fk["reference"]["resource"] != name for f in fk["fields"]}
    for index, kept in enumerate(table.schema):
        column = table.column(index)
        if kept.name in parents and pa.types.is_string(kept.type):
            table = table.set_column(index, kept.name, column.dictionary_encode())
        elif pa.types.is_list(kept.type) and pa.types.is_string(kept.type.value_type):
            lists = [
                pa.ListArray.from_arrays(chunk.offsets, chunk.values.dictionary_encode(), mask=chunk.is_null())
                for chunk in column.chunks
            ]
            table = table.set_column(
                index, kept.name, pa.chunked_array(lists, pa.list_(pa.dictionary(pa.int32(), pa.string())))
            )
    return table


def _unparsed(cell: Unparsed, table: pa.Table, name: str, display: str, first: int) -> Problem:
    """A value of a batch (whose first row is row `first` of its file) that is not of its column's type."""
    ids = table.column(standard.ID_FIELDS.get(name, "incident_id"))
    return Problem(
        file=display,
        line=first + cell.row + 2,
        record=ids[cell.row].as_py(),
        field=cell.field,
        message=cell.found,
        expected=cell.expected,
        code="value-type",
    )


@cache
def _pool() -> ThreadPoolExecutor:
    """One pool for the rules of every unit: starting threads per partition cost more than small partitions'
    checks. Its tasks never wait on other tasks, so units running on other threads can share it."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="incidents-rules")


GROUP_BYTES = 64 * 1024**2


def _groups(root: Path, units: list[Unit]) -> list[list[Unit]]:
    """Partitions in consecutive groups of about GROUP_BYTES of Parquet each (one task each), and the
    shared tables alone: a rule costs about the same on a small partition as on a group of them."""
    groups: list[list[Unit]] = []
    size = GROUP_BYTES
    for unit in units:
        if not unit.partition:
            groups.append([unit])
            continue
        if size >= GROUP_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(unit)
        size += sum((root / path).stat().st_size for path in unit.files.values())
    return groups


def _csv_resources(layout: Layout) -> dict[str, dict[str, Any]]:
    """The CSV resources of datapackage.json by table, with their index (check_descriptor reports a
    descriptor that cannot be read, or a resource that is missing or misnamed)."""
    try:
        descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
        resources = descriptor["resources"]
    except (OSError, ValueError, TypeError, KeyError):
        return {}
    found = {}
    for index, entry in enumerate(resources if isinstance(resources, list) else []):
        if isinstance(entry, dict) and entry.get("format") == "csv" and entry.get("name") in standard.PUBLISHED_TABLES:
            found[entry["name"]] = {"index": index, "entry": entry}
    return found


CSV_NOTE = "read the CSV tables: each against its hash, its Table Schema and its Parquet twin"
Engine = engines.Engine


def validate_tables(root: Path, today: dt.date | None = None, engine: Engine | None = None) -> Report:
    """Every problem of the built package at `root`, read from its descriptor and Parquet tables."""
    with engines.without_pandas():  # pyarrow would import it, for nothing (engines.without_pandas)
        return _validate_tables(root, today, engine)


def _validate_tables(root: Path, today: dt.date | None, engine: Engine | None) -> Report:
    run = engine or engines.local
    std = standard.load()
    layout = Layout(root)
    units, layout_name = units_of(root)
    notes = [f"read the Parquet tables: {layout_name}", CSV_NOTE]
    single = not (layout.tables / PARTITIONED).is_dir()  # the single-file layout is one unit of all tables
    described = _pool().submit(check_descriptor, std, root, single)  # hashing the files, beside the rules
    missing = [
        Problem(
            file=path,
            message="the file is missing",
            expected="every table of the package",
            code="missing-file",
        )
        for unit in units
        for path in unit.files.values()
        if not (root / path).is_file()
    ]
    if missing:
        return Report(sort_problems(described.result() + missing), notes)
    with_texts = has_texts(layout.sources)
    if not with_texts:
        notes.append("evidence quotes not compared with the archived texts: no data/sources/*.txt here")
    when = today or dt.datetime.now(dt.UTC).date()
    where = str(root.resolve())  # workers elsewhere open the same absolute path (a shared filesystem)
    groups = [units] if single else _groups(root, units)
    resources = _csv_resources(layout)
    # A single file's CSV twin is read beside it, in its unit; partitions' twins and a derived table's alone.
    beside = {name: resources.get(name) for name in units[0].files} if single else {}
    tasks: list[engines.Task] = [
        partial(check_unit, where, group, when, with_texts, with_keys=single, csv=beside) for group in groups
    ]
    if not single:  # the rules across partitions: BUCKETS_PER_TASK buckets of the keys per partition task (and
        # at least one: bucket 0 checks the shared tables' own keys, even with no partition left)
        partition_tasks = max(1, sum(1 for g in groups if g[0].partition))
        tasks.append(across.shuffle(where, units, across.BUCKETS_PER_TASK * partition_tasks))
    tasks += [
        partial(check_csv, where, name, resources.get(name)) for name in standard.PUBLISHED_TABLES if name not in beside
    ]
    results = run(tasks)
    if not single:  # the shuffle's result: each bucket's problems
        at = len(groups)
        results[at : at + 1] = results[at]
    problems = [p for result in results for p in result]
    return Report(sort_problems(described.result() + problems), notes)
