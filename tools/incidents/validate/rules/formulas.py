"""No text field looks like a spreadsheet formula."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import Standard
from incidents.validate.rules.findings import Finding, Tables, _rows

# ('@SUM(', '+cmd|'). Prose such as "- two killed" or "@user said" stays allowed; the CSV export escapes
# every such cell anyway (build.csv_bytes). Evidence quotes are exempt: they must match the source verbatim.
FORMULA = r"^\s*(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(|])"
FORMULA_EXEMPT = {"quote"}


def check_formulas(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """No text field (or list item) of a record, actor or source looks like a spreadsheet formula."""
    for name, table in tables.items():
        for spec in standard.fields(name):
            if spec["type"] not in ("string", "list") or spec["name"] in FORMULA_EXEMPT or "codelist" in spec:
                continue
            column = table.column(spec["name"])
            if spec["type"] == "list":
                items = column.combine_chunks()
                hits = _formulas(pc.list_flatten(items))
                rows = pc.unique(pc.filter(pc.list_parent_indices(items), hits)).to_pylist()
            else:
                rows = _rows(_formulas(column))
            for row in rows:
                value = column[row].as_py()
                shown = next((v for v in value if _looks_like_formula(v)), "") if isinstance(value, list) else value
                yield Finding(
                    name,
                    row,
                    spec["name"],
                    f"{str(shown)[:60]!r} looks like a spreadsheet formula",
                    "plain text: spreadsheets would run a value starting with '=' (or '+', '-', '@' before a "
                    "function call)",
                    "formula",
                )


def _formulas(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Which texts look like a formula (FORMULA); an empty text does not."""
    return pc.fill_null(pc.match_substring_regex(values, FORMULA), False)


def _looks_like_formula(text: str) -> bool:
    return re.match(FORMULA, text) is not None


Check = Callable[[], Iterable[Finding]]
