"""What a rule returns (a Finding: table, row, field, what was found, what was expected, code), and
the helpers the rules share to make findings from boolean masks."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Tables = Mapping[str, pa.Table]


@dataclass(frozen=True)
class Finding:
    table: str
    row: int
    field: str | None
    message: str
    expected: str | None
    code: str


def _rows(mask: pa.Array | pa.ChunkedArray) -> list[int]:
    """Indices where `mask` is true (nulls count as false)."""
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()


def _value(table: pa.Table, column: str, row: int) -> object:
    value = table.column(column)[row].as_py()
    return value.isoformat() if isinstance(value, dt.date) else value


def _show(table: pa.Table, *names: str, lead: str = "", tail: str = "") -> Callable[[int], str]:
    """A message naming the offending values of a row, e.g. "fatalities_low=3, fatalities_best=2"."""
    return lambda row: lead + ", ".join(f"{n}={_value(table, n, row)!r}" for n in names) + tail


def _const(message: str) -> Callable[[int], str]:
    return lambda row: message


def _findings(
    table_name: str,
    table: pa.Table,
    mask: pa.Array | pa.ChunkedArray,
    field: str | None,
    message: Callable[[int], str],
    expected: str | None,
    code: str,
) -> Iterator[Finding]:
    for row in _rows(mask):
        yield Finding(table_name, row, field, message(row), expected, code)


def _any_item(column: pa.ChunkedArray, test: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Rows of a list column with at least one item for which `test` (on the flattened items) is true."""
    lists = column.combine_chunks()
    hits = pc.filter(pc.list_parent_indices(lists), test(pc.list_flatten(lists)))
    mask = np.zeros(len(lists), dtype=bool)
    mask[hits.to_numpy(zero_copy_only=False)] = True
    return pa.array(mask)


def _changes(values: np.ndarray) -> np.ndarray:
    """Where a sorted array's value differs from the one before it (the first value included)."""
    return np.concatenate([[True], values[1:] != values[:-1]])[: len(values)]


_NULL = np.iinfo(np.int64).min


def _filled(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An integer column as int64 numpy, nulls as _NULL (index_in's misses and empty offsets)."""
    return np.asarray(pc.fill_null(pc.cast(column, pa.int64()), _NULL))


def _row_in(table: pa.Table, column: str, target: pa.Table, target_column: str) -> pa.ChunkedArray | pa.Array:
    """Each value's row in `target` (null where absent). Rules running side by side look up the same ids in
    the same tables (an incident's rows: seven times, a quote's incident: four; at 1M incidents each lookup
    hashes a million ids, 0.4-0.6 s of CPU): each lookup is made once per pair of table objects, while both
    live (tables are immutable), and a rule asking for one being made waits for it."""
    key = (id(table), column, id(target), target_column)
    with _LOOKUPS_LOCK:
        found = _LOOKUPS.get(key)
        making = found is None
        if found is None:
            found = _LOOKUPS[key] = Future()
            for held in {id(table): table, id(target): target}.values():
                weakref.finalize(held, _LOOKUPS.pop, key, None)  # freed with the table: its id may be reused
    if making:
        try:
            found.set_result(pc.index_in(table.column(column), value_set=target.column(target_column)))
        except Exception as exc:  # the same error for the rules waiting; not kept (its traceback holds the tables)
            found.set_exception(exc)
            with _LOOKUPS_LOCK:
                _LOOKUPS.pop(key, None)
    return found.result()


_LOOKUPS: dict[tuple[int, str, int, str], Future[pa.ChunkedArray | pa.Array]] = {}
_LOOKUPS_LOCK = threading.Lock()


Check = Callable[[], Iterable[Finding]]
