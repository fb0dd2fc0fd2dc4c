"""What the last `incidents build` wrote, by what each table's files were made from, so that a rebuild
encodes again only the tables whose content changed (an edit of incident fields leaves the actors, sources
and evidence tables as they were).

It is kept in the build cache's folder (never committed). A table's files are taken from disk only if the
table's fingerprint (build.fingerprint: its schema and values) is the one recorded and the files still hash
to the sha256 recorded when they were written: a file edited, damaged or replaced since is encoded again, so
the check that the committed tables are in step with the records still sees it. The record names the
encoder (pyarrow's version and build.py's source): another encoder could write other bytes.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import atomic, standard
from .layout import Layout

if TYPE_CHECKING:
    from .build import Reuse

NAME = "outputs.json"
FORMATS = ("csv", "parquet")


def _stamp() -> str:
    code = Path(__file__).with_name("build.py").read_bytes()
    return hashlib.sha256(metadata.version("pyarrow").encode("utf-8") + b"\0" + code).hexdigest()


def record(layout: Layout, fingerprints: dict[str, str], files: dict[Path, bytes]) -> None:
    """Note what the build just wrote: each table's fingerprint and its files' sha256 (from the descriptor,
    which holds them). Best effort: without the note, the next build encodes everything."""
    try:
        resources = json.loads(files[layout.descriptor])["resources"]
        hashes = {r["path"]: r["hash"].removeprefix("sha256:") for r in resources}
        tables = {
            name: {"fingerprint": fingerprints[name], **{f: hashes[f"data/tables/{name}.{f}"] for f in FORMATS}}
            for name in standard.TABLES
        }
        note = {"stamp": _stamp(), "tables": tables}
        atomic.write(layout.cache / NAME, json.dumps(note, indent=1, sort_keys=True).encode("utf-8"))
    except (OSError, KeyError, ValueError):
        return


def reuse(layout: Layout) -> Reuse:
    """The files of a table as the last build wrote them, if it was made from the same fingerprint and its
    files on disk still hold those bytes; else None, and the table is encoded."""
    try:
        note: Any = json.loads((layout.cache / NAME).read_bytes())
        tables = note["tables"] if note.get("stamp") == _stamp() else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        tables = {}

    def earlier(name: str, made_from: str) -> dict[str, bytes] | None:
        entry = tables.get(name)
        if not isinstance(entry, dict) or entry.get("fingerprint") != made_from:
            return None
        found = {}
        for fmt in FORMATS:
            try:
                content = (layout.tables / f"{name}.{fmt}").read_bytes()
            except OSError:
                return None
            if hashlib.sha256(content).hexdigest() != entry.get(fmt):
                return None
            found[fmt] = content
        return found

    return earlier
