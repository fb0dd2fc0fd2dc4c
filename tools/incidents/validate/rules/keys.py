"""Unique keys and references: primary keys, foreign keys, merge targets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import Standard
from incidents.validate.rules.findings import Finding, Tables, _changes, _filled, _findings, _row_in, _show


def _repeated(key: pa.ChunkedArray | pa.Array) -> pa.Array:
    counts = pc.value_counts(key)
    return counts.field("values").filter(pc.greater(counts.field("counts"), 1))


def _duplicated(
    table: pa.Table, columns: list[str], codes: dict[str, pa.Array | pa.ChunkedArray]
) -> pa.Array | pa.ChunkedArray | None:
    """Rows whose key another row holds too, or None when every key is unique (see _key_groups)."""
    groups = _key_groups(table, columns, codes)
    return None if groups is None else pa.array(groups >= 0)


def _key_groups(table: pa.Table, columns: list[str], codes: dict[str, pa.Array | pa.ChunkedArray]) -> np.ndarray | None:
    """Each row's group among the rows holding the same key (-1: no other row holds it), or None when every
    key is unique: the usual case, found by counting one 64-bit number per row, mixed from integer codes of
    the key columns (`codes`: a foreign key's row in its target, where known), without building a composite
    key for every row. Equal keys mix to equal numbers; the rows whose number repeats are confirmed on the
    exact values. Nulls equal nulls."""
    if len(columns) == 1:  # each row's first holder of its key: the lookup the history and support rules share
        first = _filled(_row_in(table, columns[0], table, columns[0]))
        repeats = np.flatnonzero(first != np.arange(len(first)))
        if not len(repeats):
            return None
        groups = np.full(len(first), -1, dtype=np.int64)
        groups[repeats] = groups[first[repeats]] = first[repeats]
        return groups
    keys = table.select(columns)
    mixed = _mix([codes[c] if c in codes else _codes(keys.column(c)) for c in columns])
    ordered = np.sort(mixed)  # numpy sorts 64-bit numbers several times faster than Arrow hashes them
    shared = ordered[~_changes(ordered)]  # each number that equals the one before it
    if not len(shared):
        return None
    rows = np.flatnonzero(np.isin(mixed, shared))
    exact = np.stack([_mixable(_codes(column, exact=True)) for column in keys.take(rows).columns], axis=1)
    _, inverse, counts = np.unique(exact, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    repeated = counts[inverse] > 1
    if not repeated.any():
        return None
    groups = np.full(len(keys), -1, dtype=np.int64)
    groups[rows[repeated]] = inverse[repeated]
    return groups


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd, with its bits spread: few distinct rows mix to one number


def _mix(columns: list[pa.Array | pa.ChunkedArray]) -> np.ndarray:
    """One number per row from integer columns (nulls as -1): equal rows give equal numbers, and unequal
    rows rarely do (a polynomial in the columns, modulo 2**64)."""
    mixed = np.zeros(len(columns[0]), dtype=np.uint64)
    for column in columns:
        mixed = mixed * _MIX + _mixable(column).view(np.uint64)
    return mixed


def _mixable(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(column, pa.int64()), -1))


def _codes(column: pa.ChunkedArray, exact: bool = False) -> pa.Array | pa.ChunkedArray:
    """A column as integer codes, equal values with equal codes: integers as they are, other values by
    their place in a dictionary. With `exact`, every column by its dictionary: no value's code is the -1
    that nulls become."""
    if pa.types.is_integer(column.type) and not exact:
        return column
    return column.combine_chunks().dictionary_encode().indices


def check_keys(
    standard: Standard, tables: Tables, names: Iterable[str] | None = None, whole: Tables | None = None
) -> Iterator[Finding]:
    """Primary keys are unique; foreign keys point at rows that exist (in the tables `names`, default all;
    looked up in `whole`, default `tables`). Two files with one id are reported once, on the id: rows of
    child tables that repeat only because their parent's id does are left out."""
    identifies = {  # id column -> the table it identifies
        spec["primaryKey"][0]: name
        for name, spec in ((name, standard.tables[name]) for name in tables)
        if len(spec["primaryKey"]) == 1
    }
    for name in names or tables:
        table, spec = tables[name], standard.tables[name]
        found = {}  # foreign key column -> the row it points at in its target (null: none)
        for fk in spec.get("foreignKeys", []):
            (column_name,) = fk["fields"]
            column = table.column(column_name)
            if column.null_count == len(column):  # e.g. merged_into, empty on all but merged incidents
                continue
            found[column_name] = _row_in(
                table, column_name, (whole or tables)[fk["reference"]["resource"]], fk["reference"]["fields"][0]
            )
            mask = pc.and_kleene(pc.is_valid(column), pc.is_null(found[column_name]))
            yield from _findings(
                name,
                table,
                mask,
                column_name,
                _show(table, column_name, tail=" does not exist"),
                f"an id present in {fk['reference']['resource']}",
                "dangling-reference",
            )
        key_columns = spec["primaryKey"]
        duplicated = _duplicated(table, key_columns, found)
        if duplicated is not None:
            for column in key_columns if len(key_columns) > 1 else []:
                if column in identifies:  # ids held by more than one row of the table they identify
                    colliding = _repeated(tables[identifies[column]].column(column))
                    clash = pc.is_in(table.column(column), value_set=colliding)
                    duplicated = pc.and_kleene(duplicated, pc.invert(clash))
            label = ", ".join(key_columns)
            yield from _findings(
                name,
                table,
                duplicated,
                key_columns[-1] if name != "incidents" else "incident_id",
                _show(table, *key_columns, lead="duplicate "),
                f"{label} unique across the dataset",
                "duplicate-id",
            )


def check_merge_targets(tables: Tables, whole: Tables | None = None) -> Iterator[Finding]:
    """A merged incident points at an active one (looked up in `whole`, default `tables`). Global: the target
    may lie in another partition, so this reads only incident_id, status and merged_into; the few merged rows
    are looked up, not every id."""
    t = tables["incidents"]
    merged_into = t.column("merged_into")
    everywhere = (whole or tables)["incidents"]
    ids, status = everywhere.column("incident_id"), everywhere.column("status")
    merged = pc.indices_nonzero(
        pc.fill_null(pc.and_kleene(pc.equal(t.column("status"), "merged"), pc.is_valid(merged_into)), False)
    )
    if not len(merged):
        return
    targets = pc.take(merged_into, merged)
    is_target = pc.is_in(ids, value_set=targets)
    present = pc.filter(ids, is_target)
    active = pc.filter(ids, pc.and_kleene(is_target, pc.equal(status, "active")))
    bad = pc.and_kleene(pc.is_in(targets, value_set=present), pc.invert(pc.is_in(targets, value_set=active)))
    mask = np.zeros(len(t), dtype=bool)
    mask[np.asarray(pc.filter(merged, bad))] = True
    yield from _findings(
        "incidents",
        t,
        pa.array(mask),
        "merged_into",
        _show(t, "merged_into"),
        "the id of an active incident",
        "tombstone",
    )
