"""A record's history: the revision entry every change appends, which fields two versions differ in, and
which fields the revisions added between them name.

One statement of each, for everything that changes a record: `incidents new` (the first revision), the
bookkeeping commands (records/lifecycle.py), imports (importers/) and the release diff (release/record_diff.py).
Pure: takes and returns plain values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

HISTORY = "revisions"  # the key of a record's history, never itself a changed field


@dataclass(frozen=True)
class Stamp:
    """Who makes a revision, when (UTC, YYYY-MM-DDTHH:MM:SSZ), with which tool version and method."""

    by: str
    at: str
    tool_version: str
    method: str = "manual"


def entry(number: int, stamp: Stamp, reason: str, fields_changed: list[str]) -> dict[str, Any]:
    """The revision entry, with its keys in the order record files hold them."""
    return {
        "revision": number,
        "changed_at": stamp.at,
        "changed_by": stamp.by,
        "method": stamp.method,
        "tool_version": stamp.tool_version,
        "reason": reason,
        "fields_changed": fields_changed,
    }


def latest(record: Mapping[str, Any]) -> int:
    """The number of the record's latest revision (0 for a record without any)."""
    return max((int(r.get("revision") or 0) for r in record.get(HISTORY) or []), default=0)


def changed_fields(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    names: Iterable[str] | None = None,
    *,
    lists: Collection[str] = (),
) -> list[str]:
    """The fields whose values differ between two versions of a record, in the order of `names` (by
    default the record's own: the fields of `new`, then those only `old` has). The history never counts.

    A name in `lists` is a list for which missing, null and [] are the same value (no actors is no actors)."""
    if names is None:
        names = [*new, *(name for name in old if name not in new)]

    def value(record: Mapping[str, Any], name: str) -> Any:
        found = record.get(name)
        return (found or []) if name in lists else found

    return [name for name in names if name != HISTORY and value(old, name) != value(new, name)]


@dataclass(frozen=True)
class Since:
    """Two versions of a record compared: the revisions the newer adds after the older's, the fields whose
    values differ, and the fields those added revisions name in fields_changed (together, in order)."""

    added: list[Mapping[str, Any]]
    changed: list[str]
    named: list[str]

    @property
    def unnamed(self) -> list[str]:
        """Fields changed that no added revision names."""
        return [name for name in self.changed if name not in self.named]

    @property
    def unchanged(self) -> list[str]:
        """Fields an added revision names whose values did not change."""
        return [name for name in self.named if name not in self.changed]


def since(old: Mapping[str, Any], new: Mapping[str, Any]) -> Since | None:
    """`new` compared with `old`; None when `old`'s revisions are not the first of `new`'s (history rewritten)."""
    ours, theirs = list(new.get(HISTORY) or []), list(old.get(HISTORY) or [])
    if ours[: len(theirs)] != theirs:
        return None
    added = ours[len(theirs) :]
    named = [name for revision in added for name in _names(revision)]
    return Since(added, changed_fields(old, new), list(dict.fromkeys(named)))


def _names(revision: Any) -> list[str]:
    fields = revision.get("fields_changed") if isinstance(revision, Mapping) else None
    return [name for name in fields if isinstance(name, str)] if isinstance(fields, list) else []
