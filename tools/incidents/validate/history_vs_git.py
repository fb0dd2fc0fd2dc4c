"""Revisions checked against the record's committed history, so that a contributor cannot forge it.

Against a base commit (HEAD for `incidents validate`, the merge base of REF and HEAD for `--changed-since REF`):
a committed record file is never deleted, an id deleted in an earlier commit never comes back, a changed record
keeps its committed revisions and adds new ones whose `fields_changed` name exactly the fields whose values
changed (together, when several were added: a value may change and change back between them) and whose
`changed_at` is neither in the future nor before the revision before it, and a tombstone
never becomes active again. Outside a git repository (a downloaded bundle, a tarball) there is no history to
compare with and nothing is checked. `compare` is pure; `check` is the edge that asks git (a bounded number
of commands, git_versions.folder) and reads the changed files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from incidents import records
from incidents.core import git_versions
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.records import revisions
from incidents.standard import TOMBSTONES
from incidents.validate.continuity import REACTIVATED_EXPECTED

DELETED_EXPECTED = (
    "every committed id kept: restore the file, then retire the record with `incidents withdraw` (not in scope) "
    "or `incidents merge` (a duplicate), which keep its id as a tombstone"
)
TIME_EXPECTED = "the time the revision was made: not in the future, and not before the revision before it"
CLOCK_SKEW = dt.timedelta(days=1)  # a contributor's clock may run ahead; a forged date is years ahead

LineOf = Callable[..., int | None]  # (*path) -> the line of the value at that path in the record file


def check(layout: Layout, revision: str, now: dt.datetime, merge_base: bool = False) -> list[Problem]:
    """The record files of the working tree against `revision` (with `merge_base`, its merge base with HEAD),
    at the time `now` (the clock's: a changed_at is when a revision was made, not a date of the incident)."""
    folder = layout.rel(layout.records)
    base = git_versions.folder(layout.root, folder, revision, merge_base)
    if base is None:
        return []
    names = os.listdir(layout.records) if layout.records.is_dir() else []  # names only: no stat, no resolve
    present = {f"{folder}/{name}" for name in names if name.endswith(".yaml") and not name.startswith(".")}
    problems = [deleted(path, revision) for path in sorted(base.files - present) if path.endswith(".yaml")]
    for path in sorted((present - base.files) & base.deleted_before):
        problems.append(reused(path, revision, records.read(layout.root / path, path).line("incident_id")))
    for path, text in sorted(base.changed.items()):
        if path not in present:
            continue
        old, new = records.parse(text, path), records.read(layout.root / path, path)
        if not (old.problems or new.problems) and isinstance(old.data, dict) and isinstance(new.data, dict):
            problems += compare(path, old.data, new.data, revision, now, new.line)
    return problems


def deleted(path: str, label: str) -> Problem:
    return Problem(
        file=path,
        record=Path(path).stem,
        message=f"the record file was deleted since {label}",
        expected=DELETED_EXPECTED,
        code="deleted-record",
    )


def reused(path: str, label: str, line: int | None) -> Problem:
    return Problem(
        file=path,
        line=line,
        record=Path(path).stem,
        field="incident_id",
        message=f"the id {Path(path).stem} was deleted in a commit before {label} and is used again",
        expected="a new record with a new id (`incidents new`): an id, once deleted, is never used again",
        code="id-reused",
    )


def compare(
    path: str, old: Mapping[str, Any], new: Mapping[str, Any], label: str, now: dt.datetime, line_of: LineOf
) -> list[Problem]:
    """Problems of a record's working version `new` against its committed version `old` (in `label`)."""
    incident_id = str(new.get("incident_id") or Path(path).stem)

    def problem(where: Sequence[str | int], message: str, expected: str, code: str) -> Problem:
        name = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in where).lstrip(".")
        return Problem(
            file=path,
            line=line_of(*where),
            record=incident_id,
            field=name,
            message=message,
            expected=expected,
            code=code,
        )

    found = revisions.since(old, new)
    if found is None:
        return [
            problem(
                ["revisions"],
                f"the revisions committed in {label} were changed: history is extended, never rewritten",
                "the committed revisions unchanged, with the new ones after them",
                "history-rewritten",
            )
        ]
    problems = []
    if old.get("status") in TOMBSTONES and new.get("status") == "active":
        problems.append(
            problem(
                ["status"],
                f"was {old.get('status')} in {label} and is active again: a tombstone's id never describes an "
                "incident again",
                REACTIVATED_EXPECTED,
                "tombstone-reactivated",
            )
        )
    history = list(new.get(revisions.HISTORY) or [])
    first = len(history) - len(found.added)
    if found.changed and not found.added:
        problems.append(
            problem(
                ["revisions"],
                f"{_listed(found.changed)} changed since {label}, but no revision was added",
                f"a new revision naming the change: `incidents correct {incident_id} --reason ...`",
                "history-unrevised",
            )
        )
    elif found.unnamed or (found.unchanged and len(found.added) == 1):
        numbers = ", ".join(str(r.get("revision")) for r in found.added)
        problems.append(
            problem(
                ["revisions", len(history) - 1, "fields_changed"],
                f"revision{'s' if len(found.added) > 1 else ''} {numbers} list{'' if len(found.added) > 1 else 's'} "
                f"{_listed(found.named)} in fields_changed, but the values that differ from {label} are those of "
                f"{_listed(found.changed)}",
                f"fields_changed naming exactly the fields whose values changed: {_listed(found.changed)}",
                "history-fields-changed",
            )
        )
    for index in range(first, len(history)):
        at = _time(history[index])
        before = _time(history[index - 1]) if index else None
        number = history[index].get("revision")
        if at is not None and at > now + CLOCK_SKEW:
            message = f"revision {number} was made at {history[index].get('changed_at')}, in the future"
        elif at is not None and before is not None and at < before:
            message = (
                f"revision {number} was made at {history[index].get('changed_at')}, before the revision before it "
                f"({history[index - 1].get('changed_at')})"
            )
        else:
            continue
        problems.append(problem(["revisions", index, "changed_at"], message, TIME_EXPECTED, "history-changed-at"))
    return problems


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "no field"


def _time(revision: Any) -> dt.datetime | None:
    """A revision's changed_at as an aware time; None when it is not one (the schema reports that)."""
    value = revision.get("changed_at") if isinstance(revision, Mapping) else None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
