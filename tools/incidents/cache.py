"""The build cache, `.incidents-cache/` (never committed): what earlier runs learnt from files that passed
every per-file check, so that a rebuild parses and schema-checks only new and changed files.

It holds one row per file (`filecheck.FILES`: the sha256 of its bytes, its stat, continuity's fingerprints)
and the good files' table rows. A file's rows are reused only while its bytes hash to the recorded sha256.
To avoid reading every file on every run, a file whose size, mtime, ctime and inode all equal the recorded
ones is taken to have the recorded hash, as git's index does; that shortcut is refused for a file modified
within `RACY_NS` of when its stat was recorded (a change in the same clock tick would not show).

Nothing in it is trusted unchecked: `meta.json` names the cache format, the toolkit's version and a hash of
the standard, and the sha256 of every other file in the folder. Anything that does not match (a corrupt,
truncated, foreign or half-written cache) is ignored, and the next run rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from . import __version__, atomic, filecheck, standard
from .layout import Layout

FORMAT = 1
RACY_NS = 2_000_000_000


def stamp(std: standard.Standard, fingerprints: bool) -> str:
    """What the cached rows depend on besides the files themselves: the cache format, the code, the standard,
    and whether continuity's fingerprints were taken (only once a release exists)."""
    shape = json.dumps(
        {
            "format": FORMAT,
            "version": __version__,
            "pyarrow": pa.__version__,
            "tables": std.tables,
            "fingerprints": fingerprints,
        },
        sort_keys=True,
        default=str,
    )
    codelists = json.dumps({name: list(c.codes) for name, c in std.codelists.items()}, sort_keys=True)
    return hashlib.sha256((shape + codelists).encode("utf-8")).hexdigest()


@dataclass
class Cache:
    files: pa.Table  # filecheck.FILES, clean files only
    rows: dict[str, pa.Table]  # filecheck.row_schema, rows of those files


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")  # a fraction of the bytes to write, hash and read
    with pa.ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def load(layout: Layout, std: standard.Standard, fingerprints: bool) -> Cache | None:
    """The cache, or None if it is missing, foreign or damaged in any way."""
    folder = layout.cache
    try:
        meta = json.loads((folder / "meta.json").read_bytes())
        if meta.get("stamp") != stamp(std, fingerprints) or set(meta["files"]) != {"files", *standard.TABLES}:
            return None
        expected = {"files": filecheck.FILES, **{name: filecheck.row_schema(std, name) for name in standard.TABLES}}
        read = {}
        for name, digest in meta["files"].items():
            content = (folder / f"{name}.arrow").read_bytes()
            if hashlib.sha256(content).hexdigest() != digest:
                return None
            table = pa.ipc.open_file(pa.BufferReader(content)).read_all()
            if not table.schema.equals(expected[name], check_metadata=False):
                return None
            read[name] = table
        return Cache(read.pop("files"), read)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def save(layout: Layout, std: standard.Standard, fingerprints: bool, cache: Cache, recorded_ns: int) -> None:
    """Write the tables first and `meta.json` (which vouches for them by hash) last, each atomically.
    `recorded_ns` is a time before any of the stats in `cache.files` was taken."""
    tables = {"files": smudge_racy(cache.files, recorded_ns), **cache.rows}
    contents = {name: _ipc(table.combine_chunks()) for name, table in tables.items()}
    atomic.write_all({layout.cache / f"{name}.arrow": content for name, content in contents.items()})
    meta = {
        "stamp": stamp(std, fingerprints),
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in contents.items()},
    }
    atomic.write(layout.cache / "meta.json", json.dumps(meta, indent=1, sort_keys=True).encode("utf-8"))
    ignore = layout.cache / ".gitignore"  # a cache put elsewhere than the repository's ignored folder
    if not ignore.exists():
        atomic.write(ignore, b"*\n")


def unchanged(cache: Cache, stats: dict[str, tuple[int, int, int, int]]) -> set[str]:
    """Paths whose stat (size, mtime, ctime, inode) equals the recorded one: their recorded hash is taken as
    theirs without reading them (racily recorded stats never match, see `smudge_racy`)."""
    files = cache.files
    recorded = zip(*(files.column(c).to_pylist() for c in ("path", "size", "mtime_ns", "ctime_ns", "ino")), strict=True)
    return {path for path, *info in recorded if stats.get(path) == tuple(info)}


def smudge_racy(files: pa.Table, recorded_ns: int) -> pa.Table:
    """Forget the size of files modified within RACY_NS of when their stat was taken: a change made in the
    same clock tick would leave the stat as it was, so such files are hashed again next time."""
    limit = recorded_ns - RACY_NS
    racy = pc.or_kleene(
        pc.greater_equal(files.column("mtime_ns"), limit), pc.greater_equal(files.column("ctime_ns"), limit)
    )
    size = pc.if_else(pc.fill_null(racy, True), pa.scalar(-1, pa.int64()), files.column("size"))
    return files.set_column(files.schema.get_field_index("size"), "size", size)


def keep(cache: Cache, paths: set[str]) -> Cache:
    """The cache restricted to `paths` (files whose bytes are known to be unchanged). Filtered by the
    paths dropped, usually far fewer than those kept."""
    cached = cache.files.column("path")
    dropped = pa.array(sorted(set(cached.to_pylist()) - paths), pa.string())
    files = cache.files.filter(pc.invert(pc.is_in(cached, value_set=dropped)))
    rows = {name: t.filter(pc.invert(pc.is_in(t.column("_file"), value_set=dropped))) for name, t in cache.rows.items()}
    return Cache(files, rows)


def digests(cache: Cache) -> dict[str, str]:
    return dict(zip(cache.files.column("path").to_pylist(), cache.files.column("digest").to_pylist(), strict=True))


def restat(files: pa.Table, stats: dict[str, tuple[int, int, int, int] | None]) -> pa.Table:
    """`files` with the stats of the files in `stats` replaced (files found unchanged by their hash)."""
    if not stats:
        return files
    paths = files.column("path").to_pylist()
    names = ("size", "mtime_ns", "ctime_ns", "ino")
    for index, name in enumerate(names):
        values = files.column(name).to_pylist()
        for row, path in enumerate(paths):
            if path in stats:
                found = stats[path]
                values[row] = found[index] if found else None
        files = files.set_column(files.schema.get_field_index(name), name, pa.array(values, pa.int64()))
    return files
