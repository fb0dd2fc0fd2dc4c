"""What git already knows of the contributed files, so that a rebuild need not stat each of them.

In a git checkout, the index holds every tracked file's object id (a hash of its bytes), and `git diff-files`
names the tracked files whose bytes in the work tree may differ from it (git compares their stat in C, on
all cores, and reads again any file stat-ed within its index's clock tick). A tracked regular file that git
does not name holds exactly its index's bytes: if the cache recorded the same object id for it, its cached
rows still hold, without a stat or a read of ours. Everything git cannot vouch for (untracked, modified,
conflicted, symlinks, files git was told to stop looking at) goes through the cache's own stat and sha256
comparison, as it does outside git.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from subprocess import DEVNULL, PIPE

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TIMEOUT_S = 60
# `git ls-files -s -v` prints "H 100644 <40 hex> 0<TAB><path>": tag H (cached, no assume-unchanged or
# skip-worktree flag), a regular file, stage 0 (not in a merge conflict).
_TRUSTED = (b"H 100644 ", b"H 100755 ")
_ID = slice(9, 49)
_STAGE_0 = b" 0\t"
_PATH_FROM = 52


def object_id(content: bytes) -> str:
    """Git's object id (SHA-1 format) of a file holding `content`, as `git hash-object` gives it."""
    header = b"blob %d\0" % len(content)
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()


def vouched(root: Path, folders: Sequence[str]) -> pa.Table | None:
    """The files under `folders` (paths relative to `root`) whose bytes in the work tree are their index's,
    with git's object id of those bytes: a table of `path` and `object_id`, both strings. None when git
    cannot say: no git, `root` not the top of a work tree, a SHA-256 repository, any command failing."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}  # root's own repo
    top = _git(root, env, ["rev-parse", "--show-toplevel", "--show-object-format"])
    if top is None:
        return None
    lines = top.decode("utf-8", "replace").splitlines()
    if len(lines) != 2 or lines[1] != "sha1" or Path(lines[0]).resolve() != root.resolve():
        return None
    spec = ["--", *folders]
    # Both at once: one reads the index, the other stats the work tree against it.
    diff_files = _argv(root, ["diff-files", "-z", "--name-only", *spec])
    with subprocess.Popen(diff_files, env=env, stdout=PIPE, stderr=DEVNULL, stdin=DEVNULL) as dirty:
        listed = _git(root, env, ["ls-files", "-z", "-s", "-v", *spec])
        try:
            changed, _ = dirty.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            dirty.kill()
            dirty.communicate()
            return None
        if listed is None or dirty.returncode != 0:
            return None
    try:
        return _clean(listed, changed)
    except (pa.ArrowInvalid, UnicodeDecodeError):  # a path that is not UTF-8: let the stat path decide
        return None


def _argv(root: Path, argv: list[str]) -> list[str]:
    return ["git", "-C", str(root), "-c", "core.quotePath=false", *argv]


def _git(root: Path, env: dict[str, str], argv: list[str]) -> bytes | None:
    try:
        done = subprocess.run(
            _argv(root, argv), env=env, timeout=TIMEOUT_S, check=False, stdout=PIPE, stderr=DEVNULL, stdin=DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _clean(listed: bytes, changed: bytes) -> pa.Table:
    """The trusted entries of `ls-files -s -v` output whose paths `diff-files` did not name. Parsed as
    Arrow arrays over the output's own bytes: a Python object per file would cost more than git did."""
    entries = _split(listed)
    trusted = pc.and_(
        pc.or_(*(pc.equal(pc.binary_slice(entries, 0, len(tag)), tag) for tag in _TRUSTED)),
        pc.equal(pc.binary_slice(entries, _ID.stop, _PATH_FROM), _STAGE_0),
    )
    paths = pc.binary_slice(entries, _PATH_FROM, -1).cast(pa.string())  # -1: the entry's closing NUL
    ids = pc.binary_slice(entries, _ID.start, _ID.stop).cast(pa.string())
    dirty = _split(changed)
    dirty_paths = pc.binary_slice(dirty, 0, -1).cast(pa.string())
    keep = pc.and_(trusted, pc.invert(pc.is_in(paths, value_set=dirty_paths)))
    return pa.table({"path": paths, "object_id": ids}).filter(keep)


def _split(output: bytes) -> pa.BinaryArray:
    """NUL-terminated entries as one binary array sharing `output`'s buffer (each entry keeps its NUL)."""
    ends = np.flatnonzero(np.frombuffer(output, np.uint8) == 0)
    offsets = np.concatenate([[0], ends + 1]).astype(np.int64)
    return pa.Array.from_buffers(pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(output)])
