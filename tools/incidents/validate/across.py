"""The rules across partitions (unique ids, references, merge targets, one record per incident, each child
row in its incident's partition), as a shuffle that an engine spreads over processes or machines.

Each map task reads the key columns of one partition and splits its rows into buckets: an incident's rows
and its child rows by a hash of `incident_id` (so every row holding an id, in whatever partition, meets the
others in one bucket), merged incidents also by a hash of `merged_into` (so each meets its target), and the
incidents with their actors and evidence by a hash of their date and country (so records that could be the
same incident meet). Each reduce task checks one bucket with the rules of `rules` (`whole` holding what the
bucket's rows point at), reading the small shared tables (actors, sources) whole. No process ever holds
more than a bucket of the keys; the findings are those of the same rules run on the whole dataset.

A problem names the partition file and the row of the row it is about, as the per-partition checks do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incidents import standard
from incidents.core.problems import Problem
from incidents.validate import engines
from incidents.validate import rules as checks
from incidents.validate.cells import conform
from incidents.validate.descriptor import check_schema
from incidents.validate.partitions import INCIDENT_TABLES, Unit
from incidents.validate.rules.actors import check_actor_cycles
from incidents.validate.rules.duplicates import COLUMNS as SIGNATURE_COLUMNS
from incidents.validate.rules.duplicates import check_duplicate_incidents
from incidents.validate.rules.keys import check_keys, check_merge_targets

# Buckets of keys for each partition task. At 10M incidents in 7 partitions, one bucket a task held the keys
# of 1.4M incidents and their child rows, and a reduce peaked at 2.9 GiB; four a task, at 0.9 GiB, in about
# the same total time. A Dask worker runs a reduce beside the map results it holds (a map peaks at 3.7 GiB),
# within a third of 24 GiB at 3 workers.
BUCKETS_PER_TASK = 4
PIECE, ROW = "__piece", "__row"  # which partition a row comes from, and its row there
MERGING = "merging"  # the merged incidents whose target hashes to the bucket
SAME = "same:"  # the tables of the one-record-per-incident rule, bucketed by date and country


@dataclass
class Keys:
    """One bucket's rows from one partition (a piece of a map task's result)."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    blocked: bool = False  # a file whose columns the rules cannot read (reported by the partition's task)

    def __sizeof__(self) -> int:
        """Its tables' bytes. Dask sizes a task's result with sys.getsizeof (dask.sizeof's default), which would
        see a small object: the 2.1 GiB of keys a map task returns at 10M incidents counted as unmanaged memory,
        which Dask never spills to disk, and workers with a third of 24 GiB each were restarted until the run
        failed."""
        return object.__sizeof__(self) + sum(table.nbytes for table in self.tables.values())


def shuffle(root: str, units: Sequence[Unit], buckets: int) -> engines.Shuffle:
    """The map and reduce tasks for the partitions `units` (the shared tables' unit last)."""
    parts = [u for u in units if u.partition]
    shared = next((u.files for u in units if not u.partition), {})
    labels = [u.partition for u in parts]
    files = [u.files for u in parts]
    return engines.Shuffle(
        maps=[partial(split_keys, root, index, unit, buckets) for index, unit in enumerate(parts)],
        reduces=[partial(check_bucket, root, labels, files, shared, bucket) for bucket in range(buckets)],
    )


def split_keys(root: str, index: int, unit: Unit, buckets: int) -> list[Keys]:
    """Map: the key columns of partition `index`, one Keys per bucket."""
    engines.use_jemalloc()  # process-wide, so set by each task, wherever it runs
    std = standard.load()
    base = Path(root)
    out = [Keys() for _ in range(buckets)]
    if any(_blocking(check_schema(std, name, base / path, path)) for name, path in unit.files.items()):
        return [Keys(blocked=True) for _ in range(buckets)]
    read = {}
    for name in INCIDENT_TABLES:
        columns = checks.key_columns(std, name)
        table, _ = conform(pq.read_table(base / unit.files[name], columns=columns), std.arrow_schema(name))
        read[name] = table.append_column(PIECE, pa.array(np.full(len(table), index, np.int32))).append_column(
            ROW, pa.array(np.arange(len(table), dtype=np.int64))
        )
    incidents = read["incidents"]
    by_id = {name: _bucket(_hash(table.column("incident_id")), buckets) for name, table in read.items()}
    merged = pc.fill_null(
        pc.and_(pc.equal(incidents.column("status"), "merged"), pc.is_valid(incidents.column("merged_into"))), False
    )
    merging = incidents.filter(merged)
    by_target = _bucket(_hash(merging.column("merged_into")), buckets)
    same = _bucket(_signature_hash(incidents), buckets)
    ids = incidents.column("incident_id")
    owner = {  # each child row's row in the partition's incidents, once (-1: none)
        name: np.asarray(pc.fill_null(pc.index_in(read[name].column("incident_id"), value_set=ids), -1))
        for name in SIGNATURE_COLUMNS
        if name != "incidents"
    }
    for bucket, keys in enumerate(out):
        for name, table in read.items():
            keys.tables[name] = table.filter(pa.array(by_id[name] == bucket))
        keys.tables[MERGING] = merging.filter(pa.array(by_target == bucket))
        for name in SIGNATURE_COLUMNS:  # a child row goes with its incident in this partition (else: see check_bucket)
            if name == "incidents":
                mask = same == bucket
            else:
                found = owner[name]
                mask = (found >= 0) & (same[np.maximum(found, 0)] == bucket) if len(same) else found >= 0
            keys.tables[SAME + name] = read[name].filter(pa.array(mask))
    return out


def check_bucket(
    root: str,
    labels: list[str],
    files: list[dict[str, str]],
    shared: dict[str, str],
    bucket: int,
    *pieces: Keys,
) -> list[Problem]:
    """Reduce: the rules across partitions on one bucket's rows of every partition (`pieces`, in the
    partitions' order); the shared tables' own rules (their keys, actor cycles) in bucket 0 only."""
    engines.use_jemalloc()
    std = standard.load()
    base = Path(root)
    if any(p.blocked for p in pieces) or any(
        _blocking(check_schema(std, name, base / path, path)) for name, path in shared.items()
    ):
        return []  # the partitions' tasks report the schema problems; the keys cannot be read as the standard's
    names = [*INCIDENT_TABLES, MERGING, *(SAME + n for n in SIGNATURE_COLUMNS)]
    got = {name: pa.concat_tables([p.tables[name] for p in pieces]) for name in names} if pieces else {}
    whole = {
        name: conform(pq.read_table(base / path, columns=checks.key_columns(std, name)), std.arrow_schema(name))[0]
        for name, path in shared.items()
    }
    problems: list[Problem] = []

    def report(found: Iterable[checks.Finding], tables: dict[str, pa.Table]) -> None:
        for finding in found:
            problems.append(_problem(finding, tables[finding.table], labels, files, shared))

    if got:
        # ids unique, child rows pointing at incidents, actors and sources: every row of an id is here
        incidents = got["incidents"]
        at = incidents.schema.get_field_index("merged_into")
        here = {name: got[name] for name in INCIDENT_TABLES} | whole
        here["incidents"] = incidents.set_column(at, "merged_into", pa.nulls(len(incidents), pa.string()))
        lookup = here | {"incidents": incidents}
        report(check_keys(std, here, INCIDENT_TABLES, lookup), here)
        # merged incidents whose target hashes here, against every row of that target id
        targets = {"incidents": got[MERGING]}
        report(
            (f for f in check_keys(std, targets, ["incidents"], lookup) if f.field == "merged_into"),
            targets,
        )
        report(check_merge_targets(targets, lookup), targets)
        # one record per incident: records that could be the same incident are in the same bucket
        same = {name: got[SAME + name] for name in SIGNATURE_COLUMNS}
        report(check_duplicate_incidents(same), same)
        if len(labels) > 1:
            problems += _misplaced(got, labels, files)
    if bucket == 0 and whole:
        report(check_keys(std, whole, list(whole)), whole)
        if "actors" in whole:
            report(check_actor_cycles(whole), whole)
    return problems


def _problem(
    finding: checks.Finding, table: pa.Table, labels: list[str], files: list[dict[str, str]], shared: dict[str, str]
) -> Problem:
    ids = table.column(standard.ID_FIELDS.get(finding.table, "incident_id"))
    if PIECE in table.column_names:
        piece, row = table.column(PIECE)[finding.row].as_py(), table.column(ROW)[finding.row].as_py()
        name = finding.table if finding.table in INCIDENT_TABLES else "incidents"
        path = files[piece][name]
    else:  # a shared table, read whole
        path, row = shared[finding.table], finding.row
    return Problem(
        file=path,
        line=row + 2,
        record=ids[finding.row].as_py(),
        field=finding.field,
        message=finding.message,
        expected=finding.expected,
        code=finding.code,
    )


def _misplaced(got: dict[str, pa.Table], labels: list[str], files: list[dict[str, str]]) -> list[Problem]:
    """A child row whose incident lies in another partition: the partition would not be self-contained. An
    id held by no incident is a dangling reference, one held twice a duplicate id: both reported as such."""
    incidents = got["incidents"]
    ids = incidents.column("incident_id")
    # how many incidents hold each id, at the first row holding it (where index_in finds an id)
    firsts = np.asarray(pc.fill_null(pc.index_in(ids, value_set=ids), -1))
    held = np.bincount(firsts[firsts >= 0], minlength=len(ids))
    holder = np.asarray(incidents.column(PIECE))
    problems = []
    for name in INCIDENT_TABLES[1:]:
        table = got[name]
        column = table.column("incident_id")
        at = np.asarray(pc.fill_null(pc.index_in(column, value_set=ids), -1))
        piece = np.asarray(table.column(PIECE))
        first = np.maximum(at, 0)
        away = (at >= 0) & (held[first] == 1) & (holder[first] != piece) if len(holder) else np.zeros(len(at), bool)
        rows = table.column(ROW)
        for k in np.flatnonzero(away).tolist():
            problems.append(
                Problem(
                    file=files[int(piece[k])][name],
                    line=rows[k].as_py() + 2,
                    record=column[k].as_py(),
                    field="incident_id",
                    message=f"the incident lies in partition {labels[int(holder[at[k]])]}",
                    expected=f"the rows of an incident in its own partition ({labels[int(piece[k])]} holds this row)",
                    code="partition",
                )
            )
    return problems


def _blocking(problems: list[Problem]) -> bool:
    """Schema problems the rules cannot run with: a file unreadable, a column missing or not the standard's."""
    return any(p.code != "column-type" for p in problems)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _hash(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A number per value, the same in every process (unlike Python's `hash`): the value's length and its
    last 8 bytes (the random part of a ULID), mixed. Nulls are 0."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    width: type[np.signedinteger] = np.int32
    if pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type):
        width = np.int64
    elif not pa.types.is_string(array.type):
        array = array.cast(pa.string())
    n = len(array)
    if n == 0:
        return np.zeros(0, np.uint64)
    offsets = np.frombuffer(array.buffers()[1], dtype=width)[array.offset : array.offset + n + 1].astype(np.int64)
    values = array.buffers()[2]
    data = np.frombuffer(values, dtype=np.uint8) if values is not None and values.size else np.zeros(1, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    mixed = (ends - starts).astype(np.uint64)
    with np.errstate(over="ignore"):
        for back in range(1, 9):
            at = ends - back
            present = at >= starts
            byte = np.where(present, data[np.where(present, at, 0)], 0).astype(np.uint64)
            mixed = mixed * np.uint64(257) + byte
        mixed = mixed * _MIX
    valid = np.asarray(pc.is_valid(array))
    return np.where(valid, mixed, np.uint64(0))


def _signature_hash(incidents: pa.Table) -> np.ndarray:
    """A number per incident from its date and country: records that could be the same incident (whose
    dates and countries are equal, among the rest) get the same number."""
    days = np.asarray(pc.fill_null(pc.cast(incidents.column("date_start"), pa.int32()), -1)).astype(np.int64)
    with np.errstate(over="ignore"):
        return _hash(incidents.column("country")) + days.view(np.uint64) * _MIX


def _bucket(hashed: np.ndarray, buckets: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return ((hashed * _MIX) >> np.uint64(33)) % np.uint64(buckets)
