"""What a release needs to remember of the dataset, and how to fingerprint it.

A snapshot is the state of every record (status, revision, a hash of its history and of its values) plus
the shape of the standard (fields and types of each table, codes of each codelist). Release manifests store
snapshots so that the next release, `incidents diff` and `incidents validate` can compare against a
published version without its bundle. When the values themselves are at hand (the working tree, a bundle),
a snapshot keeps them too, and diffs name changed fields exactly.

The fingerprints themselves are records/fingerprints.py's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from incidents.records.fingerprints import (
    _plain,
    content_sha256,
    history_sha256,
    ordered_revisions,
    revision_number,
    values_of,
)
from incidents.standard import RECORD_CHILDREN, TOMBSTONES, Standard


@dataclass(frozen=True)
class RecordState:
    """One record as a release remembers it; `values` and `revisions` only when the full record is known.

    `status_reason` (of a tombstone) and `changed` (the fields_changed of revisions after the first) are
    kept in manifests too, so that a diff between two versions without their bundles still says why a
    record was withdrawn and which fields a correction changed."""

    incident_id: str
    status: str
    merged_into: str | None
    revision: int
    history_sha256: str
    content_sha256: str
    status_reason: str | None = None
    changed: dict[int, list[str]] = field(default_factory=dict)
    values: dict[str, Any] | None = None
    revisions: list[dict[str, Any]] | None = None

    def summary(self) -> dict[str, Any]:
        """The entry of a release manifest's `records` list (reason and changed fields only when there are)."""
        entry: dict[str, Any] = {
            "incident_id": self.incident_id,
            "status": self.status,
            "merged_into": self.merged_into,
            "revision": self.revision,
            "history_sha256": self.history_sha256,
            "content_sha256": self.content_sha256,
        }
        if self.status in TOMBSTONES and self.status_reason:
            entry["status_reason"] = self.status_reason
        if self.changed:
            entry["changed"] = {str(n): fields for n, fields in sorted(self.changed.items())}
        return entry


@dataclass(frozen=True)
class Snapshot:
    """A version of the dataset: its records by id and the shape of its standard."""

    label: str
    records: dict[str, RecordState]
    schema: dict[str, Any] = field(default_factory=dict)


def record_state(record: Mapping[str, Any]) -> RecordState:
    revisions = ordered_revisions(record)
    return RecordState(
        incident_id=record["incident_id"],
        status=record.get("status") or "active",
        merged_into=record.get("merged_into"),
        revision=max((revision_number(r) for r in revisions), default=0),
        history_sha256=history_sha256(revisions),
        content_sha256=content_sha256(record),
        status_reason=record.get("status_reason"),
        changed={
            revision_number(r): [str(name) for name in r["fields_changed"]]
            for r in revisions
            if revision_number(r) > 1 and isinstance(r.get("fields_changed"), list)
        },
        values=values_of(record),
        revisions=[_plain(r) for r in revisions],
    )


def field_shape(spec: Mapping[str, Any]) -> dict[str, Any]:
    """What of a field decides which values it accepts: type, required, the other constraints, its codelist
    and the type of its list items. Descriptions and examples change no value's validity."""
    constraints = dict(spec.get("constraints", {}))
    shape = {"type": spec["type"], "required": bool(constraints.pop("required", False)), "constraints": constraints}
    shape.update({key: spec[key] for key in ("codelist", "itemType") if key in spec})
    return shape


def schema_snapshot(std: Standard) -> dict[str, Any]:
    """The shape of the standard that decides a semver bump: fields (field_shape), and codes."""
    tables = {
        name: {"fields": {f["name"]: field_shape(f) for f in spec["fields"]}}
        for name, spec in sorted(std.tables.items())
    }
    codelists = {name: list(codelist.codes) for name, codelist in sorted(std.codelists.items())}
    return {"tables": tables, "codelists": codelists}


def from_records(label: str, records: Iterable[Mapping[str, Any]], schema: dict[str, Any]) -> Snapshot:
    states = {s.incident_id: s for s in map(record_state, records)}
    return Snapshot(label, dict(sorted(states.items())), schema)


def from_manifest(label: str, manifest: Mapping[str, Any]) -> Snapshot:
    """A snapshot from a release manifest alone: states and hashes, no values."""
    states = {
        r["incident_id"]: RecordState(
            r["incident_id"],
            r["status"],
            r.get("merged_into"),
            r["revision"],
            r["history_sha256"],
            r.get("content_sha256", ""),
            r.get("status_reason"),
            {int(n): list(fields) for n, fields in (r.get("changed") or {}).items()},
        )
        for r in manifest.get("records", [])
    }
    return Snapshot(label, states, manifest.get("schema", {}))


def records_from_tables(std: Standard, tables: Mapping[str, pa.Table]) -> list[dict[str, Any]]:
    """Rebuild record dicts from built tables (as shipped in a bundle): the inverse of tables.from_records."""
    own = {f["name"] for f in std.fields("incidents") if not f.get("x-derived")}  # not a Parquet-only geometry
    records: dict[str, dict[str, Any]] = {}
    for row in tables["incidents"].to_pylist():
        records[row["incident_id"]] = {k: v for k, v in row.items() if k in own}
        for key in RECORD_CHILDREN:
            records[row["incident_id"]][key] = []
    for key, (child, parent_key) in RECORD_CHILDREN.items():
        if child not in tables:
            continue
        for row in tables[child].to_pylist():
            parent = records.get(row.pop(parent_key))
            if parent is not None:
                parent[key].append(row)
    return list(records.values())
