"""The build cache, `.incidents-cache/` (never committed): what earlier runs learnt from files that passed
every per-file check, so that a rebuild parses and schema-checks only new and changed files.

It holds one row per file (`filecheck.FILES`: the sha256 of its bytes, its stat, continuity's fingerprints)
and the good files' table rows. A file's rows are reused only while its bytes hash to the recorded sha256.
To avoid reading every file on every run, a file whose size, mtime, ctime and inode all equal the recorded
ones is taken to have the recorded hash, as git's index does; that shortcut is refused for a file modified
within `RACY_NS` of when its stat was recorded (a change in the same clock tick would not show). In a git
checkout, a file git vouches for (worktree.vouched) is not stat-ed at all: it is unchanged if the cache
recorded the same git object id for it. The outputs the last build wrote are noted beside it (outputs.py).

It is written in segments, so that a rebuild after a small change writes a small file: the first segment
holds everything, each later one the files checked since (and a row without `clean` for a file gone or
changed), and a file's entry in a later segment replaces its entries in earlier ones. After MAX_SEGMENTS,
or when a change is large, the live part is written again as one segment.

After a check that found no problem, `meta.json` says `verified`: every rule passed on the files the cache
holds, taken together. The next check then runs the rules on rows only for what changed since
(`touched`); the cache it writes is verified again only if it finds no problem, else the check after it
runs every rule on every row.

Nothing in it is trusted unchecked: `meta.json` names the cache format, the toolkit's version and a hash of
the standard, and the sha256 of every other file in the folder. Anything that does not match (a corrupt,
truncated, foreign or half-written cache) is ignored, and the next run rebuilds it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from incidents import __version__, standard
from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.validate import files as filecheck

FORMAT = 3
MAX_SEGMENTS = 8
LARGE_CHANGE = 0.2  # the share of files changed above which the cache is written whole
RACY_NS = 2_000_000_000
# The modules whose code shapes the cached rows, and (for `verified`) the rules that passed them.
_SHAPERS = (
    "incidents.validate.files",
    "incidents.records",
    "incidents.validate.schema_layer",
    "incidents.build.tables",
    "incidents.validate.continuity",
    "incidents.release.snapshot",
    "incidents.records.fingerprints",
    "incidents.standard",
    "incidents.validate.rules",
    "incidents.validate.rules.findings",
    "incidents.validate.rules.fields",
    "incidents.validate.rules.keys",
    "incidents.validate.rules.incidents",
    "incidents.validate.rules.history",
    "incidents.validate.rules.evidence",
    "incidents.validate.rules.formulas",
    "incidents.build.encode",
    "incidents.records.dataset",
    "incidents.core.git_tracked",
)


def _source(module: str) -> str:
    """The file of a module, found without importing it."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return spec.origin


def stamp(std: standard.Standard, fingerprints: bool) -> str:
    """What the cached rows depend on besides the files themselves: the cache format, the toolkit (its
    version and the source of the modules that make the rows, so that an edited checkout counts as another
    version), the libraries that parse and check, the standard, and whether continuity's fingerprints were
    taken (only once a release exists)."""
    shape = json.dumps(
        {
            "format": FORMAT,
            "version": __version__,
            "libraries": [metadata.version(name) for name in ("pyarrow", "pyyaml", "jsonschema", "jsonschema-rs")],
            "tables": std.tables,
            "fingerprints": fingerprints,
        },
        sort_keys=True,
        default=str,
    )
    codelists = json.dumps({name: list(c.codes) for name, c in std.codelists.items()}, sort_keys=True)
    code = b"".join(Path(_source(name)).read_bytes() for name in _SHAPERS)
    return hashlib.sha256((shape + codelists).encode("utf-8") + code).hexdigest()


@dataclass
class Segment:
    files: pa.Table  # filecheck.FILES: clean files, and unclean rows for files that no longer count
    rows: dict[str, pa.Table]  # filecheck.row_schema: rows of the clean files
    digests: dict[str, str] | None = None  # of its files on disk, once written


@dataclass
class Cache:
    segments: list[Segment]
    verified: bool = False  # every rule passed on the files it holds, all together (the last check was clean)

    def live_files(self) -> pa.Table:
        """The files that count: clean, and not replaced by a later segment."""
        return self.live(rows=False)[0]

    def live(
        self, dropped: Iterable[str] = (), rows: bool = True
    ) -> tuple[pa.Table, dict[str, pa.Table], dict[str, pa.ChunkedArray]]:
        """The files that count (clean, not replaced by a later segment, not in `dropped`), and every
        segment's rows concatenated, with a mask of the rows that count (filtering them would copy them)."""
        later: set[str] = set(dropped)
        files, tables, masks = [], [], []
        for number, segment in reversed(list(enumerate(self.segments))):
            gone = pa.array(sorted(later), pa.string())
            paths = segment.files.column("path")
            counts = pc.and_kleene(segment.files.column("clean"), pc.invert(pc.is_in(paths, value_set=gone)))
            files.append(segment.files.filter(counts))
            tables.append(segment.rows)
            if rows:
                masks.append(
                    {name: pc.invert(pc.is_in(t.column("_file"), value_set=gone)) for name, t in segment.rows.items()}
                )
            if number:  # the paths of the first segment hide nothing
                later.update(paths.to_pylist())
        names = list(self.segments[0].rows) if rows and self.segments else []
        return (
            pa.concat_tables(files[::-1]),
            {name: pa.concat_tables([t[name] for t in tables[::-1]]) for name in names},
            {name: pa.chunked_array([c for m in masks[::-1] for c in _chunks(m[name])], pa.bool_()) for name in names},
        )


def _chunks(array: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """An array's chunks: a chunked array built from chunked arrays would be converted value by value."""
    return array.chunks if isinstance(array, pa.ChunkedArray) else [array]


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")  # a fraction of the bytes to write, hash and read
    with pa.ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def _names() -> list[str]:
    return ["files", *standard.TABLES]


def load(layout: Layout, std: standard.Standard, fingerprints: bool) -> Cache | None:
    """The cache, or None if it is missing, foreign or damaged in any way."""
    folder = layout.cache
    expected = {"files": filecheck.FILES, **{name: filecheck.row_schema(std, name) for name in standard.TABLES}}
    try:
        meta = json.loads((folder / "meta.json").read_bytes())
        if meta.get("stamp") != stamp(std, fingerprints) or not meta["segments"]:
            return None
        segments = []
        for number, digests in enumerate(meta["segments"]):
            if sorted(digests) != sorted(_names()):
                return None
            read = {}
            for name, digest in digests.items():
                content = (folder / f"{number}-{name}.arrow").read_bytes()
                if hashlib.sha256(content).hexdigest() != digest:
                    return None
                table = pa.ipc.open_file(pa.BufferReader(content)).read_all()
                if not table.schema.equals(expected[name], check_metadata=False):
                    return None
                read[name] = table
            segments.append(Segment(read.pop("files"), read, digests))
        return Cache(segments, meta.get("verified") is True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None


def save(
    layout: Layout, std: standard.Standard, fingerprints: bool, cache: Cache, recorded_ns: int
) -> list[dict[str, str]]:
    """Write new segments first and `meta.json` (which vouches for them by hash) last, each atomically;
    segments already on disk are left alone. `recorded_ns` is a time before any stat of the new segments
    was taken. Returns the segments' digests, as listed in `meta.json`."""
    listed: list[dict[str, str]] = []
    writes = {}
    for number, segment in enumerate(cache.segments):
        if segment.digests is not None:  # already on disk, unchanged
            listed.append(segment.digests)
            continue
        tables = {"files": smudge_racy(segment.files, recorded_ns), **segment.rows}
        contents = {name: _ipc(table.combine_chunks()) for name, table in tables.items()}
        writes.update({layout.cache / f"{number}-{name}.arrow": content for name, content in contents.items()})
        listed.append({name: hashlib.sha256(content).hexdigest() for name, content in contents.items()})
    atomic.write_all(writes)
    meta = {"stamp": stamp(std, fingerprints), "segments": listed, "verified": cache.verified}
    atomic.write(layout.cache / "meta.json", json.dumps(meta, indent=1, sort_keys=True).encode("utf-8"))
    for path in layout.cache.glob("*-*.arrow"):  # segments of a cache since written whole
        if int(path.name.split("-")[0]) >= len(listed):
            path.unlink()
    ignore = layout.cache / ".gitignore"  # a cache put elsewhere than the repository's ignored folder
    if not ignore.exists():
        atomic.write(ignore, b"*\n")
    return listed


def mark_verified(layout: Layout, std: standard.Standard, fingerprints: bool, segments: list[dict[str, str]]) -> None:
    """Record that every rule passed on the files the cache holds, if it still holds those `segments` (the
    digests `save` listed): the next check then need only look again at what changed since."""
    path = layout.cache / "meta.json"
    try:
        meta = json.loads(path.read_bytes())
        if meta.get("stamp") != stamp(std, fingerprints) or meta.get("segments") != segments or meta.get("verified"):
            return
        meta["verified"] = True
        atomic.write(path, json.dumps(meta, indent=1, sort_keys=True).encode("utf-8"))
    except (OSError, ValueError, AttributeError):  # no cache, or another run's: nothing is claimed
        return


def unchanged(files: pa.Table, stats: dict[str, tuple[int, int, int, int]]) -> set[str]:
    """Paths whose stat (size, mtime, ctime, inode) equals the recorded one: their recorded hash is taken as
    theirs without reading them (racily recorded stats never match, see `smudge_racy`)."""
    if not stats:
        return set()
    files = files.filter(pc.is_in(files.column("path"), value_set=pa.array(list(stats), pa.string())))
    recorded = zip(*(files.column(c).to_pylist() for c in ("path", "size", "mtime_ns", "ctime_ns", "ino")), strict=True)
    return {path for path, *info in recorded if stats.get(path) == tuple(info)}


def same_objects(files: pa.Table, vouched: pa.Table) -> pa.Array:
    """Paths whose git object id (worktree.vouched: the bytes in the work tree) is the recorded one. Each
    path looked up once among git's (a path is listed once) and the ids compared as columns: at 128k files
    0.05 s of CPU, where an Acero join on both columns took 0.1-0.35 s (the most on its first use in a process)."""
    at = pc.index_in(files.column("path"), value_set=vouched.column("path").combine_chunks())
    same = pc.equal(files.column("object_id"), pc.take(vouched.column("object_id"), at))
    return files.column("path").filter(pc.fill_null(same, False)).combine_chunks()


def smudge_racy(files: pa.Table, recorded_ns: int) -> pa.Table:
    """Forget the size of files modified within RACY_NS of when their stat was taken: a change made in the
    same clock tick would leave the stat as it was, so such files are hashed again next time."""
    limit = recorded_ns - RACY_NS
    racy = pc.or_kleene(
        pc.greater_equal(files.column("mtime_ns"), limit), pc.greater_equal(files.column("ctime_ns"), limit)
    )
    size = pc.if_else(pc.fill_null(racy, True), pa.scalar(-1, pa.int64()), files.column("size"))
    return files.set_column(files.schema.get_field_index("size"), "size", size)


def digests(files: pa.Table) -> dict[str, str]:
    return dict(zip(files.column("path").to_pylist(), files.column("digest").to_pylist(), strict=True))


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
