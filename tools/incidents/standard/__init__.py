"""The standard as written in `schemas/`, and everything derived from it.

`schemas/tables/*.json` (Table Schemas) and `schemas/codelists/*.csv` are the one source of truth. From
them this module derives the JSON Schemas of the contributed files, the Arrow schemas of the built
tables and the Table Schemas inlined in `datapackage.json`. Nothing here restates a field.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

_IN_REPOSITORY = Path(__file__).resolve().parents[3] / "schemas"
# In a clone (or an editable install) the repository's schemas/; in an installed wheel (pre-commit's hook
# environment, `pip install .`) the copy packaged as incidents/schemas by pyproject.toml.
SCHEMAS_DIR = _IN_REPOSITORY if _IN_REPOSITORY.is_dir() else Path(__file__).resolve().parents[1] / "schemas"

TABLES = ("incidents", "actors", "incident_actors", "sources", "incident_sources", "incident_citations", "revisions")
# Tables built from the others (and the release manifests), not from a record file's own rows: published
# beside them. Their Table Schema names the table whose fields they repeat (`x-extends`), defined once there.
DERIVED_TABLES = ("changes",)
PUBLISHED_TABLES = (*TABLES, *DERIVED_TABLES)

# How a record file nests its child tables: YAML key -> (table, the parent key the table repeats).
RECORD_CHILDREN = {
    "actors": ("incident_actors", "incident_id"),
    "evidence": ("incident_sources", "incident_id"),
    "citations": ("incident_citations", "incident_id"),
    "revisions": ("revisions", "incident_id"),
}
# The id column of the file a table's row comes from: actor and source files; every other row, a record's.
ID_FIELDS = {"actors": "actor_id", "sources": "source_id"}
# Fields whose values must each be supported by an evidence quote when they are not empty.
EVIDENCED_FIELDS = ("date_start", "location", "fatalities_best", "injured", "detained", "released")
# The statuses of a record that is no longer an incident of the dataset but stays, with its id, as a tombstone.
TOMBSTONES = ("withdrawn", "merged")
# A string cell must not look like a spreadsheet formula; lists are joined with ';'.
LIST_DELIMITER = ";"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
MAX_TEXT = 20_000

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("s", tz="UTC"),
    "list": pa.list_(pa.string()),
}


@dataclass(frozen=True)
class Codelist:
    name: str
    rows: tuple[dict[str, str], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(row["code"] for row in self.rows)


@dataclass(frozen=True)
class Standard:
    """The loaded `schemas/` folder."""

    tables: dict[str, dict[str, Any]]
    codelists: dict[str, Codelist]

    def fields(self, table: str) -> list[dict[str, Any]]:
        return list(self.tables[table]["fields"])

    def field(self, table: str, name: str) -> dict[str, Any]:
        return next(f for f in self.tables[table]["fields"] if f["name"] == name)

    def coded_fields(self, table: str) -> dict[str, str]:
        """Field name -> codelist name, for the fields of `table` that take a code."""
        return {f["name"]: f["codelist"] for f in self.tables[table]["fields"] if "codelist" in f}

    def span_limits(self) -> dict[str, tuple[int, int]]:
        """Date precision -> the fewest and most days date_end may lie after date_start (the codelist's columns)."""
        return {
            row["code"]: (int(row["min_span_days"]), int(row["max_span_days"]))
            for row in self.codelists["date_precision"].rows
            if row["min_span_days"]
        }

    def date_precision_of(self, start: dt.date, end: dt.date) -> str | None:
        """The precision whose span fits [start, end]; None for a reversed or over-long span."""
        days = (end - start).days
        return next((code for code, (low, high) in self.span_limits().items() if low <= days <= high), None)

    def arrow_schema(self, table: str, version: str | None = None) -> pa.Schema:
        """The Arrow schema of a built table, with each field's description as Parquet metadata."""
        fields = [
            pa.field(
                f["name"],
                _ARROW_TYPES[f["type"]],
                nullable=not f.get("constraints", {}).get("required", False),
                metadata={"description": f["description"]},
            )
            for f in self.tables[table]["fields"]
        ]
        meta = {"table": table, "description": self.tables[table]["description"]}
        if version:
            meta["package_version"] = version
        return pa.schema(fields, metadata=meta)

    def descriptor_schema(self, table: str) -> dict[str, Any]:
        """The Table Schema inlined in datapackage.json, as Table Schema v2 words it: a codelist is the field's
        `categories` (code and label), kept as an `enum` constraint too for validators that predate v2; an
        example is the cell's text."""
        schema = json.loads(json.dumps(self.tables[table]))
        for key in ("name", "title", "description"):
            schema.pop(key, None)
        for field in schema["fields"]:
            field.pop("x-derived", None)
            field.pop("x-filled-by", None)
            if "example" in field:
                field["example"] = example_text(field["example"])
            codelist = field.pop("codelist", None)
            if not codelist:
                continue
            rows = self.codelists[codelist].rows
            if field["type"] == "list":  # v2 has categories for a cell of one code only: the tools check items
                field["x-codelist"] = f"schemas/codelists/{codelist}.csv"
                continue
            field["categories"] = [{"value": row["code"], "label": row["label"]} for row in rows]
            field.setdefault("constraints", {})["enum"] = [row["code"] for row in rows]
        return schema

    def json_schema(self, kind: str) -> dict[str, Any]:
        """JSON Schema (Draft 2020-12) of one contributed file: `record`, `actor` or `source`."""
        table = {"record": "incidents", "actor": "actors", "source": "sources"}[kind]
        schema = self._object_schema(table, skip={f["name"] for f in self.fields(table) if f.get("x-derived")})
        if kind == "record":
            for key, (child, parent_key) in RECORD_CHILDREN.items():
                item = self._object_schema(child, skip={parent_key})
                schema["properties"][key] = {
                    "type": "array",
                    "description": self.tables[child]["description"],
                    "items": item,
                    "minItems": 1 if key == "revisions" else 0,
                }
                if key != "citations":  # optional: most records cite only the sources they archive
                    schema["required"].append(key)
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://incidents.example.org/schemas/{kind}.schema.json",
            "title": f"One {kind} file of the incident data standard",
            "description": "Generated from schemas/tables/*.json and schemas/codelists/ by `incidents schemas`; "
            "do not edit by hand.",
            **schema,
        }

    def _object_schema(self, table: str, skip: set[str]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for f in self.tables[table]["fields"]:
            if f["name"] in skip:
                continue
            properties[f["name"]] = self._value_schema(f)
            if f.get("constraints", {}).get("required") and not f.get("x-filled-by"):  # a contributor may
                required.append(f["name"])  # leave out what a command fills in; a rule says which to run
        return {"type": "object", "additionalProperties": False, "properties": properties, "required": required}

    def _value_schema(self, f: dict[str, Any]) -> dict[str, Any]:
        cons = f.get("constraints", {})
        kind = f["type"]
        value: dict[str, Any]
        if kind == "list":
            item = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^[^;\\n]*$"}
            value = {"type": "array", "items": item, "uniqueItems": True}
            if "codelist" in f:
                item["enum"] = list(self.codelists[f["codelist"]].codes)
                value["x-codelist"] = f"schemas/codelists/{f['codelist']}.csv"
            if f["name"] == "supports":
                item["enum"] = [*(x["name"] for x in self.fields("incidents")), "actors"]
                value["minItems"] = 1
        elif kind in ("date", "datetime"):
            value = {"type": "string", "pattern": DATE_PATTERN if kind == "date" else DATETIME_PATTERN}
            value["format"] = "date" if kind == "date" else "date-time"
        elif kind == "string":
            value = {"type": "string", "maxLength": MAX_TEXT}
            for key in ("pattern", "minLength", "maxLength"):
                if key in cons:
                    value[key] = cons[key]
            if "codelist" in f:
                value["enum"] = list(self.codelists[f["codelist"]].codes)
                value["x-codelist"] = f"schemas/codelists/{f['codelist']}.csv"
        else:
            value = {"type": kind}
            for key in ("minimum", "maximum"):
                if key in cons:
                    value[key] = cons[key]
        value["description"] = f["description"]
        if not cons.get("required") or f.get("x-filled-by"):
            value = {"anyOf": [value, {"type": "null"}], "description": f["description"]}
            value["anyOf"][0].pop("description")
        return value


def example_text(value: Any) -> str:
    """An example as the CSV cell holds it: Table Schema v2 examples are text."""
    return LIST_DELIMITER.join(map(str, value)) if isinstance(value, list) else str(value)


def read_codelist(path: Path) -> Codelist:
    with path.open(encoding="utf-8", newline="") as handle:
        return Codelist(path.stem, tuple(csv.DictReader(handle)))


@cache
def load(schemas_dir: Path = SCHEMAS_DIR) -> Standard:
    """Read `schemas/`: every Table Schema and codelist."""
    tables = {
        t: json.loads((schemas_dir / "tables" / f"{t}.json").read_text(encoding="utf-8")) for t in PUBLISHED_TABLES
    }
    for spec in tables.values():
        if "x-extends" in spec:
            spec["fields"] = [*tables[spec.pop("x-extends")]["fields"], *spec["fields"]]
    codelists = {p.stem: read_codelist(p) for p in sorted((schemas_dir / "codelists").glob("*.csv"))}
    return Standard(tables, codelists)


def generated_files(standard: Standard) -> dict[str, str]:
    """The files under `schemas/` that are derived, by path relative to `schemas/`, with their text."""
    return {
        f"{kind}.schema.json": json.dumps(standard.json_schema(kind), indent=2, ensure_ascii=False) + "\n"
        for kind in ("record", "actor", "source")
    }
