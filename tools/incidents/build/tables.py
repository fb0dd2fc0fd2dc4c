"""Records, actors and sources (plain data) -> the six Arrow tables of the standard.

Pure: the input is parsed YAML that passed the JSON Schemas; the output is Arrow tables plus, for each
row, where it came from, so that column checks can point at a file and a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from incidents.standard import RECORD_CHILDREN, Standard

Origin = tuple[int, tuple[str | int, ...]]  # (index of the file in its list, path of the row's value in it)


def _column(values: list[Any], spec: dict[str, Any], arrow_type: pa.DataType) -> pa.Array:
    if spec["type"] in ("date", "datetime"):
        return pa.array(values, pa.string()).cast(arrow_type)
    return pa.array(values, arrow_type)


def table_from_rows(
    standard: Standard, name: str, rows: Sequence[dict[str, Any]], version: str | None = None
) -> pa.Table:
    """Build one table from row dicts, columns in the standard's order and types."""
    schema = standard.arrow_schema(name, version)
    columns = [
        _column([row.get(f["name"]) for row in rows], f, schema.field(f["name"]).type) for f in standard.fields(name)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def from_records(
    standard: Standard,
    records: Sequence[dict[str, Any]],
    actors: Sequence[dict[str, Any]],
    sources: Sequence[dict[str, Any]],
    version: str | None = None,
) -> tuple[dict[str, pa.Table], dict[str, list[Origin]]]:
    """Flatten record files into the incidents table and its child tables, in a deterministic order.

    Rows follow the order of `records` (callers sort by incident id); child rows follow their order in
    the record, which is the order the coder chose and reviewers read.
    """
    rows: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ("incidents", *(t for t, _ in RECORD_CHILDREN.values()))
    }
    origins: dict[str, list[Origin]] = {name: [] for name in rows}
    for index, record in enumerate(records):
        revisions = record.get("revisions") or []
        numbered = [r for r in revisions if isinstance(r.get("revision"), int)]  # validate leaves bad ones out
        latest = max(numbered, key=lambda r: r["revision"]) if numbered else {}
        incident = {k: v for k, v in record.items() if k not in RECORD_CHILDREN}
        incident["revision"] = latest.get("revision")
        incident["updated_at"] = latest.get("changed_at")
        rows["incidents"].append(incident)
        origins["incidents"].append((index, ()))
        for key, (child, parent_key) in RECORD_CHILDREN.items():
            for position, item in enumerate(record.get(key) or []):
                rows[child].append({parent_key: record["incident_id"], **item})
                origins[child].append((index, (key, position)))
    tables = {name: table_from_rows(standard, name, table_rows, version) for name, table_rows in rows.items()}
    tables["actors"] = table_from_rows(standard, "actors", actors, version)
    tables["sources"] = table_from_rows(standard, "sources", sources, version)
    origins["actors"] = [(i, ()) for i in range(len(actors))]
    origins["sources"] = [(i, ()) for i in range(len(sources))]
    return tables, origins
