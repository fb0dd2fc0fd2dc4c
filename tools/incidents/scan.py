"""Layers 1 and 2 on the whole dataset: every contributed file checked, or taken from the build cache when
its bytes are those already checked. Only new and changed files are parsed (filecheck), so a rebuild
after a small change costs about what the change does.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from . import cache, dataset, filecheck, manifest, standard
from .filecheck import Batch, Item
from .layout import Layout
from .problems import Problem

FOLDERS = {"record": ("records", (".yaml",)), "actor": ("actors", (".yaml",)), "source": ("sources", (".yaml", ".txt"))}


@dataclass
class Scan:
    """Every file of data/records, data/actors and data/sources: one row each in `files` (by path), the
    rows of those that passed their schemas, and the problems of layers 1 and 2."""

    files: pa.Table
    rows: dict[str, pa.Table]
    problems: list[Problem]


def listing(layout: Layout) -> tuple[list[Problem], list[Item]]:
    """The files to check, by kind, and the problems of what is refused unread (stray files, symlinks)."""
    refused: list[Problem] = []
    items: list[Item] = []
    for kind, (attr, kept) in FOLDERS.items():
        unread, paths = dataset.list_folder(layout, getattr(layout, attr), kept)
        refused += [p for loaded in unread for p in loaded.problems]
        items += [(kind, path, display) for path, display in paths]
    return refused, items


def _stat(path: str) -> tuple[int, int, int, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _reusable(old: cache.Cache, items: list[Item]) -> tuple[cache.Cache, list[Item], bool]:
    """The part of the cache whose files are unchanged, and the files that must be checked. A file counts
    as unchanged if its stat is the recorded one, or else if its bytes hash to the recorded sha256 (then
    its new stat is recorded, and the flag returned says the cache needs writing)."""
    stats = {display: _stat(path) for _, path, display in items}
    same = cache.unchanged(old, {k: v for k, v in stats.items() if v is not None})
    known = cache.digests(old)
    restat = {
        display: stats[display]
        for _, path, display in items
        if display not in same and display in known and _digest(path) == known[display]
    }
    kept = cache.keep(old, same | set(restat))
    kept = cache.Cache(cache.restat(kept.files, restat), kept.rows)
    todo = [item for item in items if item[2] not in same and item[2] not in restat]
    return kept, todo, bool(restat) or len(kept.files) != len(old.files)


def scan(layout: Layout, use_cache: bool = True, jobs: int | None = None) -> Scan:
    """Check every contributed file, reusing the cache (and refreshing it) unless `use_cache` is false."""
    std = standard.load()
    started_ns = time.time_ns()  # before any stat is taken: see cache.smudge_racy
    refused, items = listing(layout)
    fingerprints = bool(manifest.versions(layout))  # continuity needs them once a release exists
    old = cache.load(layout, std, fingerprints) if use_cache else None
    kept, todo, stale = (None, items, True) if old is None else _reusable(old, items)
    fresh = filecheck.check_files(todo, fingerprints, jobs)
    parts = [fresh] if kept is None else [Batch(kept.files, kept.rows, []), fresh]
    merged = filecheck.concat(parts, std)
    files = merged.files.sort_by("path")
    if use_cache and (stale or todo):
        unclean = files.filter(pc.invert(files.column("clean"))).column("path")  # few: filter by them
        rows = {
            name: t.filter(pc.invert(pc.is_in(t.column("_file"), value_set=unclean))) for name, t in merged.rows.items()
        }
        cache.save(layout, std, fingerprints, cache.Cache(files.filter(files.column("clean")), rows), started_ns)
    return Scan(files, merged.rows, refused + merged.problems)
