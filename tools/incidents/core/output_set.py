"""A build's outputs replaced as one set: readers find the old set or the new one, never a mix, and no
temporary file is left behind, even when the build is killed at any point.

Renaming N files one by one cannot be atomic as a set, so a change goes through a journal:

1. every new output is written under `data/.build-staging/` (same file system, ignored by git), at its path
   relative to the repository (`data/.build-staging/data/tables/incidents.csv`), and made durable;
2. `journal.json`, the list of those paths, is written atomically into the same folder: the commit point;
3. each staged output is renamed over its target (a folder: the old one is moved aside first), then the
   journal and the staging folder are removed.

Every `incidents` command first settles what a killed build left (`recover`, called once by the command
group, under the build lock): with a journal, the renames are finished (roll forward: a rename is skipped
when its staged file is gone, so it is safe to redo); without one, the staging folder is removed (roll back:
the old outputs were never touched). Recovery also removes the temp files `core.atomic` left when killed
(their writer is gone, or the lock shows no build or release is writing), and reports what it cannot vouch
for: a staging folder committed to git (a contribution cannot choose what replaces the outputs: it is left
alone), and stray `*.tmp` files in `data/tables/`. Programs outside `incidents` (pandas, duckdb) that read
the tables while a build runs should read after it finishes; a killed build is completed by the next command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.core.problems import Problem

JOURNAL = "journal.json"
_ASIDE = ".replaced"  # where a folder being replaced is moved first (inside the staging folder)
# Root files only a build or a release writes, under the build lock.
_LOCKED_ROOT_FILES = ("datapackage.json", "CHANGELOG.md", "CITATION.cff")
_OLD_PARTITIONS = ".partitioned."  # in data/tables/: where older versions of `incidents partition` staged


def staging(layout: Layout) -> Path:
    return layout.data / ".build-staging"


def replace(layout: Layout, files: Mapping[Path, bytes]) -> None:
    """Replace these files (inside the repository) as one set. The caller holds the build lock."""
    names = {_name(layout, path): content for path, content in files.items()}
    folder = begin(layout)
    staged = {folder / name: content for name, content in names.items()}
    for path in staged:
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_new(staged)
    commit(layout, list(names))


def begin(layout: Layout) -> Path:
    """A fresh, empty staging folder (after settling any earlier one): the new outputs go under it at their
    paths relative to the repository, then `commit` puts them in place. The caller holds the build lock."""
    refused = settle(layout)
    if refused:
        raise OSError(f"{refused[0].file}: {refused[0].message}")
    folder = staging(layout)
    folder.mkdir(parents=True)
    return folder


def commit(layout: Layout, names: list[str]) -> None:
    """Make the staged outputs (files or folders, by path relative to the repository) the current ones."""
    folder = staging(layout)
    for name in names:
        _sync_folder((folder / name).parent)
    atomic.write(folder / JOURNAL, json.dumps(names).encode("utf-8"))
    _sync_folder(folder)
    _roll_forward(layout, names)


def settle(layout: Layout) -> list[Problem]:
    """Finish or undo what a killed build left in the staging folder; a problem if it is not ours to touch
    (committed to git). The caller holds the build lock."""
    folder = staging(layout)
    if not os.path.lexists(folder):
        return []
    if _tracked(layout, folder):
        return [
            Problem(
                file=layout.rel(folder),
                message="the build's staging folder is committed to git, so it is neither used nor removed",
                expected="no staging folder in a commit: remove it (git rm -r data/.build-staging) and build again",
                code="committed-staging",
            )
        ]
    names = _journal(layout) if folder.is_dir() and not folder.is_symlink() else None
    if names is not None:
        _roll_forward(layout, names)
    else:
        _remove(folder)
    return []


def recover(layout: Layout) -> list[Problem]:
    """Settle a killed build's leftovers before a command reads or writes outputs; the problems are what is
    left that only a person can remove. Does nothing while a build holds the lock (it settles its own)."""
    temps = _temp_files(layout)
    if not os.path.lexists(staging(layout)) and not temps:
        return []
    try:
        with FileLock(layout.lock, timeout=0):
            refused = settle(layout)
            left = [path for path in temps if _left(layout, path)]
    except Timeout:
        return []
    except OSError:  # a read-only checkout: nothing to settle here
        return []
    return refused + [_stray(layout, path) for path in left]


def _roll_forward(layout: Layout, names: list[str]) -> None:
    folder = staging(layout)
    for name in names:
        staged, target = folder / name, layout.root / name
        if not staged.exists():  # renamed already, before a kill
            continue
        if staged.is_dir() and os.path.lexists(target):
            aside = folder / _ASIDE / name
            aside.parent.mkdir(parents=True, exist_ok=True)
            atomic.checkpoint()
            os.replace(target, aside)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.checkpoint()
        os.replace(staged, target)
    for parent in {(layout.root / name).parent for name in names}:
        _sync_folder(parent)
    atomic.checkpoint()
    (folder / JOURNAL).unlink()
    _remove(folder)


def _journal(layout: Layout) -> list[str] | None:
    """The journal's paths, if it is complete and names only files inside the repository that the staging
    folder holds as plain files or folders; else None (nothing was committed: roll back)."""
    folder = staging(layout)
    try:
        names = json.loads((folder / JOURNAL).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) and _inside(layout, n) for n in names):
        return None
    if any((folder / name).is_symlink() for name in names):
        return None
    return names


def _inside(layout: Layout, name: str) -> bool:
    """A path relative to the repository that stays inside it, out of .git and of the staging folder."""
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\\" in name or parts[0] == ".git":
        return False
    if PurePosixPath(name).is_relative_to(layout.rel(staging(layout))):
        return False
    return (layout.root / name).parent.resolve().is_relative_to(layout.root.resolve())


def _name(layout: Layout, path: Path) -> str:
    name = layout.rel(path)
    if not _inside(layout, name):
        raise ValueError(f"{path}: not an output inside the repository")
    return name


def _tracked(layout: Layout, folder: Path) -> bool:
    """Whether git tracks anything under the staging folder (one git command, only when the folder exists)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    try:
        listed = subprocess.run(
            ["git", "-C", str(layout.root), "ls-files", "-z", "--", layout.rel(folder)],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(listed)


def _temp_files(layout: Layout) -> list[Path]:
    """Temp files where a build writes: `core.atomic`'s at the root, in data/tables/ and in the build cache,
    any `*.tmp` in data/tables/, and older versions' partition folders there."""
    found = []
    for folder in (layout.root, layout.tables, layout.cache):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if folder == layout.tables and entry.name.startswith(_OLD_PARTITIONS):
                found.append(Path(entry.path))
            elif entry.name.endswith(".tmp") and (folder == layout.tables or atomic.TEMP_NAME.fullmatch(entry.name)):
                found.append(Path(entry.path))
    return found


def _left(layout: Layout, path: Path) -> bool:
    """Remove a temp file if it is certainly abandoned (the caller holds the build lock): any in data/tables/
    (and an older partition folder), or of a root file only a build or a release writes, else one whose
    writer is gone. True if it is left
    for a person to remove: a stray file in data/tables/, an older version's temp file at the root."""
    shape = atomic.TEMP_NAME.fullmatch(path.name)
    folder = path.parent
    locked = folder == layout.tables or (folder == layout.root and shape and shape["name"] in _LOCKED_ROOT_FILES)
    if (shape and (locked or atomic.abandoned(path.name))) or path.name.startswith(_OLD_PARTITIONS):
        _remove(path)
        return False
    return folder == layout.tables or (folder == layout.root and shape is not None and shape["pid"] is None)


def _stray(layout: Layout, path: Path) -> Problem:
    return Problem(
        file=layout.rel(path),
        message="a temporary file left by an interrupted write, or by another tool",
        expected="no temporary files beside the built outputs: delete it (no build is running now)",
        code="stray-temp-file",
    )


def _remove(path: Path) -> None:
    atomic.checkpoint()
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the renames in a folder durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
