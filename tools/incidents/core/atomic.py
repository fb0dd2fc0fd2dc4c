"""Atomic file writes: a temp file in the target's folder, flushed, then renamed over the target.

A reader, or a build that fails half-way, sees either the old file or the new one, never a part.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


# Above this many files, one sync of the file systems replaces an fsync per file: an import writes thousands
# of small files, and an fsync each was a quarter of its time. Either way every file is on disk before the
# first rename.
SYNC_ONCE_ABOVE = 32


def write_all(files: Mapping[Path, bytes]) -> None:
    """Write every file to a temp sibling first; rename them only once all are written, in order."""
    staged: list[tuple[str, Path]] = []
    each = len(files) <= SYNC_ONCE_ABOVE or not hasattr(os, "sync")
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((temp, target))
            os.chmod(temp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for everyone to read
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                if each:
                    os.fsync(handle.fileno())
        if not each:
            os.sync()
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)


def write(target: Path, content: bytes) -> None:
    write_all({target: content})
