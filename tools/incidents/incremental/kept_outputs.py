"""What the last `incidents build` wrote, by what each table's files were made from, so that a rebuild
encodes again only the tables whose content changed (an edit of incident fields leaves the actors, sources
and evidence tables as they were), and does not even read the files of the others.

It is kept in the build cache's folder (never committed). A table's files are kept as they are on disk only
if the table's fingerprint (encode.fingerprint: its schema and values) is the one recorded and each file
still holds the bytes written: its stat (size, mtime, ctime, inode) is the one noted after the build, as
git's index trusts a file (any write sets ctime, which no one can set back); failing that, its bytes hash to
the sha256 noted. A stat taken within `cache.RACY_NS` of the file's last change is not noted (a change in
the same clock tick would not show), so such a file is hashed next time. A file edited, damaged or replaced
since is encoded again, so the check that the committed tables are in step with the records still sees it.
The record names the encoder (pyarrow's version, build/encode.py's and build/geoparquet.py's source): another
encoder could write other bytes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from incidents import standard
from incidents.core import atomic
from incidents.core.layout import Layout

NAME = "outputs.json"
FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Kept:
    """An output file an earlier build wrote that still holds those bytes: its size and sha256 are known,
    so it is neither read nor written again."""

    size: int
    sha256: str


# A table's files as an earlier build wrote them, given the table's name and fingerprint; None if unknown.
Reuse = Callable[[str, str], "dict[str, Kept] | None"]


def _source(module: str) -> str:
    """The file of a module, found without importing it."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return spec.origin


def _stamp() -> str:
    encoders = ("incidents.build.encode", "incidents.build.geoparquet")
    code = b"\0".join(Path(_source(module)).read_bytes() for module in encoders)
    return hashlib.sha256(metadata.version("pyarrow").encode("utf-8") + b"\0" + code).hexdigest()


def _stat(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _settled(info: os.stat_result, taken_ns: int, racy_ns: int) -> bool:
    """Whether a stat taken at `taken_ns` can vouch for the file later: its last change lies more than
    `racy_ns` before (a change made in the same clock tick would leave mtime and ctime as they were)."""
    return max(info.st_mtime_ns, info.st_ctime_ns) < taken_ns - racy_ns


def record(layout: Layout, fingerprints: dict[str, str], files: dict[Path, bytes]) -> None:
    """Note what the build just wrote: each table's fingerprint, and each of its files' size and sha256
    (from the descriptor in `files`, which holds them) and stat. Best effort: without the note, the next
    build encodes everything."""
    from incidents.incremental.build_cache import (
        RACY_NS,  # the inputs' rule (imported here: tablecheck imports build, not the cache)
    )

    try:
        resources = json.loads(files[layout.descriptor])["resources"]
        by_path = {r["path"]: r for r in resources}
        taken_ns = time.time_ns()  # before any stat
        tables: dict[str, dict[str, Any]] = {}
        for name in standard.PUBLISHED_TABLES:  # the changes table too: an edit of a summary leaves it as it was
            entry: dict[str, Any] = {"fingerprint": fingerprints[name]}
            for fmt in FORMATS:
                resource = by_path[f"data/tables/{name}.{fmt}"]
                info = os.lstat(layout.tables / f"{name}.{fmt}")
                entry[fmt] = {
                    "bytes": resource["bytes"],
                    "sha256": resource["hash"].removeprefix("sha256:"),
                    "stat": _stat(info) if _settled(info, taken_ns, RACY_NS) else None,
                }
            tables[name] = entry
        note = {"stamp": _stamp(), "tables": tables}
        atomic.write(layout.cache / NAME, json.dumps(note, indent=1, sort_keys=True).encode("utf-8"))
    except (OSError, KeyError, ValueError, TypeError):
        return


def reuse(layout: Layout) -> Reuse:
    """The files of a table as the last build wrote them, if it was made from the same fingerprint and its
    files on disk still hold those bytes; else None, and the table is encoded."""
    try:
        note: Any = json.loads((layout.cache / NAME).read_bytes())
        tables = note["tables"] if note.get("stamp") == _stamp() else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        tables = {}

    def earlier(name: str, made_from: str) -> dict[str, Kept] | None:
        entry = tables.get(name)
        if not isinstance(entry, dict) or entry.get("fingerprint") != made_from:
            return None
        found = {}
        for fmt in FORMATS:
            kept = _still_written(layout.tables / f"{name}.{fmt}", entry.get(fmt))
            if kept is None:
                return None
            found[fmt] = kept
        return found

    return earlier


def _still_written(path: Path, noted: Any) -> Kept | None:
    """The file as noted, if it still holds the noted bytes: by its stat, else by hashing it."""
    try:
        kept = Kept(int(noted["bytes"]), str(noted["sha256"]))
        info = os.lstat(path)
        if noted.get("stat") is not None and noted["stat"] == _stat(info):
            return kept
        if info.st_size == kept.size and hashlib.sha256(path.read_bytes()).hexdigest() == kept.sha256:
            return kept
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        pass
    return None
