"""Committed versions of a file, read from git: the edge where record history meets version control.

Only `git cat-file` (the raw committed bytes, no filters or text conversion) and `git log` are run,
read-only, in the file's own folder, so the dataset may sit anywhere inside a repository.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitError(Exception):
    """git could not give a committed version; the message says why and what to do."""


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        command = ["git", "-c", "log.showSignature=false", "-C", str(path.parent), *args]
        english = {**os.environ, "LC_ALL": "C", "LANGUAGE": ""}  # the messages below are matched in English
        return subprocess.run(command, capture_output=True, check=False, env=english)
    except OSError as exc:
        raise GitError(
            f"git could not be run ({exc.strerror}): install git to compare with committed versions"
        ) from None


def show(path: Path, display: str, revision: str = "HEAD") -> bytes:
    """The file's bytes as committed in `revision`."""
    run = _git(path, "cat-file", "blob", f"{revision}:./{path.name}")
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


def versions(path: Path) -> list[bytes]:
    """Every committed version of the file, oldest first; empty when git or the history is unavailable."""
    try:
        log = _git(path, "log", "--topo-order", "--format=%H", "--", path.name)
    except GitError:
        return []
    if log.returncode != 0:
        return []
    found = []
    for commit in reversed(log.stdout.decode("ascii", "replace").split()):  # topological: ancestors first
        run = _git(path, "cat-file", "blob", f"{commit}:./{path.name}")
        if run.returncode == 0:  # a commit that deleted the file has no version of it
            found.append(run.stdout)
    return found
