"""Table rows back to their files: the build order of rows, and a finding on a row as a problem naming the
file, line, record and field it came from (each row carries `_file` and `_pos`, see filecheck)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents import records, standard
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.records import Loaded
from incidents.validate import files as filecheck
from incidents.validate import rules as checks


def in_build_order(
    std: standard.Standard,
    rows: dict[str, pa.Table],
    live: dict[str, pa.ChunkedArray] | None = None,
    names: Iterable[str] = standard.TABLES,
) -> dict[str, pa.Table]:
    """Rows in the order of the built tables: by id, child rows in their order in the record. With `live`,
    only the rows where it is true. Sorted on the key columns alone, then taken once. Only the tables
    `names` (default all): one table can be ordered first, to read what it needs while the others sort."""
    keys = {"actors": "actor_id", "sources": "source_id"}
    out = {}
    for name in names:
        table = rows[name]
        order = [(keys.get(name, "incident_id"), "ascending")]
        if name in filecheck.RECORD_TABLES and name != "incidents":
            order.append(("_pos", "ascending"))
        key = table.select([column for column, _ in order])
        chosen = pc.indices_nonzero(live[name]) if live is not None else None
        if chosen is not None:
            key = key.take(chosen)
        indices = pc.sort_indices(key, sort_keys=order)
        out[name] = _take(table, chosen.take(indices) if chosen is not None else indices)
    return out


def _take(table: pa.Table, indices: pa.Array) -> pa.Table:
    """`table.take(indices)`. Rows from the cache come mostly in order already (a rebuild changes a few):
    runs of consecutive rows are sliced and joined as chunks, without a copy. Copying them into one chunk
    here cost 0.2 s of CPU of a rebuild at 100k, half of it the kernel's for fresh pages, before any rule
    could start; the encoder makes each table one chunk anyway (render_outputs), on the other core."""
    rows = np.asarray(indices)
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if not len(rows) or len(breaks) > max(16, len(rows) // 64):
        return table.take(indices).combine_chunks()
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [len(rows)]])
    return pa.concat_tables([table.slice(int(rows[a]), int(b - a)) for a, b in zip(starts, ends, strict=True)])


class Reread:
    """Files read again, once each, to find the line of a problem found on a row taken from the cache."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.files: dict[str, Loaded] = {}

    def __call__(self, path: str) -> Loaded:
        if path not in self.files:
            self.files[path] = records.read(self.layout.root / path, path)
        return self.files[path]

    def line(self, path: str, *field: str | int) -> int | None:
        return self(path).line(*field)


def locate(finding: checks.Finding, rows: pa.Table, reread: Reread) -> Problem:
    """Point a finding on a table row back at the file, line and field the row came from."""
    path = rows.column("_file")[finding.row].as_py()
    position = rows.column("_pos")[finding.row].as_py()
    prefix: tuple[str | int, ...] = () if position is None else (CHILD_KEYS[finding.table], position)
    field = finding.field
    line = reread.line(path, *prefix, field) if field else reread.line(path, *prefix)
    label = f"{prefix[0]}[{prefix[1]}].{field}" if prefix else field
    record = rows.column(standard.ID_FIELDS.get(finding.table, "incident_id"))[finding.row].as_py()
    return Problem(
        file=path,
        line=line,
        record=record,
        field=label,
        message=finding.message,
        expected=finding.expected,
        code=finding.code,
    )


CHILD_KEYS = {child: key for key, (child, _) in standard.RECORD_CHILDREN.items()}
