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

from incidents.records import revisions
from incidents.records.revisions import HISTORY, Stamp
from incidents.standard import EVIDENCED_FIELDS, TOMBSTONES

Record = dict[str, Any]

# Changed only through `withdraw` and `merge` (status, merged_into) or never (incident_id).
BOOKKEPT = ("incident_id", "status", "merged_into")
# Values that must each be supported by a quote (as `incidents validate` checks them), so a correction of one
# needs a quote that gives the new value. A quote listing 'actors' supports some of the actors, not
# necessarily the ones a correction replaced, so only the single values are taken off earlier quotes.
NEEDS_QUOTE = (*EVIDENCED_FIELDS, "actors")


class Refused(Exception):
    """A bookkeeping step that would break the dataset's rules; the message says what and what to do."""


def unrecorded(working: Mapping[str, Any], committed: Mapping[str, Any]) -> list[str]:
    """Fields edited since the committed version that no revision added since then names."""
    found = revisions.since(committed, working)
    return found.unnamed if found is not None else revisions.changed_fields(committed, working)


def _revise(old: Record, new: Record, reason: str, stamp: Stamp) -> Record:
    """`new` with one more revision that names the fields changed since `old`."""
    reason = reason.strip()
    if not reason:
        raise Refused("a reason is required: say why the record changes (--reason TEXT)")
    fields = revisions.changed_fields(old, new)
    if not fields:
        raise Refused(f"{new.get('incident_id')}: nothing changed, so there is no revision to record")
    revision = revisions.entry(revisions.latest(old) + 1, stamp, reason, fields)
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
    `committed` (the last committed version). The revisions themselves must be as committed.

    A changed value that needs a quote (NEEDS_QUOTE) must come with an evidence item, added or changed in the
    same edit, that lists the field in supports; earlier items that list a corrected single value have it
    taken off their supports (see `superseded`), since their quote gave the old value."""
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
    _require_quotes(working, committed)
    return _revise(committed, _settled(working, committed)[0], reason, stamp)


@dataclass(frozen=True)
class Superseded:
    """An earlier evidence item that a correction took fields off: its quote gave the values it replaced.
    `removed` when it supported nothing else, so the item itself is gone (git history keeps it)."""

    quote: str
    fields: tuple[str, ...]
    removed: bool


def superseded(working: Mapping[str, Any], committed: Mapping[str, Any]) -> list[Superseded]:
    """The earlier evidence items `correct` takes fields off: for each evidenced value the edit changed and
    a new quote supports, the items as committed that still list that field."""
    return _settled(working, committed)[1]


def superseded_human(items: Sequence[Superseded]) -> list[str]:
    """One line per earlier evidence item a correction took fields off, for the command's output."""
    return [
        f"evidence: removed the earlier quote {_shown(item.quote)}: it supported only {', '.join(item.fields)}, "
        "and gave the old value"
        if item.removed
        else f"evidence: took {', '.join(item.fields)} off the supports of the earlier quote {_shown(item.quote)}: "
        "it gave the old value"
        for item in items
    ]


def _shown(value: Any) -> str:
    """A value on one line, text in double quotes so that commas and spaces read as part of it."""
    return f'"{_short(value, 50)}"' if isinstance(value, str) else _short(value)


def _items(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    evidence = record.get("evidence")
    return [item for item in evidence if isinstance(item, Mapping)] if isinstance(evidence, list) else []


def _supports(item: Mapping[str, Any]) -> list[str]:
    supports = item.get("supports")
    return [name for name in supports if isinstance(name, str)] if isinstance(supports, list) else []


def _quote_key(item: Mapping[str, Any]) -> str:
    """What makes a quote the same quote: its source, offsets and text (repr: the file may hold anything)."""
    return repr(tuple(item.get(key) for key in ("source_id", "char_start", "char_end", "quote")))


def _claims(record: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(quote, field) for each field each evidence item lists in supports."""
    return {(_quote_key(item), name) for item in _items(record) for name in _supports(item)}


def _newly_supported(working: Mapping[str, Any], committed: Mapping[str, Any]) -> set[str]:
    """Fields that an evidence item added or changed since the commit lists, and did not list before."""
    before = _claims(committed)
    return {name for key, name in _claims(working) if (key, name) not in before}


def _corrected(working: Mapping[str, Any], committed: Mapping[str, Any]) -> list[str]:
    """The fields needing a quote whose value the edit changed to one that is not empty."""
    return [
        name
        for name in NEEDS_QUOTE
        if working.get(name) != committed.get(name) and working.get(name) not in (None, "", [])
    ]


def _require_quotes(working: Mapping[str, Any], committed: Mapping[str, Any]) -> None:
    """Refuse a changed evidenced value that no new or changed evidence item supports: the quotes that list
    the field gave the old value, and the next import of the row would find the new one unsupported."""
    fresh = _newly_supported(working, committed)
    missing = [name for name in _corrected(working, committed) if name not in fresh]
    if not missing:
        return
    incident_id = committed.get("incident_id")
    lines = [
        f"{incident_id}: {', '.join(missing)} changed without a quote that gives the new value; nothing was written"
    ]
    for name in missing:
        listing = [_shown(item.get("quote")) for item in _items(working) if name in _supports(item)]
        found = (
            f"the quote listing it, {listing[0]}, is as committed and gave the old value"
            if len(listing) == 1
            else f"the quotes listing it, {', '.join(listing)}, are as committed and gave the old value"
            if listing
            else "no evidence item lists it"
        )
        lines.append(
            f"  {name}: {_shown(committed.get(name))} -> {_shown(working.get(name))}, but no evidence item added or "
            f"changed since the last commit lists {name} in supports: {found}"
        )
    todo = (
        f"Add an evidence item quoting the source that gives the new value, with supports: [{missing[0]}]"
        if len(missing) == 1
        else "Add evidence items quoting the sources that give the new values, each with supports listing the "
        f"fields its quote gives (here: {', '.join(missing)})"
    )
    lines.append(f"{todo}, then run `incidents correct {incident_id} --reason ...` again.")
    raise Refused("\n".join(lines))


def _settled(working: Mapping[str, Any], committed: Mapping[str, Any]) -> tuple[Record, list[Superseded]]:
    """`working` with each corrected single value taken off the supports of the evidence items that listed
    it as committed (an item left supporting nothing is dropped), and what was taken off."""
    fresh = _newly_supported(working, committed)
    fields = {name for name in _corrected(working, committed) if name in EVIDENCED_FIELDS and name in fresh}
    result = copy.deepcopy(dict(working))
    evidence = result.get("evidence")
    if not fields or not isinstance(evidence, list):
        return result, []
    before = _claims(committed)
    kept: list[Any] = []
    found: list[Superseded] = []
    for item in evidence:
        old = (
            [n for n in _supports(item) if n in fields and (_quote_key(item), n) in before]
            if isinstance(item, dict)
            else []
        )
        if old:
            item["supports"] = [n for n in item["supports"] if n not in old]
            found.append(Superseded(str(item.get("quote")), tuple(old), removed=not item["supports"]))
        if not old or item["supports"]:
            kept.append(item)
    result["evidence"] = kept
    return result, found


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Entry:
    """One revision as history shows it. `changes` are the values that differ between the versions before
    and after it, whatever its fields_changed says (a hand-written revision may say anything); None when
    those versions are unknown."""

    revision: dict[str, Any]
    changes: list[Change] | None

    @property
    def disagreement(self) -> str | None:
        """How fields_changed differs from the fields that really changed; None when they agree or are unknown."""
        if self.changes is None:
            return None
        named = [str(name) for name in self.revision.get("fields_changed") or []]
        changed = [change.field for change in self.changes]
        if set(named) == set(changed):
            return None
        return (
            f"fields_changed names {', '.join(named) or 'no field'}, but the values that changed are those of "
            f"{', '.join(changed) or 'no field'}"
        )


def history(record: Mapping[str, Any], versions: Sequence[Mapping[str, Any]]) -> list[Entry]:
    """The record's revisions, with the values that changed (old -> new) where `versions` (earlier states of
    the record file, oldest first, e.g. from git) hold the states before and after a revision.

    The state after revision n is the first version whose latest revision is n: the one that recorded it."""
    after: dict[int, Mapping[str, Any]] = {}
    for version in [*versions, record]:
        after.setdefault(revisions.latest(version), version)
    entries = []
    for revision in sorted(record.get(HISTORY) or [], key=lambda r: int(r.get("revision") or 0)):
        number = int(revision.get("revision") or 0)
        before, now = after.get(number - 1), after.get(number)
        changes = None
        if before is not None and now is not None and number > 1:
            changes = [Change(name, before.get(name), now.get(name)) for name in revisions.changed_fields(before, now)]
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
        if entry.disagreement:
            lines.append(f"  ({entry.disagreement})")
    return "\n".join(lines)


def history_json(incident_id: str, status: str, entries: Sequence[Entry]) -> str:
    revisions = [
        {
            **entry.revision,
            "changes": None
            if entry.changes is None
            else [{"field": c.field, "old": c.old, "new": c.new} for c in entry.changes],
            "disagreement": entry.disagreement,
        }
        for entry in entries
    ]
    return json.dumps(
        {"incident_id": incident_id, "status": status, "revisions": revisions},
        indent=2,
        ensure_ascii=False,
        default=str,
    )
