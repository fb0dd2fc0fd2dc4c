"""The dataset's published files as they stood at a release or on a date, read from git: time travel.

The tables and `datapackage.json` are committed with the records they are built from (the pull-request
workflow fails when they are out of step), so the files as committed are what was published: a release's
are read from its commit and checked, byte for byte, against its manifest; a date's from the last commit
made by the end of that day (UTC). Commit time, not the revisions' `changed_at`, because "as it stood" is
what a reader of the repository could download then: a revision dated earlier but committed later was not
yet published. Nothing is rebuilt, so the bytes do not depend on the toolkit's version.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

from incidents.core import atomic, git_versions
from incidents.core.layout import Layout
from incidents.records.fingerprints import sha256
from incidents.release import bundle, manifest

DESCRIPTOR = "datapackage.json"
# What a snapshot holds: the descriptor and the tables (a path from a manifest or a descriptor is data read
# from history, so only these shapes are taken, never one that leads elsewhere).
PUBLISHED = re.compile(r"^(datapackage\.json|data/tables/[a-z][a-z0-9_]*\.(csv|parquet))$")


class HistoryError(Exception):
    """The files cannot be given as they stood; the message says why and what to do."""


def released(layout: Layout, version: str, wanted: Callable[[str], bool] = lambda _: True) -> dict[str, bytes]:
    """The files of release `version` that `wanted` picks, with the manifest's bytes under bundle.MANIFEST:
    each from the working tree where it is unchanged, else from the release's commit (its tag, or the commit
    of its manifest), and each checked against the manifest's sha256."""
    path = manifest.path_of(layout, version)
    if manifest.parse_version(version) is None or not path.exists():
        known = ", ".join(f"v{manifest.format_version(v)}" for v in manifest.versions(layout)) or "none yet"
        raise HistoryError(f"{layout.rel(path)} does not exist: no release {version} here (releases: {known})")
    manifest_bytes = path.read_bytes()
    try:
        release = manifest.parse(path, manifest_bytes)
        listed = release.data["files"]
        if not all(
            isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str) for e in listed
        ):
            raise TypeError("each entry of 'files' needs a path and a sha256")
        entries = [e for e in listed if wanted(e["path"])]
    except (ValueError, KeyError, TypeError) as exc:
        raise HistoryError(f"{layout.rel(path)} cannot be read as a release manifest: {exc}") from None
    sources = bundle.release_files(layout)
    commit = None
    files, wrong = {}, []
    for entry in entries:
        source = sources.get(entry["path"])
        if source is None and not PUBLISHED.match(entry["path"]):  # a path of a hostile manifest is never followed
            wrong.append(entry["path"])
            continue
        content = source.read_bytes() if source and source.exists() else None
        if content is None or sha256(content) != entry["sha256"]:
            commit = commit or git_versions.release_commit(path, release.tag)
            content = git_versions.at_commit(layout.root / entry["path"], commit) if commit else None
        if content is None or sha256(content) != entry["sha256"]:
            wrong.append(entry["path"])
        else:
            files[entry["path"]] = content
    if wrong:
        where = f"in the working tree and in the release's commit {commit[:12]}" if commit else "(and no git history)"
        raise HistoryError(f"these files differ from {layout.rel(path)} {where}: {', '.join(wrong)}")
    return {**files, bundle.MANIFEST: manifest_bytes}


def at_version(layout: Layout, version: str) -> dict[str, bytes]:
    """The tables and descriptor of a release, byte-identical to what it published."""
    files = released(layout, version, lambda path: PUBLISHED.match(path) is not None)
    files.pop(bundle.MANIFEST)
    return files


def as_of(layout: Layout, day: dt.date) -> tuple[str, dict[str, bytes]]:
    """The commit, and its tables and descriptor, that stood at the end of `day` (UTC)."""
    commit = git_versions.commit_before(layout.root, f"{day.isoformat()} 23:59:59 +0000")
    if commit is None:
        raise HistoryError(
            f"no commit of {layout.root} was made by the end of {day.isoformat()} (UTC): the dataset had not been "
            "published yet, or this is not a git clone (a downloaded bundle has no history: use its version)"
        )
    descriptor = git_versions.at_commit(layout.descriptor, commit)
    if descriptor is None:
        raise HistoryError(f"commit {commit[:12]} has no {DESCRIPTOR}: nothing was built yet on {day.isoformat()}")
    try:
        return commit, described(descriptor, lambda path: git_versions.at_commit(layout.root / path, commit))
    except HistoryError as exc:
        raise HistoryError(f"as of commit {commit[:12]}, {exc}") from None


def described(descriptor: bytes, read: Callable[[str], bytes | None]) -> dict[str, bytes]:
    """The descriptor and the tables it lists, each read by `read` (a path in the dataset to its bytes, or
    None) and checked against the sha256 the descriptor gives it."""
    try:
        resources = json.loads(descriptor)["resources"]
        listed = {str(r["path"]): str(r["hash"]).removeprefix("sha256:") for r in resources}
    except (ValueError, KeyError, TypeError) as exc:
        raise HistoryError(f"{DESCRIPTOR} cannot be read: {exc}") from None
    files, wrong = {DESCRIPTOR: descriptor}, []
    for path, digest in sorted(listed.items()):
        if not PUBLISHED.match(path):
            continue
        content = read(path)
        if content is None or sha256(content) != digest:
            wrong.append(path)
        else:
            files[path] = content
    if wrong:
        raise HistoryError(
            f"these files do not match {DESCRIPTOR}: {', '.join(wrong)} (the tables were changed after the build "
            "that described them, or not rebuilt in that commit: run `incidents build`, or pick another date)"
        )
    return files


def write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """The files under `folder`, by their paths in the dataset, written atomically."""
    targets = {folder / path: content for path, content in files.items()}
    atomic.write_all(targets)
    return sorted(targets)
