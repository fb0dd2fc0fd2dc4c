"""The built tables -> Parquet partitions sized for engines, for checks that run partition by partition.

By default the incidents are cut, in the order of the built tables, into partitions of about `target` bytes
of Parquet (100 MB: what Dask, Spark and DuckDB read well as one task), written as
`data/tables/partitioned/<table>/part-00000.parquet`, `part-00001.parquet`, ... With keys (`--by year,country`)
each key's incidents are cut the same way inside Hive-style folders:
`<table>/year=2024/country=SYR/part-00000.parquet` (many keys make many small files: a year-and-country
layout of a million incidents is about 2,000 files; keys are for readers that prune on them).

A partition's size is that of its largest file (incidents', in practice): the number of files of a key is
its largest table's Parquet bytes over the target, rounded up, and the incidents are cut where their rows'
estimated bytes (each table's bytes per row, times the incident's rows in it) reach each share.

An incident's child rows (actors, evidence, revisions) go to its partition, so each partition is
self-contained and its row rules need no other file; a child row of no incident goes to the last partition
(with keys: to the keys' default partition). Actors and sources, which any incident may cite, stay whole
(`<table>/part-00000.parquet`). Every partition holds all the incident tables (empty where it has no rows).
Rows keep the order of the built tables, so the same tables always give the same bytes.

Memory: the key columns of every table, plus the rows of the partitions being written. The built tables are
in incident order, so without keys a partition's rows are consecutive and are written as soon as they are
read (about one partition of each table in memory); with keys a key's rows are spread over the whole table,
which is then held until the end of its read.

The folder is written under the build lock (the tables it reads are whole) into the build's staging folder
and swapped in by core.output_set: readers, and a command after a kill, find the old folder or the new one
whole.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from incidents.build import encode
from incidents.core import atomic, output_set
from incidents.core.layout import Layout
from incidents.validate import engines
from incidents.validate.partitions import (
    HIVE_NULL,
    INCIDENT_TABLES,
    PARTITIONED,
    SHARED_TABLES,
    part_file,
)

KEYS = ("year", "country")
TARGET_MB = 100.0
MB = 1024**2
RUNS = 256  # above this many runs of one partition's rows in a row group, its rows are sorted, not sliced


class PartitionError(Exception):
    """The partitioning asked for cannot be done (an unknown key, the built tables missing)."""


def parse_keys(text: str) -> tuple[str, ...]:
    """`` (none), `year`, `country` or `year,country` -> the partition keys, in that order."""
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in keys if k not in KEYS]
    if unknown or len(set(keys)) != len(keys):
        raise PartitionError(f"--by {text!r}: expected year, country or year,country (or nothing: by size alone)")
    return keys


def key_of(incidents: pa.Table, keys: tuple[str, ...]) -> pa.Array:
    """Each incident's key folder, e.g. "year=2024/country=SYR" (no date: Hive's default partition)."""
    values = {
        "year": pc.fill_null(pc.cast(pc.year(incidents.column("date_start")), pa.string()), HIVE_NULL),
        "country": pc.fill_null(incidents.column("country"), HIVE_NULL),
    }
    parts = [pc.binary_join_element_wise(f"{k}=", values[k], "") for k in keys]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "/")
    return pc.cast(joined, pa.string()).combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


@dataclass(frozen=True)
class Plan:
    """Where every row goes: `labels[k]` is partition k's path inside a table's folder (without .parquet),
    `rows[table][i]` the partition of the table's row i."""

    labels: list[str]
    rows: dict[str, np.ndarray]


def plan(layout: Layout, keys: tuple[str, ...], target_bytes: float) -> Plan:
    """Each row's partition, from the key columns and the files' sizes (see the module)."""
    paths = {name: layout.tables / f"{name}.parquet" for name in INCIDENT_TABLES}
    incidents = pq.read_table(paths["incidents"], columns=["incident_id", "date_start", "country"])
    ids = incidents.column("incident_id")
    owners = {
        name: np.asarray(
            pc.fill_null(pc.index_in(pq.read_table(paths[name], columns=["incident_id"]).column(0), value_set=ids), -1)
        )
        for name in INCIDENT_TABLES[1:]
    }
    n = incidents.num_rows
    # each incident's estimated Parquet bytes in each table: the table's bytes per row, times its rows there
    weights = {"incidents": np.full(n, paths["incidents"].stat().st_size / max(n, 1))}
    for name, owner in owners.items():
        per_row = paths[name].stat().st_size / max(len(owner), 1)
        weights[name] = np.bincount(owner[owner >= 0], minlength=n) * per_row
    if keys:
        dictionary = key_of(incidents, keys).dictionary_encode()
        names, codes = dictionary.dictionary.to_pylist(), np.asarray(dictionary.indices)
    else:
        names, codes = [""], np.zeros(n, dtype=np.int64)
    orphans = "/".join(f"{k}={HIVE_NULL}" for k in keys)
    if keys and orphans not in names and any((owner < 0).any() for owner in owners.values()):
        names.append(orphans)  # child rows of no incident, with keys: the default partition
    labels: list[str] = []
    chunk = np.zeros(n, dtype=np.int64)
    first_of: dict[str, int] = {}
    for code in sorted(range(len(names)), key=lambda c: names[c]):
        rows = np.flatnonzero(codes == code)
        shares = {name: float(w[rows].sum()) for name, w in weights.items()}
        count = max(1, math.ceil(max(shares.values(), default=0.0) / target_bytes))
        total = np.sum([w[rows] for w in weights.values()], axis=0)
        before = np.cumsum(total) - total
        whole = float(before[-1] + total[-1]) if len(rows) else 0.0
        cut = np.minimum((before * count / whole).astype(np.int64), count - 1) if whole else np.zeros(len(rows), int)
        used = np.unique(cut)  # a share no incident starts in (one heavy incident spans two) makes no file
        first_of[names[code]] = len(labels)
        chunk[rows] = len(labels) + np.searchsorted(used, cut)
        labels += [part_file(names[code], k) for k in range(len(used))]
    last = first_of[orphans] if keys and orphans in first_of else len(labels) - 1
    if not labels:
        labels.append(part_file("", 0))
        last = 0
    out = {"incidents": chunk}
    for name, owner in owners.items():
        out[name] = np.where(owner >= 0, chunk[np.maximum(owner, 0)] if n else 0, last)
    return Plan(labels, out)


def partition(root: Path, keys: tuple[str, ...] = (), target_mb: float = TARGET_MB) -> Path:
    """Write the partitioned layout of the built tables at `root`; returns its folder."""
    if not target_mb > 0:
        raise PartitionError(f"--target-mb {target_mb}: expected a size in MB above 0, e.g. 100")
    layout = Layout(root)
    missing = [name for name in (*INCIDENT_TABLES, *SHARED_TABLES) if not (layout.tables / f"{name}.parquet").is_file()]
    if missing:
        raise PartitionError(
            f"no built table {', '.join(missing)} in {layout.rel(layout.tables)}: run `incidents build`"
        )
    target = layout.tables / PARTITIONED
    try:
        with FileLock(layout.lock, timeout=0):
            for refused in output_set.settle(layout):
                raise PartitionError(f"{refused.file}: {refused.message} (expected {refused.expected})")
            staged = output_set.begin(layout) / layout.rel(target)
            try:
                for path, content in _parts(layout, keys, target_mb * MB):
                    (staged / path).parent.mkdir(parents=True, exist_ok=True)
                    atomic.write_new({staged / path: content})
                output_set.commit(layout, [layout.rel(target)])
            finally:
                output_set.settle(layout)  # failed before its commit: the staged folder is removed
    except Timeout:
        raise PartitionError("another build holds the lock on this dataset: wait for it and run again") from None
    return target


def _parts(layout: Layout, keys: tuple[str, ...], target_bytes: float) -> Iterator[tuple[str, bytes]]:
    """The partitioned folder's files (path inside it, content), written as their rows are read."""
    engines.use_jemalloc()  # many large short-lived buffers (see engines.use_jemalloc)
    where = plan(layout, keys, target_bytes)
    for name in INCIDENT_TABLES:
        for k, table in _split(layout.tables / f"{name}.parquet", where.rows[name], len(where.labels)):
            yield f"{name}/{where.labels[k]}.parquet", encode.parquet_bytes(table)
    for name in SHARED_TABLES:
        whole = pq.read_table(layout.tables / f"{name}.parquet")
        yield f"{name}/{part_file('', 0)}.parquet", encode.parquet_bytes(whole)


def _split(path: Path, chunk: np.ndarray, count: int) -> Iterator[tuple[int, pa.Table]]:
    """The rows of the table at `path`, partition by partition (0 .. count-1, each in the table's row order),
    each yielded once the last of its rows is read."""
    file = pq.ParquetFile(path)
    schema = file.schema_arrow
    last = np.full(count, -1, dtype=np.int64)
    np.maximum.at(last, chunk, np.arange(len(chunk)))
    pending: dict[int, list[pa.Table]] = {}
    done = 0  # partitions before this one are written
    start = 0
    for group in range(file.metadata.num_row_groups):
        batch = file.read_row_group(group)  # whole row groups: reading them in smaller batches was 10x slower
        rows = chunk[start : start + batch.num_rows]
        runs = np.flatnonzero(np.diff(rows)) + 1  # where the partition changes: rarely, in incident order
        if not len(rows):
            continue
        if len(runs) < RUNS:
            for begin, end in zip([0, *runs.tolist()], [*runs.tolist(), len(rows)], strict=True):
                pending.setdefault(int(rows[begin]), []).append(batch.slice(begin, end - begin))
        else:
            order = np.argsort(rows, kind="stable")
            for piece in np.split(order, np.flatnonzero(np.diff(rows[order])) + 1):
                pending.setdefault(int(rows[piece[0]]), []).append(batch.take(pa.array(piece)))
        start += batch.num_rows
        while done < count and last[done] < start:
            yield done, _whole(pending.pop(done, []), schema)
            done += 1
    while done < count:
        yield done, _whole(pending.pop(done, []), schema)
        done += 1


def _whole(pieces: list[pa.Table], schema: pa.Schema) -> pa.Table:
    return pa.concat_tables(pieces) if pieces else pa.Table.from_batches([], schema=schema)
