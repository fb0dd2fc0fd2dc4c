"""Layers 1 and 2, file by file: read, hash, parse and schema-check contributed files, and flatten the good
ones (and those that failed their schema, with the failing values left out: left_out) into table rows.
Many files are shared out over the machine's cores; a few are checked in-process.

What comes back is columnar (Arrow), so that it crosses process boundaries and goes into the build cache
cheaply: one row per file (`FILES`: its hash, stat, whether its rows count, the fingerprints continuity
needs) and the table rows of the good files, each tagged with its file (`_file`) and its position in the
record's list (`_pos`), which is how a problem found on a row is pointed back at a file and a line.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from incidents import records, standard
from incidents.build import tables
from incidents.core import git_tracked as worktree
from incidents.core import page_cache
from incidents.core.problems import Problem
from incidents.records import Loaded, dataset
from incidents.records.fingerprints import fingerprints as fingerprints_of
from incidents.validate import engines
from incidents.validate import schema_layer as schemacheck

PARALLEL_FROM = 2000  # fewer files are checked in-process: starting workers costs more than it saves
CHUNK = 1000

Item = tuple[str, str, str]  # kind (record, actor, source, text), path on disk, path as shown
TEXT = "text"

FILES = pa.schema(
    [
        ("path", pa.string()),
        ("kind", pa.string()),
        ("digest", pa.string()),  # sha256 of the bytes
        ("object_id", pa.string()),  # git's id of the same bytes (worktree.object_id)
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("ctime_ns", pa.int64()),
        ("ino", pa.int64()),
        ("rows", pa.bool_()),  # passed its schema: its rows are in the tables
        ("clean", pa.bool_()),  # no problem at all: its rows may be cached
        ("incident_id", pa.string()),  # the id a record file holds, read or not valid
        # a record's fingerprints (records/fingerprints.py), which the continuity check compares
        ("status", pa.string()),
        ("numbers", pa.list_(pa.int64())),
        ("history", pa.list_(pa.string())),
        ("status_changed", pa.list_(pa.bool_())),
        ("content", pa.string()),
    ]
)
ROW_META = [pa.field("_file", pa.string()), pa.field("_pos", pa.int64())]
RECORD_TABLES = ("incidents", *(child for child, _ in standard.RECORD_CHILDREN.values()))
KIND_TABLES = {"record": RECORD_TABLES, "actor": ("actors",), "source": ("sources",)}


def row_schema(std: standard.Standard, name: str) -> pa.Schema:
    """A table's rows as the checker keeps them: the standard's columns, then where each row came from."""
    schema = std.arrow_schema(name)
    return pa.schema([*schema, *ROW_META], metadata=schema.metadata)


@dataclass
class Batch:
    """Checked files: one row each in `files`, the rows of the files that passed their schemas and of those
    that failed with values left out (`left_out`: by file, the fields left out), and every problem found."""

    files: pa.Table
    rows: dict[str, pa.Table]
    problems: list[Problem]
    left_out: dict[str, tuple[str, ...]] = field(default_factory=dict)


@cache
def _schemas() -> tuple[standard.Standard, schemacheck.Schemas]:
    std = standard.load()
    return std, schemacheck.Schemas(std)


def read(path: Path, display: str) -> tuple[Loaded, os.stat_result | None, dict[str, str]]:
    """One file parsed, with its stat (taken before reading) and the hashes of its bytes (`_hashes`). Anything
    but a regular file within the size limit (a symlink, a FIFO, a file too large) is refused unread, as
    `records.read` does."""
    try:
        info = os.lstat(path)
    except OSError:
        return records.read(path, display), None, {}
    if not stat.S_ISREG(info.st_mode) or info.st_size > records.MAX_FILE_BYTES:
        return records.read(path, display), None, {}
    content = path.read_bytes()
    return records.parse(content, display), info, _hashes(content)


def _hashes(content: bytes) -> dict[str, str]:
    """What the cache knows a file's bytes by: their sha256, and git's object id (see worktree)."""
    return {"digest": hashlib.sha256(content).hexdigest(), "object_id": worktree.object_id(content)}


def check_chunk(items: Sequence[Item], fingerprints: bool = True) -> Batch:
    """Check a list of files in this process; continuity's fingerprints only if asked (a release exists)."""
    with engines.collector_paused():
        return _check_chunk(items, fingerprints)


def _check_chunk(items: Sequence[Item], fingerprints: bool) -> Batch:
    std, schemas = _schemas()
    files: list[dict[str, Any]] = []
    problems: list[Problem] = []
    good: dict[str, list[tuple[str, dict[str, Any]]]] = {kind: [] for kind in KIND_TABLES}  # files with rows
    left_out: dict[str, tuple[str, ...]] = {}
    for kind, path, display in items:
        if kind == TEXT:
            files.append(_text(path, display))
            continue
        loaded, info, hashes = read(Path(path), display)
        found = list(loaded.problems)
        row: dict[str, Any] = {"path": display, "kind": kind, "digest": "", **hashes, "rows": False}
        if info is not None:
            row.update(size=info.st_size, mtime_ns=info.st_mtime_ns, ctime_ns=info.st_ctime_ns, ino=info.st_ino)
        if isinstance(loaded.data, dict) and isinstance(loaded.data.get("incident_id"), str):
            row["incident_id"] = loaded.data["incident_id"]
        if not found:
            found, kept = schemas.check_values(kind, loaded)
            if all(p.code == "file-name" for p in found):  # a misnamed file still counts for duplicate ids
                row["rows"] = True
                good[kind].append((display, loaded.data))
                if kind == "record" and fingerprints:
                    row.update(fingerprints_of(loaded.data))
            elif kept is not None and _makes_rows(std, kind, kept):  # the rest still goes through the rules
                good[kind].append((display, kept))
                left_out[display] = tuple(p.field for p in found if p.field and p.code != "file-name")
        row["clean"] = not found and info is not None
        problems.extend(found)
        files.append(row)
    return Batch(pa.Table.from_pylist(files, schema=FILES), _rows(std, good), problems, left_out)


def _makes_rows(std: standard.Standard, kind: str, kept: dict[str, Any]) -> bool:
    """Whether a file's data with the failing values left out (left_out) makes table rows. The JSON Schema
    errors may not name every value a column cannot take (one inside a value reported, say): such a file
    stays out of the tables, as any file that fails its schema once did."""
    try:
        _rows(std, {name: [("", kept)] if name == kind else [] for name in KIND_TABLES})
    except (pa.ArrowException, TypeError, ValueError, KeyError, OverflowError):
        return False
    return True


def _text(path: str, display: str) -> dict[str, Any]:
    """An archived source text: its hash and stat, so that a later run knows whether it changed. Whether it
    is the text its source names is checked with the source (dataset.read_source_texts)."""
    row: dict[str, Any] = {"path": display, "kind": TEXT, "digest": "", "rows": False, "clean": False}
    try:
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size <= dataset.MAX_SOURCE_BYTES:
            with open(path, "rb") as handle:
                row.update(_hashes(handle.read()))
            row.update(size=info.st_size, mtime_ns=info.st_mtime_ns, ctime_ns=info.st_ctime_ns, ino=info.st_ino)
            row["clean"] = True
    except OSError:
        pass
    return row


def _rows(std: standard.Standard, good: dict[str, list[tuple[str, dict[str, Any]]]]) -> dict[str, pa.Table]:
    records_ = good["record"]
    built, origins = tables.from_records(std, [data for _, data in records_], [], [])
    built["actors"] = tables.table_from_rows(std, "actors", [data for _, data in good["actor"]])
    built["sources"] = tables.table_from_rows(std, "sources", [data for _, data in good["source"]])
    origins["actors"] = [(i, ()) for i in range(len(good["actor"]))]
    origins["sources"] = [(i, ()) for i in range(len(good["source"]))]
    out = {}
    for name, table in built.items():
        owners = records_ if name in RECORD_TABLES else good["actor" if name == "actors" else "source"]
        where = origins[name]
        file_column = pa.array([owners[index][0] for index, _ in where], pa.string())
        pos_column = pa.array([prefix[1] if prefix else None for _, prefix in where], pa.int64())
        out[name] = pa.Table.from_arrays([*table.columns, file_column, pos_column], schema=row_schema(std, name))
    return out


def concat(batches: Sequence[Batch], std: standard.Standard) -> Batch:
    files = pa.concat_tables([b.files for b in batches]) if batches else FILES.empty_table()
    rows = {
        name: pa.concat_tables([b.rows[name] for b in batches]) if batches else row_schema(std, name).empty_table()
        for name in standard.TABLES
    }
    return Batch(
        files, rows, [p for b in batches for p in b.problems], {k: v for b in batches for k, v in b.left_out.items()}
    )


def check_files(items: Sequence[Item], fingerprints: bool = True, jobs: int | None = None) -> Batch:
    """Check every file: in-process below PARALLEL_FROM files, otherwise in chunks over `jobs` processes
    (default: the machine's cores). The result does not depend on how the work was shared out."""
    std = standard.load()
    jobs = jobs or os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or jobs < 2:
        return concat([check_chunk(items, fingerprints)], std)
    page_cache.read_ahead([path for _, path, _ in items])  # the order the workers take them in
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    context = multiprocessing.get_context("forkserver")  # fresh workers: forking a threaded process is unsafe
    try:
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            return concat(list(pool.map(partial(check_chunk, fingerprints=fingerprints), chunks)), std)
    except concurrent.futures.process.BrokenProcessPool:  # workers could not start (e.g. run from stdin)
        return concat([check_chunk(items, fingerprints)], std)
