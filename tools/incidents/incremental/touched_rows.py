"""What a change touches: the rows the rules must see again when only some files changed since every rule
last passed on the whole dataset (`scan.Scan.changed`).

A rule on a row reads that row, the other rows of its incident (one record file), and the rows its foreign
keys point at, with the archived texts of the sources it cites. So after a clean check, only these rows can
break a rule: those of the changed files, those of an id a changed file held or holds, and those that point
at such an id (through the foreign keys of schemas/tables). Whole incidents are taken, never parts. The
rules across the dataset (unique ids, references, merge targets) run on these rows too, looking up what they
point at in every row: a reference breaks only where a row or its target changed, and two rows that share a
key share an id, so both are touched when one of them is.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from incidents import standard
from incidents.validate.files import RECORD_TABLES

FOLDER_TABLES = {"records": "incidents", "actors": "actors", "sources": "sources"}  # data/<folder>/<id>.*


def _kind(table: str) -> str:
    """The table whose ids a table's rows belong to: an incident's child rows belong to the incident."""
    return "incidents" if table in RECORD_TABLES else table


def _among(column: pa.ChunkedArray | pa.Array, values: Iterable[str]) -> pa.ChunkedArray | pa.Array:
    return pc.fill_null(pc.is_in(column, value_set=pa.array(sorted(values), pa.string())), False)


def scope(std: standard.Standard, tables: dict[str, pa.Table], changed: set[str]) -> dict[str, pa.ChunkedArray]:
    """For each table (rows with `_file`), a mask of the rows to check again after `changed` (paths as
    shown: data/records/<id>.yaml, data/sources/<id>.txt, ...) changed, appeared or went."""
    ids: dict[str, set[str]] = {name: set() for name in FOLDER_TABLES.values()}
    for path in changed:
        folder, _, name = path.removeprefix("data/").partition("/")
        if folder in FOLDER_TABLES:
            ids[FOLDER_TABLES[folder]].add(name.rsplit(".", 1)[0])
    key_of = {name: standard.ID_FIELDS.get(name, "incident_id") for name in tables}  # the id a row belongs to
    for name, table in tables.items():  # the ids changed files hold now (a file's name may not be its id)
        own = table.filter(_among(table.column("_file"), changed))
        ids[_kind(name)].update(own.column(key_of[name]).drop_null().to_pylist())
    touched = {name: _among(table.column(key_of[name]), ids[_kind(name)]) for name, table in tables.items()}
    for name, table in tables.items():  # and the rows that point at one of those ids
        for key in std.tables[name].get("foreignKeys", []):
            (column,) = key["fields"]
            pointed = _among(table.column(column), ids[_kind(key["reference"]["resource"])])
            touched[name] = pc.or_(touched[name], pointed)
    incidents: set[str] = set()
    for name in RECORD_TABLES:
        incidents.update(tables[name].filter(touched[name]).column("incident_id").to_pylist())
    for name in RECORD_TABLES:  # an incident is checked whole
        touched[name] = _among(tables[name].column("incident_id"), incidents)
    return touched
