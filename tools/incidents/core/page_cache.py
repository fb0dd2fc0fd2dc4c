"""Ask the kernel to read many small files into its page cache before they are parsed.

A checkout the disk has not read since boot is read one file at a time by each worker that parses it: the
disk then serves two requests at once. Asking for every file up front (`posix_fadvise(WILLNEED)`, which
returns at once) lets it serve many, and the files are in memory when the workers come to them. Nothing is
read into Python, so this changes no result, only when the disk works; where the files are already cached,
or the system has no such call, it does nothing.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Sequence

SAMPLE = 64  # files probed, spread over the list, to tell whether the cache already holds them


def _open_regular(path: str) -> int | None:
    """A descriptor of the file if it is a regular one (a FIFO, a device or a symlink is never opened), else
    None; opened without blocking and without following a link swapped in since the lstat."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None


def _in_cache(path: str) -> bool:
    """Whether the first byte of a regular file is in the page cache (a read that may not wait). Anything
    that is not a regular file, or cannot be opened, counts as cached: there is nothing to read ahead."""
    fd = _open_regular(path)
    if fd is None:
        return True
    try:
        os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
    return True


def _advise(paths: Sequence[str]) -> None:
    for path in paths:
        fd = _open_regular(path)
        if fd is None:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def read_ahead(paths: Sequence[str]) -> threading.Thread | None:
    """Start asking for `paths`, in their order, on a background thread, unless a sample of them is already
    cached (or the system cannot be asked); the thread is returned so that a caller may wait for it."""
    if not paths or not hasattr(os, "posix_fadvise") or not hasattr(os, "RWF_NOWAIT"):
        return None
    step = max(1, len(paths) // SAMPLE)
    if all(_in_cache(path) for path in paths[::step]):
        return None
    thread = threading.Thread(target=_advise, args=(paths,), name="read-ahead", daemon=True)
    thread.start()
    return thread
