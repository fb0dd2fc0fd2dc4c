"""The changes table: every revision, with what it did to its record and the release that first published it.

A copy of the dataset is kept in sync by reading this table alone: apply, in order, the rows of the
releases it does not have. The rows are the revisions table's (its fields are defined there once: the
changes table's Table Schema extends it); `change` and `merged_into` follow from each revision and the
record's state, `release` from the release manifests (`releases/vX.Y.Z.json`, each naming every record's
latest revision at that release). `table` is pure; `released` reads the manifests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.core.layout import Layout
from incidents.release import manifest
from incidents.standard import TOMBSTONES, Standard

# (tag, record id -> its latest revision in that release), oldest release first.
Releases = Sequence[tuple[str, dict[str, int]]]
STATE_FIELDS = ("status", "merged_into")  # a revision that names one of these changed what the record is


def released(layout: Layout) -> list[tuple[str, dict[str, int]]]:
    """Every release's record revisions, oldest first; a manifest that cannot be read is left out (validation
    reports it)."""
    found = []
    for version in manifest.versions(layout):
        path = manifest.path_of(layout, manifest.format_version(version))
        try:
            data = json.loads(Path(path).read_bytes())
            revisions = {str(r["incident_id"]): int(r["revision"]) for r in data["records"]}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append((f"v{manifest.format_version(version)}", revisions))
    return found


def table(std: Standard, revisions: pa.Table, incidents: pa.Table, releases: Releases, version: str | None) -> pa.Table:
    """The changes table from the built revisions and incidents tables, rows in the revisions' order.

    A revision's `change`: the first adds the record; the last one that changed its status or target makes
    it the tombstone it is now (as does a re-pointing of a merged record: it names `merged_into`); any other
    corrects it. Its `release`: the first whose latest revision of the record is at least this one. Computed
    column by column (Arrow), as the other tables are built: a loop over rows was 0.13 s on 16,575 revisions."""
    ids, numbers = revisions.column("incident_id"), revisions.column("revision")
    at = pc.index_in(ids, value_set=incidents.column("incident_id"))
    status = pc.fill_null(pc.take(incidents.column("status"), at), "active")
    state_change = _names(revisions.column("fields_changed"), STATE_FIELDS)
    last = pa.table({"id": ids, "n": pc.if_else(state_change, numbers, pa.scalar(None, numbers.type))})
    last = last.group_by("id").aggregate([("n", "max")])
    last_state_change = pc.take(last.column("n_max"), pc.index_in(ids, value_set=last.column("id")))
    merged = pc.equal(status, "merged")
    conditions = pc.make_struct(
        pc.equal(numbers, 1),
        pc.fill_null(
            pc.and_(pc.is_in(status, value_set=pa.array(TOMBSTONES)), pc.equal(numbers, last_state_change)), False
        ),
        pc.and_(merged, _names(revisions.column("fields_changed"), ("merged_into",))),
        field_names=["added", "tombstone", "repointed"],
    )
    change = pc.case_when(conditions, "added", status, "merged", "corrected")
    release = pa.nulls(len(ids), pa.string())
    for tag, held in reversed(releases):  # the earliest release that holds a revision is set last
        revision_held = pc.take(
            pa.array(list(held.values()), pa.int64()), pc.index_in(ids, value_set=pa.array(list(held), pa.string()))
        )
        release = pc.if_else(pc.fill_null(pc.greater_equal(revision_held, numbers), False), tag, release)
    extra = {
        "change": change,
        "merged_into": pc.if_else(pc.equal(change, "merged"), pc.take(incidents.column("merged_into"), at), None),
        "release": release,
    }
    schema = std.arrow_schema("changes", version)
    columns = [revisions.column(f.name) if f.name in revisions.column_names else extra[f.name] for f in schema]
    return pa.Table.from_arrays([pa.chunked_array(c) for c in columns], schema=schema)


def _names(lists: pa.ChunkedArray, names: Sequence[str]) -> pa.Array:
    """Per row of a list column, whether its list holds one of `names`."""
    lists = lists.combine_chunks()
    rows = pc.filter(pc.list_parent_indices(lists), pc.is_in(pc.list_flatten(lists), value_set=pa.array(names)))
    return pc.is_in(pa.array(np.arange(len(lists))), value_set=rows)
