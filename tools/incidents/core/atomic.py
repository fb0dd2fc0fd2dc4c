"""Atomic file writes: a temp file in the target's folder, flushed, then renamed over the target.

A reader, or a build that fails half-way, sees either the old file or the new one, never a part. A temp file
is named `.<target name>.<pid>.<random>.tmp`: one left by a process killed before its rename is known to be
abandoned once that process is gone (`abandoned`), and is removed by the next command (core.output_set).
A set of files that must change together (a build's outputs) goes through core.output_set instead.

`checkpoint` is a test hook, called before every write, rename and removal here and in core.output_set:
with INCIDENTS_TEST_KILL_AT=N in the environment, the Nth of them kills the process (SIGKILL), so a test can
stop a build between any two of its writes (tests/build/test_output_set.py). Unset, it does nothing.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)

KILL_AT = "INCIDENTS_TEST_KILL_AT"
_steps = 0

# Above this many files, one sync of the file systems replaces an fsync per file: an import writes thousands
# of small files, and an fsync each was a quarter of its time. Either way every file is on disk before the
# first rename.
SYNC_ONCE_ABOVE = 32

# A temp file's name: `.<target name>.<pid>.<mkstemp's 8 random characters>.tmp` (older versions: no pid).
TEMP_NAME = re.compile(r"\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.tmp")


def checkpoint() -> None:
    """The test hook (see the module's docstring): one step of a write, counted only when asked for."""
    at = os.environ.get(KILL_AT)
    if at is None:
        return
    global _steps
    _steps += 1
    if _steps == int(at):
        os.kill(os.getpid(), signal.SIGKILL)


def write_all(files: Mapping[Path, bytes]) -> None:
    """Write every file to a temp sibling first; rename them only once all are written, in order."""
    staged: dict[Path, bytes] = {}
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
            os.close(fd)
            staged[Path(name)] = content
        write_new(staged, exist_ok=True)
        for temp, target in zip(staged, files, strict=True):
            checkpoint()
            os.replace(temp, target)
    finally:
        for temp in staged:
            temp.unlink(missing_ok=True)


def write_new(files: Mapping[Path, bytes], exist_ok: bool = False) -> None:
    """Write each file (new unless `exist_ok`) and make all of them durable: on disk before this returns."""
    each = len(files) <= SYNC_ONCE_ABOVE or not hasattr(os, "sync")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (0 if exist_ok else os.O_EXCL) | getattr(os, "O_BINARY", 0)
    for path, content in files.items():
        checkpoint()
        fd = os.open(path, flags, 0o666)
        os.chmod(path, 0o666 & ~_UMASK)  # outputs are for everyone to read (mkstemp makes 0600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if each:
                os.fsync(handle.fileno())
    if not each:
        os.sync()


def write(target: Path, content: bytes) -> None:
    write_all({target: content})


def abandoned(name: str) -> bool:
    """Whether a file of this name is a temp file of ours whose writer is gone (killed before its rename)."""
    shape = TEMP_NAME.fullmatch(name)
    return shape is not None and shape["pid"] is not None and not _alive(int(shape["pid"]))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or a number no process can have: left alone
        return True
    return True
