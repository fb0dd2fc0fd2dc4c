"""Layers 1 and 2 on the whole dataset: every contributed file checked, or taken from the build cache when
its bytes are those already checked. Only new and changed files are parsed (filecheck), so a rebuild
after a small change costs about what the change does.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from incidents import records, standard
from incidents.core import git_tracked as worktree
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.incremental import build_cache as cache
from incidents.records import dataset
from incidents.release import manifest
from incidents.validate import files as filecheck
from incidents.validate.files import FILES, TEXT, Batch, Item

FOLDERS = {"record": ("records", (".yaml",)), "actor": ("actors", (".yaml",)), "source": ("sources", (".yaml", ".txt"))}


@dataclass
class Scan:
    """Every file of data/records, data/actors and data/sources: one row each in `files` (by path), the
    rows of those that passed their schemas (where `live` is true: rows of the cache that no longer count
    are masked, not removed, which would copy them), and the problems of layers 1 and 2.

    `changed` is set when the cache was `verified` (every rule passed on what it held): the files new,
    changed or gone since, whose rows (and the rows they touch) are all the rules need to see again."""

    files: pa.Table
    rows: dict[str, pa.Table]
    live: dict[str, pa.ChunkedArray]
    problems: list[Problem]
    changed: set[str] | None = None
    saving: Future[list[dict[str, str]] | None] | None = None  # the cache being written (segments)
    fingerprints: bool = False
    left_out: dict[str, tuple[str, ...]] = field(default_factory=dict)  # files failing their schema (Batch)

    def segments(self) -> list[dict[str, str]] | None:
        """The cache as written (for cache.mark_verified), once it is; None if it was not."""
        return self.saving.result() if self.saving is not None else None


Stat = tuple[int, int, int, int]  # size, mtime, ctime, inode


def ask_git(pool: ThreadPoolExecutor, layout: Layout) -> tuple[Future[pa.Table | None], Callable[[], pa.Array | None]]:
    """Ask git on `pool` which contributed files it vouches for (worktree.vouched): its answer, and the
    paths in it as `listing` takes them, waited for only once the names are listed."""
    folders = [layout.rel(getattr(layout, attr)) for attr, _ in FOLDERS.values()]
    vouching = pool.submit(worktree.vouched, layout.root, folders)

    @functools.cache
    def known() -> pa.Array | None:
        vouched = vouching.result()
        return vouched.column("path").combine_chunks() if vouched is not None else None

    return vouching, known


@dataclass
class Listing:
    """Every file to check, by kind (archived texts as TEXT), as Arrow columns; the problems of what is
    refused unread (stray files, symlinks); and the stat of each file git does not vouch for, if asked."""

    files: pa.Table  # kind, path (on disk), display (as shown)
    refused: list[Problem]
    stats: dict[str, Stat | None]  # by shown path (`_stat`)

    def items(self) -> list[Item]:
        return _items(self.files)


def _items(files: pa.Table) -> list[Item]:
    return list(zip(*(files.column(name).to_pylist() for name in ("kind", "path", "display")), strict=True))


def listing(layout: Layout, stats: bool = False, known: Callable[[], pa.Array | None] | None = None) -> Listing:
    """The files of data/records, data/actors and data/sources; with `stats`, the stat of each but those
    `known` gives, which git vouches for (worktree.vouched)."""
    tables: list[pa.Table] = []
    refused: list[Problem] = []
    found: dict[str, Stat | None] = {}
    for kind, (attr, kept) in FOLDERS.items():
        listed = dataset.list_folder(layout, getattr(layout, attr), kept, kept, known)
        refused += [p for loaded in listed.refused for p in loaded.problems]
        texts = pc.ends_with(listed.files.column("display"), ".txt")
        orphans = pc.and_(texts, pc.invert(_named(listed.files.column("display")))) if pc.any(texts).as_py() else texts
        refused += [_orphan(display) for display in listed.files.column("display").filter(orphans).to_pylist()]
        kinds = pc.if_else(texts, pa.scalar(TEXT), pa.scalar(kind))
        tables.append(listed.files.add_column(0, "kind", kinds).filter(pc.invert(orphans)))
        if stats:
            found.update((display, _stat(info, display)) for display, info in listed.infos.items())
    return Listing(pa.concat_tables(tables), refused, found)


def _named(displays: pa.ChunkedArray) -> pa.ChunkedArray:
    """Whether each file has a source's metadata beside it (`<id>.txt` and `<id>.yaml`): the metadata's
    archive_path must name its own `<id>.txt` (dataset.read_source_texts checks), so a text without one is
    named by none, whatever its name or size, and is refused without being read."""
    metadata = displays.filter(pc.ends_with(displays, ".yaml"))
    return pc.is_in(pc.replace_substring_regex(displays, r"\.txt$", ".yaml"), value_set=metadata)


def _orphan(display: str) -> Problem:
    return Problem(
        file=display,
        message="no source's metadata names this file (its <id>.yaml is missing): it is never read",
        expected="every file under data/sources/ named by a source's metadata (archive_path): add its metadata "
        "or delete it",
        code="orphan-file",
    )


def _stat(info: os.stat_result | None, display: str) -> Stat | None:
    """(size, mtime, ctime, inode) of a regular file within its size limit; None for anything else (a
    symlink, a folder, a file too large, one gone), which is never taken from the cache."""
    limit = dataset.MAX_SOURCE_BYTES if display.endswith(".txt") else records.MAX_FILE_BYTES
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


@dataclass
class _Reuse:
    files: pa.Table  # the cached files still as they were (stats refreshed for `restat`)
    rows: dict[str, pa.Table]
    live: dict[str, pa.ChunkedArray]
    todo: list[Item]  # files to check
    restat: set[str]  # unchanged files found by hashing: their new stat goes into the cache
    dropped: set[str]  # cached files changed or gone


def _reusable(old: cache.Cache, listed: Listing, vouched: pa.Table | None = None) -> _Reuse:
    """What of the cache still holds, and the files that must be checked. A file counts as unchanged if git
    vouches for its bytes and the cache recorded the same object id for it (`worktree`), or if its stat is
    the recorded one, or else if its bytes hash to the recorded sha256. Columns, not Python objects, for
    the files that did not change: they are nearly all of them."""
    recorded = old.live_files()
    stats = listed.stats
    same = pa.array(sorted(cache.unchanged(recorded, {k: v for k, v in stats.items() if v is not None})), pa.string())
    if vouched is not None:
        same = pa.concat_arrays([same, cache.same_objects(recorded, vouched)])
    shown = listed.files.column("display")
    same = same.filter(pc.is_in(same, value_set=shown))  # a file counts only where it is listed
    others = _items(listed.files.filter(pc.invert(pc.is_in(shown, value_set=same))))
    known = cache.digests(_only(recorded, "path", {display for _, _, display in others}))
    restat = {
        display: stats[display]
        for _, path, display in others
        if display in known and stats.get(display) and _digest(path) == known[display]
    }
    kept = pa.concat_arrays([same, pa.array(sorted(restat), pa.string())])
    paths = recorded.column("path")
    dropped = set(paths.filter(pc.invert(pc.is_in(paths, value_set=kept))).to_pylist())
    files, rows, live = old.live(dropped)
    todo = [item for item in others if item[2] not in restat]
    return _Reuse(cache.restat(files, restat), rows, live, todo, set(restat), dropped)


def _tombstones(paths: set[str]) -> pa.Table:
    return pa.Table.from_pylist([{"path": p, "rows": False, "clean": False} for p in sorted(paths)], schema=FILES)


def _only(table: pa.Table, column: str, paths: set[str], keep: bool = True) -> pa.Table:
    """The rows whose `column` is one of `paths` (or, with keep=False, is not)."""
    if not paths:  # nothing to take, or nothing to leave out (a clean cold build): no copy of the rows
        return table.slice(0, 0) if keep else table
    found = pc.is_in(table.column(column), value_set=pa.array(sorted(paths), pa.string()))
    return table.filter(found if keep else pc.invert(found))


def _next_cache(
    old: cache.Cache | None,
    reuse: _Reuse | None,
    fresh: Batch,
    files: pa.Table,
    rows: dict[str, pa.Table],
    live: dict[str, pa.ChunkedArray],
) -> cache.Cache | None:
    """The cache to write: a new segment with what changed, or the whole (first time, many segments, a
    large change); None if nothing changed."""
    unclean = set(files.filter(pc.invert(files.column("clean"))).column("path").to_pylist())
    if old is None or reuse is None:
        return cache.Cache(
            [
                cache.Segment(
                    files.filter(files.column("clean")), {n: _only(t, "_file", unclean, False) for n, t in rows.items()}
                )
            ]
        )
    changed = len(reuse.todo) + len(reuse.restat) + len(reuse.dropped)
    if not changed:
        return None
    if len(old.segments) >= cache.MAX_SEGMENTS or changed > cache.LARGE_CHANGE * max(len(files), 1):
        whole = {n: _only(t.filter(live[n]), "_file", unclean, False) for n, t in rows.items()}
        return cache.Cache([cache.Segment(files.filter(files.column("clean")), whole)])
    checked = {item[2] for item in reuse.todo}
    fresh_clean = set(fresh.files.filter(fresh.files.column("clean")).column("path").to_pylist())
    delta_files = pa.concat_tables(
        [fresh.files, _only(reuse.files, "path", reuse.restat), _tombstones(reuse.dropped - checked)]
    )
    restat = pa.array(sorted(reuse.restat), pa.string())
    delta_rows = {
        n: pa.concat_tables(
            [
                _only(fresh.rows[n], "_file", fresh_clean),
                reuse.rows[n].filter(pc.and_kleene(reuse.live[n], pc.is_in(reuse.rows[n]["_file"], value_set=restat))),
            ]
        )
        for n in rows
    }
    return cache.Cache([*old.segments, cache.Segment(delta_files, delta_rows)])


def scan(layout: Layout, use_cache: bool = True, jobs: int | None = None) -> Scan:
    """Check every contributed file, reusing the cache (and refreshing it) unless `use_cache` is false."""
    std = standard.load()
    started_ns = time.time_ns()  # before any stat is taken: see cache.smudge_racy
    fingerprints = bool(manifest.versions(layout))  # continuity needs them once a release exists
    with ThreadPoolExecutor(2) as pool:  # the cache is read and git asked while the folders are listed
        loading = pool.submit(cache.load, layout, std, fingerprints) if use_cache else None
        vouching, known = ask_git(pool, layout) if use_cache else (None, None)
        listed = listing(layout, stats=loading is not None, known=known)
        vouched = vouching.result() if vouching else None
        old = loading.result() if loading else None
    reuse = _reusable(old, listed, vouched) if old is not None else None
    fresh = filecheck.check_files(reuse.todo if reuse else listed.items(), fingerprints, jobs)
    if reuse is None:
        files, rows = fresh.files, fresh.rows
        live = {n: pa.chunked_array([pa.repeat(True, len(t))], pa.bool_()) for n, t in rows.items()}
    else:
        files = pa.concat_tables([reuse.files, fresh.files])
        rows = {n: pa.concat_tables([reuse.rows[n], fresh.rows[n]]) for n in fresh.rows}
        live = {
            n: pa.chunked_array([*reuse.live[n].chunks, pa.repeat(True, len(fresh.rows[n]))], pa.bool_())
            for n in fresh.rows
        }
    files = files.sort_by("path")
    changed = None
    if old is not None and reuse is not None and old.verified:
        changed = {item[2] for item in reuse.todo} | reuse.dropped
    saving: Future[list[dict[str, str]] | None] | None = None
    if use_cache:
        written = _next_cache(old, reuse, fresh, files, rows, live)
        if written is None and old is not None:
            saving = Future()
            saving.set_result([segment.digests or {} for segment in old.segments])
        elif written is not None:  # written while the rules run: Arrow and the disk, mostly without the GIL
            writer = ThreadPoolExecutor(1, thread_name_prefix="build-cache")
            saving = writer.submit(_save, layout, std, fingerprints, written, started_ns)
            writer.shutdown(wait=False)  # the thread ends with the write (and the interpreter waits for it)
    return Scan(files, rows, live, listed.refused + fresh.problems, changed, saving, fingerprints, fresh.left_out)


def _save(
    layout: Layout, std: standard.Standard, fingerprints: bool, written: cache.Cache, started_ns: int
) -> list[dict[str, str]] | None:
    try:
        return cache.save(layout, std, fingerprints, written, started_ns)
    except OSError:  # a read-only checkout: the checks stand without a cache
        return None
