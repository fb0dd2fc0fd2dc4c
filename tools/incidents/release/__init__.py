"""Cut a release: decide the version from the diff with the last release, then write everything at once.

`plan` is pure: the working tree's snapshot and the last manifest give the proposed bump, and a requested
bump may raise it, never lower it. `release` validates, plans, renders every output in memory (tables and
descriptor with the new version, CHANGELOG.md, CITATION.cff, the manifest, the bundle) and writes them
atomically under the build lock. `rebuild_bundle` makes the bundle of a release already cut, from the
committed files, and refuses if any of them no longer matches the manifest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from incidents import __version__, build, standard, validate
from incidents.build import changes
from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.core.problems import sort as sort_problems
from incidents.records.fingerprints import sha256
from incidents.release import bundle, changelog, citation, manifest, time_travel
from incidents.release.record_diff import BUMPS, Diff, diff
from incidents.release.snapshot import Snapshot, from_manifest, from_records, schema_snapshot


class ReleaseError(Exception):
    """A release refused, with what to do instead."""


@dataclass(frozen=True)
class Plan:
    version: str
    bump: str
    proposed: str | None
    diff: Diff
    previous: str | None


def plan(current: Snapshot, previous: manifest.Release | None, requested: str | None) -> Plan:
    """The next version: the bump the changes call for, or a higher one a maintainer asks for."""
    old = from_manifest(previous.tag, previous.data) if previous else Snapshot("nothing", {}, {})
    found = diff(old, current)
    proposed = found.bump
    if requested and proposed and BUMPS.index(requested) < BUMPS.index(proposed):
        why = "; ".join(found.reasons())
        raise ReleaseError(
            f"--bump {requested} is lower than the changes allow: they call for a {proposed} release ({why}). "
            f"A bump may be raised, never lowered: use --bump {proposed} or higher, or leave --bump out."
        )
    if not requested and not proposed:
        raise ReleaseError(
            f"nothing changed since {old.label}: no record and no part of the standard differs. "
            "Nothing to release (pass --bump to release anyway)."
        )
    bump = requested or str(proposed)
    base = manifest.parse_version(previous.version) if previous else (0, 0, 0)
    if base is None:
        raise ReleaseError(f"{previous.path if previous else ''}: the last release's version is not X.Y.Z")
    version = manifest.format_version(manifest.bumped(base, bump))
    return Plan(version, bump, proposed, dataclasses.replace(found, new=f"v{version}"), old.label)


def _with_version(package_yaml: str, version: str) -> str:
    line = f"version: {version}"
    if re.search(r"^version:.*$", package_yaml, flags=re.M):
        return re.sub(r"^version:.*$", line, package_yaml, count=1, flags=re.M)
    return package_yaml.rstrip("\n") + f"\n{line}\n"


def manifest_of(
    package: dict[str, Any], the_plan: Plan, date: str, files: dict[str, bytes], current: Snapshot
) -> dict[str, Any]:
    return {
        "name": package["name"],
        "version": the_plan.version,
        "date": date,
        "previous": the_plan.previous if the_plan.previous != "nothing" else None,
        "bump": the_plan.bump,
        "proposed_bump": the_plan.proposed,
        "tool_version": __version__,
        "counts": the_plan.diff.counts(),
        "schema": current.schema,
        "files": [{"path": p, "bytes": len(files[p]), "sha256": sha256(files[p])} for p in sorted(files)],
        "records": [state.summary() for state in current.records.values()],
    }


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    plan: Plan | None = None
    section: str = ""
    written: list[Path] = field(default_factory=list)


def _render(layout: Layout, checked: validate.Checked, the_plan: Plan, date: str, section: str) -> dict[Path, bytes]:
    """Every file a release writes, in memory."""
    package = dict(checked.package, version=the_plan.version)
    current = from_records(f"v{the_plan.version}", checked.data["record"], schema_snapshot(standard.load()))
    releases = [*changes.released(layout), (current.label, {i: s.revision for i, s in current.records.items()})]
    outputs = build.render(layout, checked.data, package, releases)
    outputs[layout.package] = _with_version(layout.package.read_text(encoding="utf-8"), the_plan.version).encode()
    old_log = layout.changelog.read_text(encoding="utf-8") if layout.changelog.exists() else ""
    outputs[layout.changelog] = changelog.insert(old_log, section).encode("utf-8")
    cff = citation.cff(package, the_plan.version, date)
    outputs[layout.citation] = cff.encode("utf-8")
    outputs[layout.zenodo] = citation.zenodo_json(yaml.safe_load(cff)).encode("utf-8")
    sources = bundle.release_files(layout)
    missing = [p for p, path in sources.items() if path not in outputs and not path.exists()]
    if missing:
        raise ReleaseError(f"a release needs these files, which are missing: {', '.join(missing)}")
    files = {p: outputs[path] if path in outputs else path.read_bytes() for p, path in sources.items()}
    manifest_bytes = manifest.dumps(manifest_of(package, the_plan, date, files, current))
    outputs[manifest.path_of(layout, the_plan.version)] = manifest_bytes
    folder = bundle.name_of(package["name"], the_plan.version)
    outputs[layout.dist / f"{folder}.zip"] = bundle.zip_bytes(folder, {**files, bundle.MANIFEST: manifest_bytes})
    return outputs


def release(root: Path, requested: str | None = None, dry_run: bool = False, date: dt.date | None = None) -> Outcome:
    """Validate, plan and (unless `dry_run`) write the release. Raises ReleaseError when refused."""
    layout = Layout(root)
    when = (date or dt.datetime.now(dt.UTC).date()).isoformat()
    try:
        with FileLock(layout.lock, timeout=0):
            checked = validate.check_dataset(layout, dt.datetime.now(dt.UTC).date())
            if checked.problems:
                return Outcome(sort_problems(checked.problems))
            if not checked.package.get("name"):
                raise ReleaseError(f"{layout.rel(layout.package)}: the package needs a name (it names the bundle)")
            current = from_records("working tree", checked.data["record"], schema_snapshot(standard.load()))
            the_plan = plan(current, manifest.latest(layout), requested)
            section = changelog.section(the_plan.version, when, the_plan.diff, the_plan.bump, the_plan.proposed)
            if dry_run:
                return Outcome(plan=the_plan, section=section)
            outputs = _render(layout, checked, the_plan, when, section)
            atomic.write_all(outputs)
            return Outcome(plan=the_plan, section=section, written=sorted(outputs))
    except Timeout:
        raise ReleaseError("another build or release holds the lock on this dataset; wait and run again") from None


def rebuild_bundle(root: Path, version: str) -> Path:
    """The bundle of a release already cut, from its files as committed in the release's commit (its tag, or
    the commit of its manifest: no checkout needed, so it works on main in a fresh clone), or from the working
    tree where they are unchanged; refuses if any file differs from the manifest."""
    layout = Layout(root)
    try:
        files = time_travel.released(layout, version)
    except time_travel.HistoryError as exc:
        raise ReleaseError(str(exc)) from None
    data = manifest.parse(manifest.path_of(layout, version), files[bundle.MANIFEST]).data
    folder = bundle.name_of(data["name"], data["version"])
    target = layout.dist / f"{folder}.zip"
    atomic.write(target, bundle.zip_bytes(folder, files))
    return target
