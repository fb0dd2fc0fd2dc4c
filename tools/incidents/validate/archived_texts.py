"""The archived source texts a built package's evidence quotes cite, read for comparing the quotes."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

_SOURCE_ID = re.compile(r"^[0-9a-f]{64}$")


def source_texts(sources: Path, ids: Iterable[str]) -> dict[str, bytes]:
    """The archived texts (UTF-8 bytes) of the given sources that are present, regular files and UTF-8 (the
    record validation reports the others); ids that are not sha256 names are never turned into paths."""
    texts = {}
    folder = str(sources)
    for source_id in ids:
        if _SOURCE_ID.match(source_id):
            content = _read_regular(f"{folder}/{source_id}.txt")
            if content is not None:
                texts[source_id] = content
    try:  # one check of all the bytes in C; only on failure is each text decoded to find which
        pa.array(list(texts.values()), pa.binary()).cast(pa.string())
    except pa.ArrowInvalid:
        texts = {i: t for i, t in texts.items() if _is_utf8(t)}
    return texts


# A symbolic link is refused by the open itself; a FIFO put in place after the lstat does not block it.
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_regular(path: str) -> bytes | None:
    """The bytes of a regular file, None for anything else: a special file (FIFO, device, socket) is never
    opened. Plain system calls: a Python file object per text cost more than the reading, over a hundred
    thousand small texts."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    try:
        size = os.fstat(fd)
        if not stat.S_ISREG(size.st_mode):
            return None
        content = os.read(fd, size.st_size + 1)  # a short read is the end of a regular file
        if len(content) <= size.st_size:
            return content
        parts = [content]  # it grew since the stat: read on to its end
        while chunk := os.read(fd, 1024 * 1024):
            parts.append(chunk)
        return b"".join(parts)
    except OSError:
        return None
    finally:
        os.close(fd)


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def has_texts(sources: Path) -> bool:
    """Whether the folder holds an archived text: its first one will do (Path.glob lists them all)."""
    try:
        with os.scandir(sources) as entries:
            return any(entry.name.endswith(".txt") and not entry.name.startswith(".") for entry in entries)
    except OSError:
        return False
