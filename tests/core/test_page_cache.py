"""core.page_cache asks the kernel to read files ahead only when they are not cached, never opens a file
that is not regular, and changes nothing a reader sees."""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
import time
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


def _resident(path: str) -> bool:
    """Whether every page of the file is in the page cache, asked with mincore(2), which (unlike a read that
    may not wait) starts no reading of its own."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    pages = -(-size // mmap.PAGESIZE)
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert address not in (None, ctypes.c_void_p(-1).value)
        try:
            flags = (ctypes.c_ubyte * pages)()
            assert libc.mincore(address, size, flags) == 0
            return all(flag & 1 for flag in flags)
        finally:
            libc.munmap(address, size)
    finally:
        os.close(fd)


def _on_a_disk(tmp_path: Path) -> None:
    if _file_system(tmp_path) in ("tmpfs", "ramfs"):
        pytest.skip("this file system keeps its pages in memory")


def test_uncached_files_are_read_ahead(tmp_path: Path) -> None:
    """The decision: files not in the cache get a thread that asks for them."""
    _on_a_disk(tmp_path)
    paths = _files(tmp_path, 10)
    _evict(paths)
    thread = page_cache.read_ahead(paths)
    assert thread is not None
    thread.join(10)
    assert [Path(p).read_bytes() for p in paths] == [f"incident_id: inc_{i:03}\n".encode() * 200 for i in range(10)]


def test_asking_for_files_brings_them_into_the_cache(tmp_path: Path) -> None:
    """The effect, seen with mincore: the kernel reads the files asked for (soon: the ask does not wait)."""
    _on_a_disk(tmp_path)
    paths = _files(tmp_path, 10)
    _evict(paths)
    if any(_resident(path) for path in paths):
        pytest.skip("this file system kept the pages")
    page_cache._advise(paths)
    deadline = time.monotonic() + 10
    while not all(_resident(path) for path in paths) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(_resident(path) for path in paths)


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
