"""The table rules of `schemas/` as DuckDB SQL, run on every CSV and Parquet file a package publishes: the
columnar floor `incidents validate --tables` is measured against (issue 24).

    .venv/bin/python benchmarks/duckdb_rules.py ROOT [--json]

Every rule is derived from the standard as `incidents.standard` loads it from `schemas/` (nothing about a
field is written here):

- a field's Table Schema: its type (a cell that does not parse is a `value-type` finding), `required`,
  `pattern`, `minLength`, `minimum`, `maximum`, its codelist (`enum`, each item of a list), the table's
  `primaryKey` and `unique` fields, and its `foreignKeys`;
- a codelist with a column named for another coded field of the same table says which pairs go together
  (`sub_event_type.csv`'s `event_type` column: a sub-type under its type);
- the span columns of `date_precision.csv` (`standard.span_limits`): how many days date_end may lie after
  date_start, so a reversed span breaks every precision that has dates;
- a field description stating `a <= b` of two fields of its table (fatalities_low <= fatalities_best <=
  fatalities_high).

No evidence quote is compared with its archived text, and the descriptor's hashes are not checked: DuckDB
has no rule for those. Each file is read into a table of DuckDB's types once (its row number kept), then
one scan finds the rows breaking any rule on a row alone, a grouping the repeated keys, and an anti-join the
references not found in the referenced file of the same format.

Prints one finding a line (`file:row field code`, the row 0-based), or with `--json` a list of objects;
exits 1 when it found anything.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from incidents import standard
from incidents.build import encode

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP WITH TIME ZONE",
    "list": "VARCHAR[]",
}
ORDER = re.compile(r"\b([a-z_]+) <= ([a-z_]+)\b")  # "fatalities_low <= fatalities_best" in a description
ROW = "rowid"


@dataclass(frozen=True)
class Rule:
    """A rule on a row alone: `condition` (SQL on the typed columns) is true where `field` breaks it."""

    field: str
    code: str
    condition: str


@dataclass(frozen=True)
class Finding:
    file: str  # relative to the package root
    row: int  # 0-based data row
    field: str
    code: str


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def codes(std: standard.Standard, codelist: str) -> str:
    return "[" + ", ".join(literal(c) for c in std.codelists[codelist].codes) + "]"


def row_rules(std: standard.Standard, table: str) -> list[Rule]:
    """The rules on a row alone of `table`, derived from its Table Schema and the codelists."""
    fields = {f["name"]: f for f in std.fields(table)}
    rules = []
    for name, spec in fields.items():
        col, cons = quote(name), spec.get("constraints", {})
        if cons.get("required"):
            rules.append(Rule(name, "required", f"{col} IS NULL"))
        if "pattern" in cons:
            rules.append(Rule(name, "pattern", f"NOT regexp_matches({col}, {literal(cons['pattern'])})"))
        if "minLength" in cons:
            rules.append(Rule(name, "min-length", f"length({col}) < {cons['minLength']}"))
        if "maxLength" in cons:
            rules.append(Rule(name, "max-length", f"length({col}) > {cons['maxLength']}"))
        if "minimum" in cons:
            rules.append(Rule(name, "minimum", f"{col} < {cons['minimum']}"))
        if "maximum" in cons:
            rules.append(Rule(name, "maximum", f"{col} > {cons['maximum']}"))
        if "codelist" in spec:
            known = codes(std, spec["codelist"])
            if spec["type"] == "list":
                rules.append(Rule(name, "unknown-code", f"NOT list_has_all({known}, {col})"))
            else:
                rules.append(Rule(name, "unknown-code", f"NOT list_contains({known}, {col})"))
            rules += _pairs(std, spec, fields)
        for low, high in ORDER.findall(spec["description"]):
            if name in (low, high) and {low, high} <= fields.keys() and low != high:
                rules.append(Rule(name, "order", f"{quote(low)} > {quote(high)}"))
    if {"date_start", "date_end", "date_precision"} <= fields.keys():
        span = "date_diff('day', date_start, date_end)"
        for code, (low, high) in std.span_limits().items():
            wrong = f"date_precision = {literal(code)} AND NOT ({span} BETWEEN {low} AND {high})"
            rules.append(Rule("date_end", "date-span", wrong))
    return rules


def _pairs(std: standard.Standard, spec: dict[str, Any], fields: dict[str, dict[str, Any]]) -> list[Rule]:
    """A codelist column named for another coded field of the table: the two values must be a row of it."""
    rows = std.codelists[spec["codelist"]].rows
    rules = []
    for other in rows[0].keys() if rows else ():
        if other != "code" and fields.get(other, {}).get("codelist") == other:
            pairs = ", ".join(f"{literal(r['code'] + chr(31) + r[other])}" for r in rows)
            joined = f"{quote(spec['name'])} || chr(31) || {quote(other)}"
            rules.append(Rule(spec["name"], f"not-under-{other}", f"NOT list_contains([{pairs}], {joined})"))
    return rules


def unique_keys(std: standard.Standard, table: str) -> list[list[str]]:
    """The primary key and every field marked unique."""
    spec = std.tables[table]
    keys = [list(spec["primaryKey"])]
    keys += [[f["name"]] for f in spec["fields"] if f.get("constraints", {}).get("unique")]
    return [k for i, k in enumerate(keys) if k not in keys[:i]]


def typed_columns(std: standard.Standard, table: str, found: dict[str, str], csv: bool) -> list[str]:
    """SELECT items giving each field in its standard type from the file's columns (`found`: name -> DuckDB
    type), and for each that needs converting a `__bad_<field>` flag: a value there that did not parse."""
    items = []
    for spec in std.fields(table):
        name, kind = spec["name"], spec["type"]
        col, want = quote(name), SQL_TYPES[kind]
        have = found.get(name)
        if have is None:
            items.append(f"NULL::{want} AS {col}")
            continue
        if csv and kind in ("string", "list"):  # the build's escape of a text a spreadsheet would run
            col = f"CASE WHEN starts_with({col}, {literal(encode.SPREADSHEET_ESCAPE)}) THEN {col}[2:] ELSE {col} END"
        if have == want or (kind == "datetime" and have.startswith("TIMESTAMP")):
            items.append(f"{col} AS {quote(name)}")
            continue
        if have == "VARCHAR" and kind == "list":
            split = f"string_split({col}, {literal(standard.LIST_DELIMITER)})"
            typed = f"CASE WHEN {col} = '' THEN []::VARCHAR[] ELSE {split} END"  # the empty text: the empty list
        elif have == "VARCHAR" and kind == "date":
            typed = (
                f"CASE WHEN regexp_matches({col}, {literal(standard.DATE_PATTERN)}) THEN TRY_CAST({col} AS DATE) END"
            )
        elif have == "VARCHAR" and kind == "datetime":
            plain = f"regexp_replace({col}, '\\.0+Z$', 'Z')"
            typed = f"try_strptime({plain}, '%Y-%m-%dT%H:%M:%SZ')::TIMESTAMP WITH TIME ZONE"
        else:
            typed = f"TRY_CAST({col} AS {want})"
        items.append(f"{typed} AS {quote(name)}")
        items.append(f"({col} IS NOT NULL AND {typed} IS NULL) AS {quote('__bad_' + name)}")
    return items


def read(path: Path, csv: bool) -> str:
    """A FROM item of the file: its text as read, for a CSV (an empty cell no value, a quoted empty one the
    empty text)."""
    if not csv:
        return f"read_parquet({literal(str(path))})"
    options = "header = true, all_varchar = true, allow_quoted_nulls = false, quote = '\"', escape = '\"'"
    return f"read_csv({literal(str(path))}, {options}, delim = ',', strict_mode = true)"


def check_file(
    con: duckdb.DuckDBPyConnection, std: standard.Standard, root: Path, table: str, fmt: str
) -> list[Finding]:
    path = root / "data/tables" / f"{table}.{fmt}"
    display = str(path.relative_to(root))
    csv = fmt == "csv"
    source = read(path, csv)
    found = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    items = typed_columns(std, table, found, csv)
    # Read into a table in file order (insertion order is kept): its rowid is the row of the file.
    con.execute(f"CREATE OR REPLACE TEMP TABLE cur AS SELECT {', '.join(items)} FROM {source}")
    findings = []
    bad = [c for c, *_ in con.execute("DESCRIBE cur").fetchall() if c.startswith("__bad_")]
    rules = [Rule(c[len("__bad_") :], "value-type", quote(c)) for c in bad] + row_rules(std, table)
    flags = [f"coalesce({r.condition}, false)" for r in rules]
    query = f"SELECT {ROW}, [{', '.join(flags)}] FROM cur WHERE {' OR '.join(flags)}"
    for row, broken in con.execute(query).fetchall():
        findings += [Finding(display, row, r.field, r.code) for r, hit in zip(rules, broken, strict=True) if hit]
    for key in unique_keys(std, table):
        cols = ", ".join(quote(k) for k in key)
        repeated = f"SELECT {cols} FROM cur GROUP BY ALL HAVING count(*) > 1"
        query = f"SELECT cur.{ROW} FROM cur SEMI JOIN ({repeated}) r USING ({cols})"
        findings += [Finding(display, row, key[-1], "duplicate-key") for (row,) in con.execute(query).fetchall()]
    for referenced in referenced_keys(std, table):
        cols = ", ".join(quote(k) for k in referenced)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {keys_table(table, fmt, referenced)} AS SELECT DISTINCT {cols} FROM cur"
        )
    for fk in std.tables[table].get("foreignKeys", []):
        ref = fk["reference"]
        target = keys_table(ref["resource"], fmt, ref["fields"])
        on = " AND ".join(f"c.{quote(a)} = p.{quote(b)}" for a, b in zip(fk["fields"], ref["fields"], strict=True))
        given = " AND ".join(f"c.{quote(a)} IS NOT NULL" for a in fk["fields"])
        query = f"SELECT c.{ROW} FROM cur c ANTI JOIN {target} p ON {on} WHERE {given}"
        findings += [
            Finding(display, row, fk["fields"][-1], "dangling-reference") for (row,) in con.execute(query).fetchall()
        ]
    return findings


def referenced_keys(std: standard.Standard, table: str) -> list[list[str]]:
    """The fields of `table` that some table's foreign key refers to."""
    found = [
        fk["reference"]["fields"]
        for spec in std.tables.values()
        for fk in spec.get("foreignKeys", [])
        if fk["reference"]["resource"] == table
    ]
    return [fields for i, fields in enumerate(found) if fields not in found[:i]]


def keys_table(table: str, fmt: str, fields: list[str]) -> str:
    return "keys_" + "_".join([table, fmt, *fields])


def tables_in_order(std: standard.Standard) -> list[str]:
    """The published tables, each after the tables its foreign keys refer to."""
    done: list[str] = []
    pending = list(standard.PUBLISHED_TABLES)
    while pending:
        for table in pending:
            needs = {fk["reference"]["resource"] for fk in std.tables[table].get("foreignKeys", [])} - {table}
            if needs <= set(done):
                done.append(table)
                pending.remove(table)
                break
        else:
            raise ValueError(f"foreign keys in a cycle among {pending}")
    return done


def check(root: Path) -> list[Finding]:
    """Every finding of the rules on every published CSV and Parquet file of the package at `root`."""
    std = standard.load()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    findings = []
    for fmt in ("csv", "parquet"):
        for table in tables_in_order(std):
            if (root / "data/tables" / f"{table}.{fmt}").is_file():
                findings += check_file(con, std, root, table, fmt)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the package: datapackage.json and data/tables/")
    parser.add_argument("--json", action="store_true", help="the findings as a JSON list")
    args = parser.parse_args(argv)
    findings = check(args.root)
    if args.json:
        print(json.dumps([f.__dict__ for f in findings]))
    else:
        for f in findings:
            print(f"{f.file}:{f.row} {f.field} {f.code}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
