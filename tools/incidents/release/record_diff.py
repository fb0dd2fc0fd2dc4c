"""Two snapshots of the dataset -> what changed, record by record and in the standard, and the semver bump.

Pure. The versioning policy (docs/versioning.md) lives in `bump_of`: a change is major when a value or
column valid under the old version may be invalid or gone under the new one, minor when something is
added, patch when records are only corrected, withdrawn or merged. A tombstone made active again
("reinstated") breaks the standard's rule and `incidents validate` refuses it; a diff between snapshots made
before that rule may still find one, and says so.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from incidents.records import revisions
from incidents.records.fingerprints import history_sha256, revision_number
from incidents.release.snapshot import RecordState, Snapshot
from incidents.standard import TOMBSTONES

BUMPS = ("patch", "minor", "major")
# Type changes that keep every old value valid (the new type reads all old values).
WIDENINGS = {
    ("integer", "number"),
    ("integer", "string"),
    ("number", "string"),
    ("date", "string"),
    ("datetime", "string"),
}
RECORD_BUMPS = {
    "added": "minor",
    "removed": "major",
    "corrected": "patch",
    "withdrawn": "patch",
    "merged": "patch",
    "reinstated": "patch",  # a tombstone made active: refused by validate since, found only between old snapshots
}


@dataclass(frozen=True)
class RecordChange:
    incident_id: str
    change: str  # one of RECORD_BUMPS
    old_revision: int | None
    new_revision: int | None
    fields: tuple[str, ...] = ()
    fields_from: str = "values"  # "values": compared value by value; "revisions": their fields_changed
    reason: str | None = None
    merged_into: str | None = None
    history_rewritten: bool = False


@dataclass(frozen=True)
class SchemaChange:
    change: str
    where: str
    detail: str
    bump: str


@dataclass(frozen=True)
class Diff:
    old: str
    new: str
    records: tuple[RecordChange, ...]
    schema: tuple[SchemaChange, ...]

    def of(self, change: str) -> list[RecordChange]:
        return [r for r in self.records if r.change == change]

    def counts(self) -> dict[str, int]:
        return {change: len(self.of(change)) for change in RECORD_BUMPS}

    @property
    def bump(self) -> str | None:
        """The smallest bump that honestly describes the changes; None when nothing changed."""
        found = [RECORD_BUMPS[r.change] for r in self.records] + [s.bump for s in self.schema]
        return max(found, key=BUMPS.index) if found else None

    def reasons(self) -> list[str]:
        """Why the proposed bump is what it is: the changes of that level, in words."""
        level = self.bump
        why = [f"{s.where}: {s.detail}" for s in self.schema if s.bump == level]
        for change, bump in RECORD_BUMPS.items():
            if bump == level and self.of(change):
                why.append(f"{len(self.of(change))} record(s) {change}")
        return why


def _changed_fields(old: RecordState, new: RecordState) -> tuple[tuple[str, ...], str]:
    """The fields a change touched, by name: compared value by value when both versions are known, else
    those that the revisions since the old version name."""
    if old.values is not None and new.values is not None:
        names = sorted(set(old.values) | set(new.values))
        return tuple(revisions.changed_fields(old.values, new.values, names)), "values"
    named = {name for n, fields in new.changed.items() if n > old.revision for name in fields}
    return tuple(sorted(named)), "revisions"


def _rewritten(old: RecordState, new: RecordState) -> bool:
    if new.revisions is None:
        return new.revision < old.revision
    published = [r for r in new.revisions if revision_number(r) <= old.revision]
    return history_sha256(published) != old.history_sha256


def record_change(old: RecordState | None, new: RecordState | None) -> RecordChange | None:
    if new is None:
        assert old is not None
        return RecordChange(old.incident_id, "removed", old.revision, None)
    reason = new.status_reason
    if old is None:
        return RecordChange(new.incident_id, "added", None, new.revision, reason=reason, merged_into=new.merged_into)
    unchanged = (old.status, old.merged_into, old.content_sha256, old.history_sha256) == (
        new.status,
        new.merged_into,
        new.content_sha256,
        new.history_sha256,
    )
    if unchanged:
        return None
    if new.status in TOMBSTONES and (new.status, new.merged_into) != (old.status, old.merged_into):
        change = new.status  # a duplicate re-pointed to another survivor is merged again
    elif old.status in TOMBSTONES and new.status == "active":
        change = "reinstated"
    else:
        change = "corrected"
    fields, fields_from = _changed_fields(old, new)
    return RecordChange(
        new.incident_id,
        change,
        old.revision,
        new.revision,
        fields,
        fields_from,
        reason if change in TOMBSTONES else None,
        new.merged_into if change == "merged" else None,
        _rewritten(old, new),
    )


def _type_bump(old: str, new: str) -> str:
    return "minor" if (old, new) in WIDENINGS else "major"


# Bounds whose new value accepts every old value when it moved this way (-1: lower, +1: higher).
LOOSER = {"minimum": -1, "minLength": -1, "exclusiveMinimum": -1, "maximum": 1, "maxLength": 1, "exclusiveMaximum": 1}


def _constraint_bump(key: str, was: Any, now: Any) -> str:
    """minor when the changed constraint accepts every value the old one did (a bound loosened or dropped)."""
    if now is None:
        return "minor"
    if was is not None and key in LOOSER and isinstance(was, int | float) and isinstance(now, int | float):
        return "minor" if (now - was) * LOOSER[key] > 0 else "major"
    return "major"  # added, or changed in a way that cannot be shown to accept every old value (a pattern)


def _constraint_detail(key: str, was: Any, now: Any) -> str:
    if was is None:
        return f"constraint {key} added: {json.dumps(now)}"
    if now is None:
        return f"constraint {key} dropped: {json.dumps(was)}"
    return f"constraint {key}: {json.dumps(was)} -> {json.dumps(now)}"


def field_changes(where: str, was: dict[str, Any], now: dict[str, Any]) -> list[SchemaChange]:
    """Changes to one field's shape. Keys a manifest from an older tool lacks are not compared."""
    out = []
    if was["type"] != now["type"]:
        detail = f"type {was['type']} -> {now['type']}"
        out.append(SchemaChange("type-changed", where, detail, _type_bump(was["type"], now["type"])))
    if was["required"] != now["required"]:
        if now["required"]:
            out.append(SchemaChange("required-added", where, "optional field became required", "major"))
        else:
            out.append(SchemaChange("required-dropped", where, "required field became optional", "minor"))
    if "constraints" in was and "constraints" in now:
        before, after = was["constraints"], now["constraints"]
        for key in sorted(set(before) | set(after)):
            old_value, new_value = before.get(key), after.get(key)
            if old_value != new_value:
                detail, bump = (
                    _constraint_detail(key, old_value, new_value),
                    _constraint_bump(key, old_value, new_value),
                )
                out.append(SchemaChange("constraint-changed", where, detail, bump))
        if was.get("codelist") != now.get("codelist"):
            detail = f"codelist {was.get('codelist') or '(none)'} -> {now.get('codelist') or '(none)'}"
            out.append(SchemaChange("codelist-changed", where, detail, "minor" if not now.get("codelist") else "major"))
        if was.get("itemType") != now.get("itemType") and was.get("itemType") and now.get("itemType"):
            detail = f"item type {was['itemType']} -> {now['itemType']}"
            out.append(SchemaChange("type-changed", where, detail, _type_bump(was["itemType"], now["itemType"])))
    return out


def schema_changes(old: dict[str, Any], new: dict[str, Any]) -> list[SchemaChange]:
    """What changed in the standard's shape. An empty old schema (the first release) changes nothing."""
    if not old:
        return []
    out: list[SchemaChange] = []
    old_tables, new_tables = old.get("tables", {}), new.get("tables", {})
    for table in sorted(set(old_tables) | set(new_tables)):
        if table not in new_tables:
            out.append(SchemaChange("table-removed", table, "table removed", "major"))
            continue
        if table not in old_tables:
            out.append(SchemaChange("table-added", table, "table added", "minor"))
            continue
        before, after = old_tables[table]["fields"], new_tables[table]["fields"]
        for name in sorted(set(before) | set(after)):
            where = f"{table}.{name}"
            if name not in after:
                out.append(SchemaChange("field-removed", where, "field removed (or renamed)", "major"))
            elif name not in before:
                required = after[name]["required"]
                detail = "required field added" if required else "optional field added"
                out.append(SchemaChange("field-added", where, detail, "major" if required else "minor"))
            else:
                out.extend(field_changes(where, before[name], after[name]))
    old_lists, new_lists = old.get("codelists", {}), new.get("codelists", {})
    for name in sorted(set(old_lists) | set(new_lists)):
        if name not in new_lists:
            out.append(SchemaChange("codelist-removed", name, "codelist removed", "major"))
        elif name not in old_lists:
            out.append(SchemaChange("codelist-added", name, "codelist added", "minor"))
        else:
            removed = [c for c in old_lists[name] if c not in new_lists[name]]
            added = [c for c in new_lists[name] if c not in old_lists[name]]
            if removed:
                out.append(SchemaChange("code-removed", name, f"code(s) removed: {', '.join(removed)}", "major"))
            if added:
                out.append(SchemaChange("code-added", name, f"code(s) added: {', '.join(added)}", "minor"))
    return out


def diff(old: Snapshot, new: Snapshot) -> Diff:
    changes = []
    for incident_id in sorted(set(old.records) | set(new.records)):
        change = record_change(old.records.get(incident_id), new.records.get(incident_id))
        if change:
            changes.append(change)
    return Diff(old.label, new.label, tuple(changes), tuple(schema_changes(old.schema, new.schema)))


def human(d: Diff) -> str:
    """A record-level table, then the changes to the standard, then the bump they call for."""
    lines = [f"{d.old} -> {d.new}"]
    if d.records:
        width = max(len(r.incident_id) for r in d.records)
        lines.append(f"{'incident_id':<{width}}  {'change':<10}  {'revision':<8}  fields / reason")
        for r in d.records:
            revs = f"{r.old_revision or '-'}->{r.new_revision or '-'}"
            detail = ", ".join(r.fields) + (" (as the revisions name them)" if r.fields_from == "revisions" else "")
            if r.change == "withdrawn":
                detail = f"reason: {r.reason}"
            elif r.change == "merged":
                detail = f"into {r.merged_into}: {r.reason}"
            if r.history_rewritten:
                detail += " [HISTORY REWRITTEN]"
            if r.change == "reinstated":
                detail += " [A TOMBSTONE MADE ACTIVE: a new record with a new id should have been coded]"
            lines.append(f"{r.incident_id:<{width}}  {r.change:<10}  {revs:<8}  {detail}".rstrip())
    for s in d.schema:
        lines.append(f"schema: {s.where}: {s.detail} ({s.bump})")
    counts = ", ".join(f"{n} {change}" for change, n in d.counts().items() if n)
    lines.append(f"{counts or 'no record changed'}; bump: {d.bump or 'none'}")
    return "\n".join(lines)


def as_json(d: Diff) -> str:
    return json.dumps(
        {
            "old": d.old,
            "new": d.new,
            "bump": d.bump,
            "counts": d.counts(),
            "records": [asdict(r) for r in d.records],
            "schema": [asdict(s) for s in d.schema],
        },
        indent=2,
        ensure_ascii=False,
    )


FORMATS = {"human": human, "json": as_json}
