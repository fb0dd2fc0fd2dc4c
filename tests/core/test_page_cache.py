"""core.page_cache asks the kernel to read files ahead only when they are not cached, never opens a file
that is not regular, and changes nothing a reader sees."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from incidents.core import page_cache

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "posix_fadvise") and hasattr(os, "RWF_NOWAIT")), reason="Linux page-cache calls"
)


def _files(folder: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = folder / f"{i:03}.yaml"
        path.write_bytes(f"incident_id: inc_{i:03}\n".encode() * 200)
        paths.append(str(path))
    return paths


def _evict(paths: list[str]) -> None:
    """Drop the files' clean pages from the cache (not probed after: a probe's missed read starts reading)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _file_system(path: Path) -> str:
    """The type of the file system that holds `path` (the longest mount point above it)."""
    mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    return max(((point, kind) for point, kind in mounts if str(path).startswith(point)), key=lambda m: len(m[0]))[1]


def test_cached_files_are_left_alone(tmp_path: Path) -> None:
    paths = _files(tmp_path, 10)
    for path in paths:
        Path(path).read_bytes()
    assert all(page_cache._in_cache(path) for path in paths)
    assert page_cache.read_ahead(paths) is None


def test_uncached_files_are_read_ahead(tmp_path: Path) -> None:
    if _file_system(tmp_path) in ("tmpfs", "ramfs"):
        pytest.skip("this file system keeps its pages in memory")
    paths = _files(tmp_path, 10)
    _evict(paths)
    thread = page_cache.read_ahead(paths)
    assert thread is not None
    thread.join(10)
    assert all(page_cache._in_cache(path) for path in paths)
    assert [Path(p).read_bytes() for p in paths] == [f"incident_id: inc_{i:03}\n".encode() * 200 for i in range(10)]


@pytest.mark.skipif(sys.platform != "linux", reason="FIFOs as Linux makes them")
def test_special_files_and_symlinks_are_never_opened(tmp_path: Path) -> None:
    """A FIFO opened for reading would block (or, with O_NONBLOCK, be opened at all): it is skipped, as
    is a symlink, which could point outside the repository; a missing file is no error."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    link = tmp_path / "link.yaml"
    link.symlink_to(outside)
    odd = [str(fifo), str(link), str(tmp_path / "gone.yaml")]
    assert all(page_cache._in_cache(path) for path in odd)  # nothing to read ahead
    page_cache._advise(odd)  # returns, without blocking on the FIFO or following the link
