"""Per-field constraints of the Table Schemas: required, codelists, patterns, bounds."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import Standard
from incidents.validate.rules.findings import Finding, Tables, _any_item, _findings, _show


def check_fields(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """Per-field constraints of the Table Schemas: required, codelists, patterns, bounds."""
    for name, table in tables.items():
        for spec in standard.fields(name):
            column_name = spec["name"]
            if column_name not in table.column_names:
                yield Finding(
                    name, 0, column_name, "the column is missing", "the columns of the standard", "missing-column"
                )
                continue
            column = table.column(column_name)
            cons = spec.get("constraints", {})

            found = _show(table, column_name, lead="found ")
            if cons.get("required") and not spec.get("x-filled-by"):  # its own rule says what to run
                yield from _findings(
                    name, table, pc.is_null(column), column_name, lambda r: "the value is empty", "a value", "required"
                )
            if "codelist" in spec:
                codes = standard.codelists[spec["codelist"]].codes
                mask = _not_coded(column, codes)
                yield from _findings(
                    name,
                    table,
                    mask,
                    column_name,
                    found,
                    f"a code from schemas/codelists/{spec['codelist']}.csv",
                    "unknown-code",
                )
            if "pattern" in cons:
                mask = pc.invert(pc.match_substring_regex(column, cons["pattern"]))
                yield from _findings(
                    name, table, mask, column_name, found, f"a value matching {cons['pattern']}", "pattern"
                )
            if "minimum" in cons:
                mask = pc.less(column, cons["minimum"])
                yield from _findings(name, table, mask, column_name, found, f"at least {cons['minimum']}", "minimum")
            if "maximum" in cons:
                mask = pc.greater(column, cons["maximum"])
                yield from _findings(name, table, mask, column_name, found, f"at most {cons['maximum']}", "maximum")


def _not_coded(column: pa.ChunkedArray, codes: tuple[str, ...]) -> pa.Array | pa.ChunkedArray:
    """Rows holding a value that is not a code; a list column's row when any of its items is not."""
    if not pa.types.is_list(column.type):
        return pc.and_kleene(pc.is_valid(column), pc.invert(pc.is_in(column, value_set=pa.array(codes, column.type))))
    return _any_item(column, lambda items: pc.invert(pc.is_in(items, value_set=pa.array(codes, pa.string()))))
