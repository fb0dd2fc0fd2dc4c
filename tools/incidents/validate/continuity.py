"""Nothing published is lost: the records of the working tree against the last release's manifest.

A published id must stay (active, withdrawn or merged), a published history may be extended but never
rewritten, a tombstone never becomes active again, and a published record's values change only with a new
revision. Pure: the manifest and the parsed record files in, problems out.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from incidents.core.problems import Problem
from incidents.records import Loaded
from incidents.records.fingerprints import fingerprints
from incidents.release.manifest import Release
from incidents.standard import TOMBSTONES

FIX_HISTORY = "the published revisions unchanged, with a new revision added after them for every change"
# A withdrawn or merged record stays one: an incident it turns out to describe after all is coded anew.
REACTIVATED_EXPECTED = (
    "the record left as it was; the incident coded as a new record with a new id (`incidents new`) whose notes "
    "cite the old id"
)


@dataclass(frozen=True)
class State:
    """What continuity needs of a record file, small enough to keep for every record (in the build cache)
    instead of the record: its status, its revision numbers in order, the history hash of each prefix of
    its revisions (`history[n]`: of the first n), which revisions changed the status, and its values' hash."""

    path: str
    status: str | None
    numbers: list[int]
    history: list[str]
    status_changed: list[bool]
    content: str


LineOf = Callable[[str, str], int | None]  # (file, field) -> its line


def check(release: Release, manifest_file: str, files: Iterable[Loaded], present: set[str]) -> list[Problem]:
    """Problems of the record files (`files`: those that passed their schema; `present`: every id found)."""
    by_path = {loaded.path: loaded for loaded in files}
    states = {
        loaded.data["incident_id"]: State(loaded.path, **fingerprints(loaded.data)) for loaded in by_path.values()
    }
    return check_states(release, manifest_file, states, present, lambda path, field: by_path[path].line(field))


def check_states(
    release: Release, manifest_file: str, states: Mapping[str, State], present: set[str], line_of: LineOf
) -> list[Problem]:
    """`check` on the records' states (by incident id); `line_of` finds a field's line when one is reported."""
    problems = []
    for published in release.data.get("records", []):
        incident_id = published["incident_id"]
        if incident_id not in present:
            problems.append(
                Problem(
                    file=manifest_file,
                    line=release.lines.get(incident_id),
                    record=incident_id,
                    field="incident_id",
                    message=f"published in {release.tag} but data/records/{incident_id}.yaml is gone",
                    expected="every published id to stay, as active, withdrawn (incidents withdraw) or merged "
                    "(incidents merge): restore the file",
                    code="continuity-missing",
                )
            )
        elif incident_id in states:
            problems.extend(_check_record(release, published, states[incident_id], line_of))
    return problems


def _check_record(release: Release, published: dict, state: State, line_of: LineOf) -> list[Problem]:
    incident_id = published["incident_id"]
    kept = bisect.bisect_right(state.numbers, published["revision"])  # revisions are in order of number
    later = state.status_changed[kept:]

    def problem(field: str, message: str, expected: str, code: str) -> Problem:
        return Problem(
            file=state.path,
            line=line_of(state.path, field),
            record=incident_id,
            field=field,
            message=message,
            expected=expected,
            code=code,
        )

    if state.history[kept] != published["history_sha256"]:
        return [
            problem(
                "revisions",
                f"revisions 1 to {published['revision']} differ from those published in {release.tag} "
                f"(history_sha256 {published['history_sha256'][:12]}...): the history was rewritten",
                FIX_HISTORY,
                "continuity-history",
            )
        ]
    if published["status"] in TOMBSTONES and state.status == "active":
        return [
            problem(
                "status",
                f"was {published['status']} in {release.tag} and is active again: a tombstone's id never "
                "describes an incident again",
                REACTIVATED_EXPECTED,
                "continuity-reinstated",
            )
        ]
    if not later and state.content != published.get("content_sha256", state.content):
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
