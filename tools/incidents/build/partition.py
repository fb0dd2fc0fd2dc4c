"""The built tables -> Hive-style partitioned Parquet, for checks that run partition by partition.

`data/tables/partitioned/<table>/year=2024/country=SYR/part-0.parquet`: an incident's child rows (actors,
evidence, revisions) go to its partition, so each partition is self-contained and its row rules need no other
file; actors and sources, which any incident may cite, stay whole (`<table>/part-0.parquet`). Every partition
holds all four incident tables (empty where it has no rows). Rows keep the order of the built tables, so the
same tables always give the same bytes. The folder is written under the build lock (the tables it reads are
whole) into the build's staging folder and swapped in by core.output_set: readers, and a command after a
kill, find the old folder or the new one whole.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from incidents.build import encode
from incidents.core import atomic, output_set
from incidents.core.layout import Layout
from incidents.validate.partitions import HIVE_NULL, INCIDENT_TABLES, PART_FILE, PARTITIONED, SHARED_TABLES

KEYS = ("year", "country")


class PartitionError(Exception):
    """The partitioning asked for cannot be done (an unknown key, the built tables missing)."""


def parse_keys(text: str) -> tuple[str, ...]:
    """`year`, `country` or `year,country` -> the partition keys, in that order."""
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in keys if k not in KEYS]
    if not keys or unknown or len(set(keys)) != len(keys):
        raise PartitionError(f"--by {text!r}: expected year, country or year,country")
    return keys


def partition_of(incidents: pa.Table, keys: tuple[str, ...]) -> pa.Array:
    """Each incident's partition path, e.g. "year=2024/country=SYR" (no date: Hive's default partition)."""
    values = {
        "year": pc.fill_null(pc.cast(pc.year(incidents.column("date_start")), pa.string()), HIVE_NULL),
        "country": pc.fill_null(incidents.column("country"), HIVE_NULL),
    }
    parts = [pc.binary_join_element_wise(f"{k}=", values[k], "") for k in keys]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "/")
    return pc.cast(joined, pa.string()).combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def split(table: pa.Table, parts: pa.Array) -> dict[str, pa.Table]:
    """The rows of `table` grouped by `parts` (one value per row), each group in the table's row order."""
    order = pc.sort_indices(parts)  # stable: rows of one partition keep their order
    ordered, labels = table.take(order), parts.take(order)
    counts = pc.value_counts(labels)  # in order of first appearance, which is sorted here
    out, offset = {}, 0
    for label, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True):
        out[label] = ordered.slice(offset, count)
        offset += count
    return out


def partition(root: Path, keys: tuple[str, ...]) -> Path:
    """Write the partitioned layout of the built tables at `root`; returns its folder."""
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
                files = {staged / part: content for part, content in _parts(layout, keys).items()}
                for path in files:
                    path.parent.mkdir(parents=True, exist_ok=True)
                atomic.write_new(files)
                output_set.commit(layout, [layout.rel(target)])
            finally:
                output_set.settle(layout)  # failed before its commit: the staged folder is removed
    except Timeout:
        raise PartitionError("another build holds the lock on this dataset: wait for it and run again") from None
    return target


def _parts(layout: Layout, keys: tuple[str, ...]) -> dict[str, bytes]:
    """The partitioned folder's files, by path inside it."""
    incidents = pq.read_table(layout.tables / "incidents.parquet")
    parts = partition_of(incidents, keys)
    ids = incidents.column("incident_id")

    def parts_of(table: pa.Table) -> pa.Array:
        # a child row of no incident (a dangling reference) goes to the default partition: nothing is lost
        found = pc.take(parts, pc.index_in(table.column("incident_id"), value_set=ids))
        return pc.fill_null(found, _orphans(keys))

    paths = {name: layout.tables / f"{name}.parquet" for name in INCIDENT_TABLES}
    labels = set(parts.to_pylist())
    for name in INCIDENT_TABLES[1:]:
        labels |= set(pc.unique(parts_of(pq.read_table(paths[name], columns=["incident_id"]))).to_pylist())
    files = {}
    for name in INCIDENT_TABLES:
        table = incidents if name == "incidents" else pq.read_table(paths[name])
        groups = split(table, parts if name == "incidents" else parts_of(table))
        for label in sorted(labels):
            files[f"{name}/{label}/{PART_FILE}"] = encode.parquet_bytes(groups.get(label, table.schema.empty_table()))
    for name in SHARED_TABLES:
        files[f"{name}/{PART_FILE}"] = encode.parquet_bytes(pq.read_table(layout.tables / f"{name}.parquet"))
    return files


def _orphans(keys: tuple[str, ...]) -> str:
    return "/".join(f"{k}={HIVE_NULL}" for k in keys)
