"""Record bookkeeping: withdraw, merge, correct, and reading a record's history.

Each function takes parsed records and returns new ones; nothing here reads or writes files. The
bookkeeping exists so that nobody edits status, tombstones or revisions by hand: every change appends a
revision (who, when, how, why, which fields), and history is extended, never rewritten.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .snapshot import TOMBSTONES

Record = dict[str, Any]

# The parts of a record file that are not incident fields but are reviewed like them.
HISTORY = "revisions"
# Changed only through `withdraw` and `merge` (status, merged_into) or never (incident_id).
BOOKKEPT = ("incident_id", "status", "merged_into")


class Refused(Exception):
    """A bookkeeping step that would break the dataset's rules; the message says what and what to do."""


@dataclass(frozen=True)
class Stamp:
    """Who makes a revision, when (UTC, YYYY-MM-DDTHH:MM:SSZ), with which tool version and method."""

    by: str
    at: str
    tool_version: str
    method: str = "manual"


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields (and actors/evidence) whose values differ, in the record's order; revisions excluded."""
    names = [*new, *(name for name in old if name not in new)]
    return [name for name in names if name != HISTORY and old.get(name) != new.get(name)]


def latest_revision(record: Mapping[str, Any]) -> int:
    return max((int(r.get("revision") or 0) for r in record.get(HISTORY) or []), default=0)


def unrecorded(working: Mapping[str, Any], committed: Mapping[str, Any]) -> list[str]:
    """Fields edited since the committed version that no revision added since then names."""
    ours, theirs = working.get(HISTORY) or [], committed.get(HISTORY) or []
    added = ours[len(theirs) :] if ours[: len(theirs)] == theirs else []
    covered = {name for revision in added for name in revision.get("fields_changed") or []}
    return [name for name in changed_fields(committed, working) if name not in covered]


def _revise(old: Record, new: Record, reason: str, stamp: Stamp) -> Record:
    """`new` with one more revision that names the fields changed since `old`."""
    reason = reason.strip()
    if not reason:
        raise Refused("a reason is required: say why the record changes (--reason TEXT)")
    fields = changed_fields(old, new)
    if not fields:
        raise Refused(f"{new.get('incident_id')}: nothing changed, so there is no revision to record")
    revision = {
        "revision": latest_revision(old) + 1,
        "changed_at": stamp.at,
        "changed_by": stamp.by,
        "method": stamp.method,
        "tool_version": stamp.tool_version,
        "reason": reason,
        "fields_changed": fields,
    }
    result = copy.deepcopy(new)
    result[HISTORY] = [*copy.deepcopy(old.get(HISTORY) or []), revision]
    return result


def _require_active(record: Mapping[str, Any], action: str) -> None:
    status = record.get("status")
    if status in TOMBSTONES:
        into = f" into {record.get('merged_into')}" if status == "merged" else ""
        raise Refused(
            f"{record.get('incident_id')} is already {status}{into} ({record.get('status_reason')!r}); "
            f"only an active record can be {action}"
        )


def _merged_into(target_id: str, records: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return sorted(i for i, r in records.items() if r.get("status") == "merged" and r.get("merged_into") == target_id)


def withdraw(incident_id: str, reason: str, stamp: Stamp, records: Mapping[str, Record]) -> dict[str, Record]:
    """Make a record a withdrawn tombstone. Returns every record that changes, by id.

    Records merged into it are withdrawn with it (each with its own revision): they were judged to be the
    same incident, and a merged record must name an active one."""
    if incident_id not in records:
        raise Refused(f"no record {incident_id} under data/records/")
    record = records[incident_id]
    _require_active(record, "withdrawn")
    reason = reason.strip()
    changed = {incident_id: _revise(record, {**record, "status": "withdrawn", "status_reason": reason}, reason, stamp)}
    cascade = f"Merged into {incident_id}, which was withdrawn: {reason}"
    for other in _merged_into(incident_id, records):
        gone = {**records[other], "status": "withdrawn", "status_reason": cascade, "merged_into": None}
        changed[other] = _revise(records[other], gone, cascade, stamp)
    return changed


def merge(incident_id: str, into: str, reason: str, stamp: Stamp, records: Mapping[str, Record]) -> dict[str, Record]:
    """Mark `incident_id` as a duplicate of `into`. Returns every record that changes, by id.

    Records already merged into `incident_id` are re-pointed to `into`, each with its own revision, so
    that merged_into always names an active record: no chains, no cycles."""
    if incident_id not in records:
        raise Refused(f"no record {incident_id} under data/records/")
    if into == incident_id:
        raise Refused(f"{incident_id} cannot be merged into itself: --into must name the surviving incident")
    if into not in records:
        raise Refused(f"no record {into} under data/records/ to merge {incident_id} into")
    target = records[into]
    if target.get("status") != "active":
        raise Refused(
            f"{into} is {target.get('status')}, not active: merge {incident_id} into the record that survives"
            + (f" ({target.get('merged_into')})" if target.get("status") == "merged" else "")
        )
    record = records[incident_id]
    _require_active(record, "merged")
    changed = {
        incident_id: _revise(
            record, {**record, "status": "merged", "status_reason": reason.strip(), "merged_into": into}, reason, stamp
        )
    }
    for other in _merged_into(incident_id, records):
        moved = {**records[other], "merged_into": into}
        changed[other] = _revise(
            records[other], moved, f"{incident_id}, which this record was merged into, was merged into {into}.", stamp
        )
    return changed


def correct(working: Record, committed: Record, reason: str, stamp: Stamp) -> Record:
    """Record hand edits: `working` (the edited file) gets a revision naming the fields that differ from
    `committed` (the last committed version). The revisions themselves must be as committed."""
    incident_id = committed.get("incident_id")
    ours, theirs = working.get(HISTORY) or [], committed.get(HISTORY) or []
    if ours != theirs:
        added = [r.get("revision") for r in ours[len(theirs) :]] if ours[: len(theirs)] == theirs else []
        if added:
            raise Refused(
                f"{incident_id}: revision(s) {', '.join(map(str, added))} are not committed yet; commit them "
                "first, then run `incidents correct` again for the newer edits"
            )
        raise Refused(
            f"{incident_id}: the revisions differ from the committed version; history is extended, never "
            "rewritten: put the revisions back as committed and let `incidents correct` add the new one"
        )
    touched = [name for name in BOOKKEPT if working.get(name) != committed.get(name)]
    if touched:
        raise Refused(
            f"{incident_id}: {', '.join(touched)} changed by hand; ids never change, and status and "
            "merged_into are set by `incidents withdraw` and `incidents merge`"
        )
    return _revise(committed, working, reason, stamp)


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Entry:
    """One revision as history shows it; `changes` is None when the versions around it are unknown."""

    revision: dict[str, Any]
    changes: list[Change] | None


def history(record: Mapping[str, Any], versions: Sequence[Mapping[str, Any]]) -> list[Entry]:
    """The record's revisions, with old -> new values where `versions` (earlier states of the record
    file, oldest first, e.g. from git) hold the states before and after a revision.

    The state after revision n is the first version whose latest revision is n: the one that recorded it."""
    after: dict[int, Mapping[str, Any]] = {}
    for version in [*versions, record]:
        after.setdefault(latest_revision(version), version)
    entries = []
    for revision in sorted(record.get(HISTORY) or [], key=lambda r: int(r.get("revision") or 0)):
        number = int(revision.get("revision") or 0)
        before, now = after.get(number - 1), after.get(number)
        changes = None
        if before is not None and now is not None and number > 1:
            changes = [Change(name, before.get(name), now.get(name)) for name in revision.get("fields_changed") or []]
        entries.append(Entry(dict(revision), changes))
    return entries


def _short(value: Any, width: int = 60) -> str:
    """A value on one line for people: empty for None, JSON-like for lists and mappings, cut to `width`."""
    if value is None:
        return "(empty)"
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, list | dict) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def history_human(incident_id: str, status: str, entries: Sequence[Entry]) -> str:
    lines = [f"{incident_id} ({status}), {len(entries)} revision(s)"]
    for entry in entries:
        r = entry.revision
        tool = f", tool {r['tool_version']}" if r.get("tool_version") else ""
        lines.append(
            f"revision {r.get('revision')}  {r.get('changed_at')}  by {r.get('changed_by')} ({r.get('method')}{tool})"
        )
        lines.append(f"  why: {r.get('reason')}")
        if entry.changes is None:
            lines.append(f"  fields: {', '.join(r.get('fields_changed') or []) or '(none listed)'}")
        for change in entry.changes or []:
            lines.append(f"  {change.field}: {_short(change.old)} -> {_short(change.new)}")
    return "\n".join(lines)


def history_json(incident_id: str, status: str, entries: Sequence[Entry]) -> str:
    revisions = [
        {
            **entry.revision,
            "changes": None
            if entry.changes is None
            else [{"field": c.field, "old": c.old, "new": c.new} for c in entry.changes],
        }
        for entry in entries
    ]
    return json.dumps(
        {"incident_id": incident_id, "status": status, "revisions": revisions},
        indent=2,
        ensure_ascii=False,
        default=str,
    )
