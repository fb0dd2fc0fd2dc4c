"""build.tables.from_records gathers each column's values straight into a list; it must give exactly the
tables of the plain way: a row dict per incident (its record without the child lists, with the latest
revision) and per child item (`{parent_key: incident_id, **item}`), each table built from those rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents import records, standard
from incidents.build import tables
from incidents.standard import RECORD_CHILDREN

ROOT = Path(__file__).resolve().parents[2]
STD = standard.load()


def plain(records_: list[dict[str, Any]]) -> dict[str, pa.Table]:
    rows: dict[str, list[dict[str, Any]]] = {"incidents": [], **{child: [] for child, _ in RECORD_CHILDREN.values()}}
    for record in records_:
        numbered = [r for r in record.get("revisions") or [] if isinstance(r.get("revision"), int)]
        latest = max(numbered, key=lambda r: r["revision"]) if numbered else {}
        incident = {k: v for k, v in record.items() if k not in RECORD_CHILDREN}
        incident["revision"] = latest.get("revision")
        incident["updated_at"] = latest.get("changed_at")
        rows["incidents"].append(incident)
        for key, (child, parent_key) in RECORD_CHILDREN.items():
            rows[child] += [{parent_key: record["incident_id"], **item} for item in record.get(key) or []]
    return {name: tables.table_from_rows(STD, name, table_rows) for name, table_rows in rows.items()}


def real_records(count: int) -> list[dict[str, Any]]:
    paths = sorted((ROOT / "data/records").glob("*.yaml"))[:count]
    return [records.read(path, path.name).data for path in paths]


def test_the_real_records_flatten_as_the_plain_way() -> None:
    found = real_records(3000)
    built, origins = tables.from_records(STD, found, [], [])
    expected = plain(found)
    assert built["incidents"].num_rows == len(found)
    assert built["revisions"].num_rows > len(found) / 2  # child rows are there to compare
    for name, table in expected.items():
        assert built[name].equals(table), name
    assert len(origins["incident_sources"]) == built["incident_sources"].num_rows


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_records_with_missing_and_odd_values_flatten_as_the_plain_way(data: st.DataObject) -> None:
    """Fields left out, child lists empty or absent, a child item carrying its own incident_id, revisions
    out of order or unnumbered: the same tables either way."""
    base = real_records(40)
    chosen = data.draw(st.lists(st.sampled_from(base), min_size=1, max_size=6))
    edited = []
    for record in chosen:
        record = dict(record)
        for key in data.draw(st.lists(st.sampled_from(sorted(record)), max_size=4, unique=True)):
            if key != "incident_id":
                del record[key]
        for key in RECORD_CHILDREN:
            items = record.get(key)
            if isinstance(items, list) and items and data.draw(st.booleans()):
                record[key] = [{**items[0], "incident_id": "inc_other"}, *reversed(items[1:])]
        edited.append(record)
    built, _ = tables.from_records(STD, edited, [], [])
    for name, table in plain(edited).items():
        assert built[name].equals(table), name
