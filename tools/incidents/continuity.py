"""Nothing published is lost: the records of the working tree against the last release's manifest.

A published id must stay (active, withdrawn or merged), a published history may be extended but never
rewritten, a tombstone comes back to life only through a revision that says so, and a published record's
values change only with a new revision. Pure: the manifest and the parsed record files in, problems out.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .manifest import Release
from .problems import Problem
from .records import Loaded
from .snapshot import TOMBSTONES, content_sha256, history_sha256, ordered_revisions

FIX_HISTORY = "the published revisions unchanged, with a new revision added after them for every change"


def check(release: Release, manifest_file: str, files: Iterable[Loaded], present: set[str]) -> list[Problem]:
    """Problems of the record files (`files`: those that passed their schema; `present`: every id found)."""
    by_id = {loaded.data["incident_id"]: loaded for loaded in files}
    problems = []
    for published in release.data.get("records", []):
        incident_id = published["incident_id"]
        if incident_id not in present:
            problems.append(
                Problem(
                    manifest_file,
                    release.lines.get(incident_id),
                    incident_id,
                    "incident_id",
                    f"published in {release.tag} but data/records/{incident_id}.yaml is gone",
                    "every published id to stay, as active, withdrawn (incidents withdraw) or merged "
                    "(incidents merge): restore the file",
                    "continuity-missing",
                )
            )
        elif incident_id in by_id:
            problems.extend(_check_record(release, published, by_id[incident_id]))
    return problems


def _check_record(release: Release, published: dict, loaded: Loaded) -> list[Problem]:
    record, incident_id = loaded.data, published["incident_id"]
    revisions = ordered_revisions(record)
    kept = [r for r in revisions if r.get("revision", 0) <= published["revision"]]
    later = [r for r in revisions if r.get("revision", 0) > published["revision"]]

    def problem(field: str, message: str, expected: str, code: str) -> Problem:
        return Problem(loaded.path, loaded.line(field), incident_id, field, message, expected, code)

    if history_sha256(kept) != published["history_sha256"]:
        return [
            problem(
                "revisions",
                f"revisions 1 to {published['revision']} differ from those published in {release.tag} "
                f"(history_sha256 {published['history_sha256'][:12]}...): the history was rewritten",
                FIX_HISTORY,
                "continuity-history",
            )
        ]
    status = record.get("status")
    if published["status"] in TOMBSTONES and status == "active":
        if not any("status" in (r.get("fields_changed") or []) for r in later):
            return [
                problem(
                    "status",
                    f"was {published['status']} in {release.tag} and is active again with no revision saying so: "
                    "a tombstone's id must never describe another incident",
                    "a new revision with 'status' in fields_changed and a reason, if the record really is "
                    "reinstated; otherwise a new record with a new id",
                    "continuity-reinstated",
                )
            ]
    if not later and content_sha256(record) != published.get("content_sha256", content_sha256(record)):
        return [
            problem(
                "revisions",
                f"the record's values differ from those published in {release.tag} but it has no new revision",
                "a new revision (who, when, method, reason, fields_changed) for the change",
                "continuity-unrevised",
            )
        ]
    return []


def present_ids(files: Iterable[Loaded]) -> set[str]:
    """Ids of every record file, read or not: a file that fails to parse is not a lost record."""
    ids = set()
    for loaded in files:
        ids.add(Path(loaded.path).stem)
        if isinstance(loaded.data, dict) and isinstance(loaded.data.get("incident_id"), str):
            ids.add(loaded.data["incident_id"])
    return ids
