"""Committed versions of a file, read from git: the edge where record history meets version control.

Only `git cat-file` (the raw committed bytes, no filters or text conversion), `git log`, and for a whole
folder `git ls-tree`, `git diff --name-only` and `git merge-base` are run, read-only, in the file's own folder
or the dataset's root, so the dataset may sit anywhere inside a repository.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class GitError(Exception):
    """git could not give a committed version; the message says why and what to do."""


def _git(folder: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        command = ["git", "-c", "log.showSignature=false", "-C", str(folder), *args]
        english = {**os.environ, "LC_ALL": "C", "LANGUAGE": ""}  # the messages below are matched in English
        return subprocess.run(command, input=stdin, capture_output=True, check=False, env=english)
    except OSError as exc:
        raise GitError(
            f"git could not be run ({exc.strerror}): install git to compare with committed versions"
        ) from None


def show(path: Path, display: str, revision: str = "HEAD") -> bytes:
    """The file's bytes as committed in `revision`."""
    run = _git(path.parent, "cat-file", "blob", f"{revision}:./{path.name}")
    if run.returncode == 0:
        return run.stdout
    error = run.stderr.decode("utf-8", "replace").strip()
    if "not a git repository" in error:
        raise GitError(f"{display} is not in a git repository, so there is no committed version to compare with")
    if "exists on disk, but not in" in error or "does not exist in" in error:
        raise GitError(
            f"{display} has no committed version in {revision}: a new record is described by its first "
            "revision; commit it, then use `incidents correct` for later edits"
        )
    if "invalid object name" in error or "bad revision" in error or "unknown revision" in error:
        raise GitError(f"the repository has no {revision} commit yet: commit {display} first")
    raise GitError(f"git could not read {display} as of {revision}: {error}")


def release_commit(manifest: Path, tag: str) -> str | None:
    """The commit a release was cut in: its tag's if the tag is here, else the last commit that changed its
    manifest (`incidents release` writes the manifest in the release's own commit); None without git."""
    asks = (
        ("rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/tags/{tag}^{{commit}}"),
        ("log", "-1", "--format=%H", "--", manifest.name),
    )
    for args in asks:
        try:
            run = _git(manifest.parent, *args)
        except GitError:
            return None
        if run.returncode == 0 and run.stdout.strip():
            return run.stdout.decode("ascii", "replace").strip()
    return None


def commit_before(folder: Path, when: str) -> str | None:
    """The last commit on HEAD's first-parent line (the branch as it was published, not the commits merged
    into it) whose commit time is at or before `when` (a time git reads); None without git or before any."""
    try:
        run = _git(folder, "log", "-1", "--first-parent", "--format=%H", f"--before={when}", "HEAD", "--")
    except GitError:
        return None
    found = run.stdout.decode("ascii", "replace").strip()
    return found if run.returncode == 0 and found else None


def at_commit(path: Path, commit: str) -> bytes | None:
    """The file's bytes as committed in `commit` (a full hash), or None when it has none there."""
    try:
        run = _git(path.parent, "cat-file", "blob", f"{commit}:./{path.name}")
    except GitError:
        return None
    return run.stdout if run.returncode == 0 else None


def versions(path: Path) -> list[bytes]:
    """Every committed version of the file, oldest first; empty when git or the history is unavailable."""
    try:
        log = _git(path.parent, "log", "--topo-order", "--format=%H", "--", path.name)
    except GitError:
        return []
    if log.returncode != 0:
        return []
    found = []
    for commit in reversed(log.stdout.decode("ascii", "replace").split()):  # topological: ancestors first
        run = _git(path.parent, "cat-file", "blob", f"{commit}:./{path.name}")
        if run.returncode == 0:  # a commit that deleted the file has no version of it
            found.append(run.stdout)
    return found


@dataclass(frozen=True)
class Folder:
    """A folder of the dataset as committed in a base revision, against the working tree: what the history
    checks need, read with at most five git commands whatever the number of files."""

    files: frozenset[str]  # paths (relative to the dataset's root) committed in the base
    changed: dict[str, bytes]  # the base's bytes of those that git sees changed in the working tree
    deleted_before: frozenset[str]  # paths deleted by a commit in the base's history


def folder(root: Path, path: str, revision: str, merge_base: bool = False) -> Folder | None:
    """The folder `path` (relative to `root`) as of `revision` (with `merge_base`, of its merge base with
    HEAD), or None when there is nothing to compare with: no git, `root` outside a repository (a downloaded
    bundle), or no such commit yet (a new repository)."""
    try:
        if merge_base:
            found = _run(root, "merge-base", "--end-of-options", revision, "HEAD")
            if found is None:
                return None
            revision = found.decode("ascii").strip()
        listed = _run(root, "ls-tree", "-r", "-z", "--name-only", "--end-of-options", revision, "--", path)
        if listed is None:
            return None
        diff = _run(
            root, "diff", "--name-only", "--no-renames", "--relative", "-z", "--end-of-options", revision, "--", path
        )
        log = _run(
            root,
            "log",
            "--diff-filter=D",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
            "--format=",
            "--end-of-options",
            revision,
            "--",
            path,
        )
        files = frozenset(_names(listed))
        changed = sorted(files.intersection(_names(diff or b"")))
        return Folder(files, _blobs(root, revision, changed), frozenset(_names(log or b"")))
    except GitError:
        return None


def _run(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """git's output in `root`, or None when it fails (the caller decides what a failure means)."""
    run = _git(root, *args, stdin=stdin)
    return run.stdout if run.returncode == 0 else None


def _names(output: bytes) -> list[str]:
    return [name for name in output.decode("utf-8", "surrogateescape").split("\0") if name]


def _blobs(root: Path, revision: str, paths: list[str]) -> dict[str, bytes]:
    """The bytes of `paths` as of `revision`, all read by one `git cat-file --batch`."""
    if not paths:
        return {}
    asked = "".join(f"{revision}:./{path}\n" for path in paths).encode("utf-8", "surrogateescape")
    output = _run(root, "cat-file", "--batch", stdin=asked) or b""
    found, at = {}, 0
    for path in paths:
        end = output.index(b"\n", at)
        header = output[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[path] = output[at : at + size]
            at += size + 1
    return found
