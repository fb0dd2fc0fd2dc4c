"""Records, actors and sources (plain data) -> the six Arrow tables of the standard.

Pure: the input is parsed YAML that passed the JSON Schemas; the output is Arrow tables plus, for each
row, where it came from, so that column checks can point at a file and a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from incidents.standard import RECORD_CHILDREN, Standard

_CHILD_TABLES = tuple(child for child, _ in RECORD_CHILDREN.values())
Origin = tuple[int, tuple[str | int, ...]]  # (index of the file in its list, path of the row's value in it)


def _column(values: list[Any], spec: dict[str, Any], arrow_type: pa.DataType) -> pa.Array:
    if spec["type"] in ("date", "datetime"):
        return pa.array(values, pa.string()).cast(arrow_type)
    return pa.array(values, arrow_type)


def table_from_rows(
    standard: Standard, name: str, rows: Sequence[dict[str, Any]], version: str | None = None
) -> pa.Table:
    """Build one table from row dicts, columns in the standard's order and types."""
    names = [f["name"] for f in standard.fields(name)]
    return _table(standard, name, {column: [row.get(column) for row in rows] for column in names}, version)


def _table(standard: Standard, name: str, columns: dict[str, list[Any]], version: str | None) -> pa.Table:
    """One table from its columns' values, in the standard's order and types."""
    schema = standard.arrow_schema(name, version)
    arrays = [_column(columns[f["name"]], f, schema.field(f["name"]).type) for f in standard.fields(name)]
    return pa.Table.from_arrays(arrays, schema=schema)


def from_records(
    standard: Standard,
    records: Sequence[dict[str, Any]],
    actors: Sequence[dict[str, Any]],
    sources: Sequence[dict[str, Any]],
    version: str | None = None,
) -> tuple[dict[str, pa.Table], dict[str, list[Origin]]]:
    """Flatten record files into the incidents table and its child tables, in a deterministic order.

    Rows follow the order of `records` (callers sort by incident id); child rows follow their order in
    the record, which is the order the coder chose and reviewers read. Each column's values are gathered
    straight into a list (a cold build flattens 100,000 records): a row is what `{parent_key: incident_id,
    **item}` would be, and an incident's row its record without the child lists, with the latest revision.
    """
    names = {name: [f["name"] for f in standard.fields(name)] for name in ("incidents", *_CHILD_TABLES)}
    columns: dict[str, dict[str, list[Any]]] = {
        name: {column: [] for column in fields} for name, fields in names.items()
    }
    origins: dict[str, list[Origin]] = {name: [] for name in names}
    from_record = [
        (column, values.append)
        for column, values in columns["incidents"].items()
        if column not in RECORD_CHILDREN and column not in ("revision", "updated_at")
    ]
    absent = [values.append for column, values in columns["incidents"].items() if column in RECORD_CHILDREN]
    children = [
        (key, child, parent_key, [(column, values.append) for column, values in columns[child].items()])
        for key, (child, parent_key) in RECORD_CHILDREN.items()
    ]
    for index, record in enumerate(records):
        revisions = record.get("revisions") or []
        numbered = [r for r in revisions if isinstance(r.get("revision"), int)]  # validate leaves bad ones out
        latest = max(numbered, key=lambda r: r["revision"]) if numbered else {}
        for column, append in from_record:
            append(record.get(column))
        for append in absent:
            append(None)
        columns["incidents"]["revision"].append(latest.get("revision"))
        columns["incidents"]["updated_at"].append(latest.get("changed_at"))
        origins["incidents"].append((index, ()))
        for key, child, parent_key, appends in children:
            for position, item in enumerate(record.get(key) or []):
                for column, append in appends:
                    append(item.get(column, record["incident_id"]) if column == parent_key else item.get(column))
                origins[child].append((index, (key, position)))
    tables = {name: _table(standard, name, table_columns, version) for name, table_columns in columns.items()}
    tables["actors"] = table_from_rows(standard, "actors", actors, version)
    tables["sources"] = table_from_rows(standard, "sources", sources, version)
    origins["actors"] = [(i, ()) for i in range(len(actors))]
    origins["sources"] = [(i, ()) for i in range(len(sources))]
    return tables, origins
