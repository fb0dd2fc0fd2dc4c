"""A record's fingerprints: one canonical JSON form of its values and of its history, hashed.

Hashes use one canonical JSON form: keys sorted, no whitespace, UTF-8, empty values (null, []) dropped so
that adding an optional field to the standard changes no hash, dates as written in the record files
(YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ), integral floats as integers. Release manifests keep them
(release/snapshot.py), the continuity check compares them (validate/continuity.py), and the file checks
compute them once per file, for the build cache (validate/files.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any


def _plain(value: Any) -> Any:
    """A value in the form the record files write it, for hashing and comparing."""
    if isinstance(value, str | int) or value is None:  # most values, first: texts, counts, booleans
        return value
    if isinstance(value, dict):  # before the slower test for any Mapping
        return {str(k): _plain(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def revision_number(revision: Mapping[str, Any]) -> int:
    number = revision.get("revision")
    return number if isinstance(number, int) else 0


def ordered_revisions(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The revisions by number; entries that are not mappings (an invalid file) are left out."""
    revisions = record.get("revisions")
    found = [dict(r) for r in revisions if isinstance(r, Mapping)] if isinstance(revisions, list) else []
    return sorted(found, key=revision_number)


def history_sha256(revisions: Iterable[Mapping[str, Any]]) -> str:
    """The fingerprint of a record's history: its revisions, in order, in canonical JSON."""
    return sha256(canonical_json([dict(r) for r in revisions]))


def values_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's values without its history, in plain form."""
    plain: dict[str, Any] = _plain({k: v for k, v in record.items() if k != "revisions"})
    return plain


def content_sha256(record: Mapping[str, Any]) -> str:
    """The fingerprint of a record's values (everything but its revisions)."""
    return sha256(canonical_json(values_of(record)))


def fingerprints(record: dict[str, Any]) -> dict[str, Any]:
    """What the continuity check compares of one record that passed its schema: its status, revision
    numbers, the fingerprint of its history after each revision, and the fingerprint of its values."""
    revisions = ordered_revisions(record)
    return {
        "status": record.get("status"),
        "numbers": [r.get("revision", 0) for r in revisions],
        "history": [history_sha256(revisions[:n]) for n in range(len(revisions) + 1)],
        "status_changed": ["status" in (r.get("fields_changed") or []) for r in revisions],
        "content": content_sha256(record),
    }
