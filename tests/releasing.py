"""Helpers for release tests: a dataset ready to be released, and small edits between releases."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from factories import make_dataset, record, write_record
from incidents import records
from incidents.core.layout import Layout

DAY = dt.date(2026, 11, 25)


def releasable(root: Path, *records_: dict[str, Any]) -> Layout:
    """A valid dataset with the licence files a bundle needs."""
    layout = make_dataset(root, *records_)
    (root / "LICENSE").write_text("MIT License (code)\n", encoding="utf-8")
    (root / "LICENSE-DATA").write_text("CC BY 4.0 (data)\n", encoding="utf-8")
    return layout


def read_record(layout: Layout, incident_id: str) -> dict[str, Any]:
    return records.read(layout.records / f"{incident_id}.yaml", incident_id).data


def revise(layout: Layout, incident_id: str, reason: str = "Correction.", **changes: Any) -> dict[str, Any]:
    """Change fields of a record and add the revision that says so, as a maintainer would."""
    data = read_record(layout, incident_id)
    data.update(changes)
    last = data["revisions"][-1]
    data["revisions"].append(
        {
            **last,
            "revision": last["revision"] + 1,
            "changed_at": "2026-11-25T12:00:00Z",
            "reason": reason,
            "fields_changed": sorted(changes),
        }
    )
    write_record(layout.root, data)
    return data


def second(**changes: Any) -> dict[str, Any]:
    """Another valid record, with its own id."""
    return record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T11", **changes)


def revised(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a record with `changes` and a new revision naming them (the file is not written)."""
    new = copy.deepcopy(data)
    new.update(changes)
    last = new["revisions"][-1]
    new["revisions"].append({**last, "revision": last["revision"] + 1, "fields_changed": sorted(changes)})
    return new
