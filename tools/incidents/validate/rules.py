"""Rules of the standard, checked column by column on Arrow tables (pyarrow compute, no row loops).

Each check takes the tables and returns findings: the table, the row, the field, what was found and what
was expected. The same checks run on tables flattened from record files and on built Parquet tables, so
validation scales with the size of the columns, not with Python's speed on rows.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import EVIDENCED_FIELDS, Standard

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
            if cons.get("required"):
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


def _any_item(column: pa.ChunkedArray, test: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Rows of a list column with at least one item for which `test` (on the flattened items) is true."""
    lists = column.combine_chunks()
    hits = pc.filter(pc.list_parent_indices(lists), test(pc.list_flatten(lists)))
    mask = np.zeros(len(lists), dtype=bool)
    mask[hits.to_numpy(zero_copy_only=False)] = True
    return pa.array(mask)


def _repeated(key: pa.ChunkedArray | pa.Array) -> pa.Array:
    counts = pc.value_counts(key)
    return counts.field("values").filter(pc.greater(counts.field("counts"), 1))


def _duplicated(
    table: pa.Table, columns: list[str], codes: dict[str, pa.Array | pa.ChunkedArray]
) -> pa.Array | pa.ChunkedArray | None:
    """Rows whose key another row holds too, or None when every key is unique: the usual case, found by
    counting one 64-bit number per row, mixed from integer codes of the key columns (`codes`: a foreign
    key's row in its target, where known), without building a composite key for every row. Equal keys mix
    to equal numbers; the rows whose number repeats are confirmed on the exact values."""
    if len(columns) == 1:  # each row's first holder of its key: the lookup the history and support rules share
        first = _filled(_row_in(table, columns[0], table, columns[0]))
        repeats = np.flatnonzero(first != np.arange(len(first)))
        if not len(repeats):
            return None
        mask = np.zeros(len(first), dtype=bool)
        mask[repeats] = mask[first[repeats]] = True
        return pa.array(mask)
    keys = table.select(columns)
    mixed = _mix([codes[c] if c in codes else _codes(keys.column(c)) for c in columns])
    ordered = np.sort(mixed)  # numpy sorts 64-bit numbers several times faster than Arrow hashes them
    shared = ordered[~_changes(ordered)]  # each number that equals the one before it
    if not len(shared):
        return None
    rows = np.flatnonzero(np.isin(mixed, shared))
    exact = np.stack([_mixable(_codes(column, exact=True)) for column in keys.take(rows).columns], axis=1)
    _, inverse, counts = np.unique(exact, axis=0, return_inverse=True, return_counts=True)
    mask = np.zeros(len(keys), dtype=bool)
    mask[rows[counts[inverse.ravel()] > 1]] = True
    return pa.array(mask)


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


@dataclass
class _Lookup:
    table: weakref.ref[pa.Table]
    target: weakref.ref[pa.Table]
    lock: threading.Lock = field(default_factory=threading.Lock)
    rows: pa.ChunkedArray | pa.Array | None = None


_LOOKUPS: dict[tuple[int, str, int, str], _Lookup] = {}  # dropped when the table is (tables are unhashable)
_LOOKUPS_LOCK = threading.Lock()


def _row_in(table: pa.Table, column: str, target: pa.Table, target_column: str) -> pa.ChunkedArray | pa.Array:
    """Each value's row in `target` (null where absent), computed once per pair of tables: the history, the
    support and the key rules all map child rows to their incident, and hashing a million ids is the cost."""
    key = (id(table), column, id(target), target_column)
    with _LOOKUPS_LOCK:
        entry = _LOOKUPS.get(key)
        if entry is None or entry.table() is not table or entry.target() is not target:
            entry = _LOOKUPS[key] = _Lookup(weakref.ref(table), weakref.ref(target))
            for held in (table, target):
                weakref.finalize(held, _LOOKUPS.pop, key, None)
    with entry.lock:  # one thread computes, the others wait for its result
        if entry.rows is None:
            entry.rows = pc.index_in(table.column(column), value_set=target.column(target_column))
        return entry.rows


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


def check_incidents(standard: Standard, tables: Tables, today: dt.date) -> Iterator[Finding]:
    """Cross-field rules of an incident: dates, ranges, places, taxonomy, status."""
    t = tables["incidents"]
    col = t.column
    start, end, precision = col("date_start"), col("date_end"), col("date_precision")

    def show(*names: str) -> Callable[[int], str]:
        return _show(t, *names)

    yield from _findings(
        "incidents",
        t,
        pc.greater(start, end),
        "date_end",
        show("date_start", "date_end"),
        "date_start <= date_end",
        "date-order",
    )
    today_scalar = pa.scalar(today, pa.date32())
    for name in ("date_start", "date_end"):
        yield from _findings(
            "incidents",
            t,
            pc.greater(col(name), today_scalar),
            name,
            show(name),
            f"a date not after today ({today.isoformat()})",
            "future-date",
        )
    unknown = pc.equal(precision, "unknown")
    has_dates = pc.and_kleene(pc.is_valid(start), pc.is_valid(end))
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(unknown, pc.or_kleene(pc.is_valid(start), pc.is_valid(end))),
        "date_start",
        show("date_start", "date_precision"),
        "empty dates when date_precision is unknown",
        "date-precision",
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(pc.invert(unknown), pc.invert(has_dates)),
        "date_start",
        show("date_start", "date_end", "date_precision"),
        "both date_start and date_end unless date_precision is unknown",
        "date-precision",
    )
    span = pc.days_between(start, end)
    # A precision says how wide the span is, not which calendar unit it is: its limits are in the codelist.
    limits = standard.span_limits()
    for code, (low, high) in limits.items():
        wrong = pc.and_kleene(pc.equal(precision, code), pc.or_kleene(pc.less(span, low), pc.greater(span, high)))
        wrong = pc.and_kleene(wrong, pc.greater_equal(span, 0))  # a reversed span is reported as date-order
        yield from _findings(
            "incidents",
            t,
            wrong,
            "date_end",
            show("date_start", "date_end"),
            f"a span of {low}-{high} days after date_start for {code} precision",
            "date-precision",
        )

    best, low_, high_ = col("fatalities_best"), col("fatalities_low"), col("fatalities_high")
    yield from _findings(
        "incidents",
        t,
        pc.greater(low_, best),
        "fatalities_low",
        show("fatalities_low", "fatalities_best"),
        "fatalities_low <= fatalities_best <= fatalities_high",
        "fatality-range",
    )
    yield from _findings(
        "incidents",
        t,
        pc.greater(best, high_),
        "fatalities_high",
        show("fatalities_best", "fatalities_high"),
        "fatalities_low <= fatalities_best <= fatalities_high",
        "fatality-range",
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(pc.is_null(best), pc.greater(low_, high_)),
        "fatalities_high",
        show("fatalities_low", "fatalities_high"),
        "fatalities_low <= fatalities_high",
        "fatality-range",
    )

    lat, lon = col("latitude"), col("longitude")
    yield from _findings(
        "incidents",
        t,
        pc.not_equal(pc.is_valid(lat), pc.is_valid(lon)),
        "longitude",
        show("latitude", "longitude"),
        "both latitude and longitude, or neither",
        "coordinates",
    )
    yield from _check_bbox(standard, t)

    sub = standard.codelists["sub_event_type"]
    parent_of = pa.array([row["event_type"] for row in sub.rows])
    index = pc.index_in(col("sub_event_type"), value_set=pa.array(sub.codes))
    expected_type = pc.take(parent_of, index)
    mismatch = pc.and_kleene(pc.is_valid(expected_type), pc.not_equal(expected_type, col("event_type")))
    yield from _findings(
        "incidents",
        t,
        mismatch,
        "sub_event_type",
        lambda r: (
            f"{_value(t, 'sub_event_type', r)!r} is a sub-type of {expected_type[r].as_py()!r}, "
            f"not of {_value(t, 'event_type', r)!r}"
        ),
        "a sub_event_type of the record's event_type",
        "sub-event-type",
    )

    status, merged_into, reason = col("status"), col("merged_into"), col("status_reason")
    tombstone = pc.is_in(status, value_set=pa.array(["withdrawn", "merged"]))
    no_reason = pc.or_kleene(pc.is_null(reason), pc.equal(pc.utf8_trim_whitespace(reason), ""))
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(tombstone, no_reason),
        "status_reason",
        show("status"),
        "a status_reason for a withdrawn or merged record",
        "tombstone",
    )
    is_merged = pc.equal(status, "merged")
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(is_merged, pc.is_null(merged_into)),
        "merged_into",
        show("status"),
        "merged_into naming the surviving incident",
        "tombstone",
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(pc.invert(is_merged), pc.is_valid(merged_into)),
        "merged_into",
        show("status", "merged_into"),
        "merged_into only on merged records",
        "tombstone",
    )
    yield from _findings(
        "incidents",
        t,
        pc.equal(merged_into, col("incident_id")),
        "merged_into",
        show("merged_into"),
        "another incident's id",
        "tombstone",
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


BBOX_EXEMPT = ("at_sea", "outside_country")  # codes of schemas/codelists/flag.csv


def _check_bbox(standard: Standard, t: pa.Table) -> Iterator[Finding]:
    countries = standard.codelists["country"]
    margin = 0.5  # degrees: boxes come from generalised shapes, and coordinates from town centres.
    index = pc.index_in(t.column("country"), value_set=pa.array(countries.codes))
    bounds = {
        k: pc.take(pa.array([float(row[k]) for row in countries.rows]), index)
        for k in ("min_lat", "max_lat", "min_lon", "max_lon")
    }
    lat, lon = t.column("latitude"), t.column("longitude")
    # A record flagged at sea, or placed outside the country by its source, says so itself.
    exempt = (
        _any_item(t.column("flags"), lambda items: pc.is_in(items, value_set=pa.array(BBOX_EXEMPT)))
        if "flags" in t.column_names  # tables built before flags existed (an older release's)
        else pa.array(np.zeros(len(t), dtype=bool))
    )
    outside = pc.or_kleene(
        pc.or_kleene(
            pc.less(lat, pc.subtract(bounds["min_lat"], margin)), pc.greater(lat, pc.add(bounds["max_lat"], margin))
        ),
        pc.or_kleene(
            pc.less(lon, pc.subtract(bounds["min_lon"], margin)), pc.greater(lon, pc.add(bounds["max_lon"], margin))
        ),
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(outside, pc.invert(exempt)),
        "latitude",
        lambda r: f"({_value(t, 'latitude', r)}, {_value(t, 'longitude', r)}) lies outside {_value(t, 'country', r)}",
        "coordinates inside the country's bounding box (schemas/codelists/country.csv)",
        "outside-country",
    )


def check_history(tables: Tables) -> Iterator[Finding]:
    """Revisions are numbered 1..n without gaps; the incident's revision is the latest one.

    Revisions are grouped by their incident's row (an integer), and a repeated incident id shares its first
    row's revisions, as it would by id."""
    revisions, incidents = tables["revisions"], tables["incidents"]
    first = np.asarray(_row_in(incidents, "incident_id", incidents, "incident_id"))
    owner = _filled(_row_in(revisions, "incident_id", incidents, "incident_id"))  # negative: no such incident
    n = len(incidents)
    has = np.zeros(n, dtype=bool)
    has[owner[owner >= 0]] = True
    # The numbered revisions of each incident, sorted by incident row then number (numpy sorts these in a
    # tenth of the time Arrow's group_by takes); an empty number is reported as required.
    numbered = (owner >= 0) & np.asarray(pc.is_valid(revisions.column("revision")))
    row, number = owner[numbered], _filled(revisions.column("revision"))[numbered]
    order = np.lexsort((number, row))
    row, number = row[order], number[order]
    new_row = _changes(row)
    starts, ends = np.flatnonzero(new_row), np.flatnonzero(_changes(row[::-1])[::-1])  # each incident's first, last
    counts = np.bincount((np.cumsum(new_row) - 1)[new_row | _changes(number)], minlength=len(starts))  # distinct
    rows, top = row[starts], number[ends]
    gap = np.zeros(n, dtype=bool)
    gap[rows] = (top != counts) | (number[starts] != 1)
    latest = np.zeros(n, dtype=np.int64)
    latest[rows] = top
    known = np.zeros(n, dtype=bool)
    known[rows] = True
    has, gap, latest, known = has[first], gap[first], latest[first], known[first]
    yield from _findings(
        "incidents",
        incidents,
        pa.array(gap),
        "revisions",
        lambda r: "revisions are not numbered 1, 2, 3, ...",
        "revisions numbered from 1 without gaps",
        "revision-sequence",
    )
    yield from _findings(
        "incidents",
        incidents,
        pa.array(~has),
        "revisions",
        lambda r: "the record has no revision",
        "at least one revision",
        "revision-sequence",
    )
    wrong = pc.not_equal(incidents.column("revision"), pa.array(latest, mask=~known))
    yield from _findings(
        "incidents",
        incidents,
        wrong,
        "revision",
        lambda r: f"revision {_value(incidents, 'revision', r)}",
        "the number of the latest revision",
        "revision-sequence",
    )


def _changes(values: np.ndarray) -> np.ndarray:
    """Where a sorted array's value differs from the one before it (the first value included)."""
    return np.concatenate([[True], values[1:] != values[:-1]])[: len(values)]


def check_support(tables: Tables) -> Iterator[Finding]:
    """Every non-empty factual value of an active incident is supported by at least one evidence quote.

    The supported (incident, field) pairs are marked in one boolean matrix, incidents by row (a repeated id
    shares its first row's quotes, as it would by id) and fields by position: no joined strings, no sets."""
    evidence, incidents = tables["incident_sources"], tables["incidents"]
    names = [*EVIDENCED_FIELDS, "actors"]
    owner = _row_in(evidence, "incident_id", incidents, "incident_id")
    owner = owner.combine_chunks() if isinstance(owner, pa.ChunkedArray) else owner
    supported = np.zeros((len(incidents), len(names)), dtype=bool)
    offset = 0
    for chunk in evidence.column("supports").chunks:  # chunk by chunk: the lists flattened are large
        incident_row = pc.take(owner, pc.add(pc.list_parent_indices(chunk), offset))
        field_index = pc.index_in(pc.list_flatten(chunk), value_set=pa.array(names))
        known = pc.and_kleene(pc.is_valid(incident_row), pc.is_valid(field_index))
        supported[np.asarray(pc.filter(incident_row, known)), np.asarray(pc.filter(field_index, known))] = True
        offset += len(chunk)
    first = np.asarray(_row_in(incidents, "incident_id", incidents, "incident_id"))
    has_actors = np.zeros(len(incidents), dtype=bool)
    has_actors[np.asarray(_row_in(tables["incident_actors"], "incident_id", incidents, "incident_id").drop_null())] = (
        True
    )
    supported, has_actors = supported[first], has_actors[first]
    active = np.asarray(pc.fill_null(pc.equal(incidents.column("status"), "active"), False))
    needed = {name: pc.is_valid(incidents.column(name)) for name in EVIDENCED_FIELDS}
    needed["actors"] = pa.array(has_actors)
    for index, (name, present) in enumerate(needed.items()):
        unsupported = active & np.asarray(pc.fill_null(present, False)) & ~supported[:, index]
        yield from _findings(
            "incidents",
            incidents,
            pa.array(unsupported),
            name,
            _const(f"no evidence quote supports {name}"),
            f"an evidence item whose supports lists '{name}'",
            "unsupported-value",
        )


def check_evidence_text(tables: Tables, texts: Mapping[str, str | bytes]) -> Iterator[Finding]:
    """Each quote equals the archived source text between its offsets (counted in characters). Texts may be
    given as UTF-8 bytes, as read from disk: decoding them is not needed to compare.

    Vectorised: the texts are joined into UTF-8 buffers, character offsets become byte offsets, and the
    quoted stretches are cut out as one Arrow binary-view array, compared with the quotes in one call."""
    evidence = tables["incident_sources"]
    ids = sorted(texts)
    index = _filled(pc.index_in(evidence.column("source_id"), value_set=pa.array(ids, pa.string())))
    starts, ends = _filled(evidence.column("char_start")), _filled(evidence.column("char_end"))
    known = np.flatnonzero((index >= 0) & (starts != _NULL) & (ends != _NULL))  # a missing source: dangling
    by_text = known[np.argsort(index[known], kind="stable")]  # rows with a text, by text
    text_of = index[by_text]
    first = 0
    while first < len(ids):  # batches keep each buffer well under the 2 GiB a binary view can address
        last, size = first, 0
        while last < len(ids) and (size <= _TEXT_BATCH or last == first):
            size += len(texts[ids[last]])
            last += 1
        rows = np.sort(by_text[np.searchsorted(text_of, first) : np.searchsorted(text_of, last)])
        batch = [_utf8(texts[i]) for i in ids[first:last]]
        yield from _check_quotes(evidence, batch, rows, index[rows] - first, starts[rows], ends[rows])
        first = last


_TEXT_BATCH = 4 * 1024**2  # bytes or characters: small buffers are reused, large ones cost page faults


def _utf8(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _check_quotes(
    evidence: pa.Table, texts: list[bytes], rows: np.ndarray, text: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> Iterator[Finding]:
    """The quotes of `rows` (with offsets and the index of their text in `texts`) against the texts."""
    data = np.frombuffer(b"".join(texts) + bytes(12), dtype=np.uint8)  # padded: prefixes read 12 bytes
    byte_base = np.concatenate([[0], np.cumsum([len(t) for t in texts])])
    # A character's bytes are one that begins it and continuation bytes (10xxxxxx), few in most texts:
    # the byte where character c (counted across the texts) begins is c plus the continuation bytes before it.
    continuation = np.flatnonzero((data[: byte_base[-1]] & 0xC0) == 0x80)
    chars_before = continuation - np.arange(len(continuation))  # characters begun before each of them

    def byte_of(chars: np.ndarray) -> np.ndarray:
        return chars + np.searchsorted(chars_before, chars, side="right")

    char_base = byte_base - np.searchsorted(continuation, byte_base)  # the first character of each text
    length = np.diff(char_base)[text]
    bad = (ends > length) | (starts >= ends) | (starts < 0)
    for k in np.flatnonzero(bad).tolist():
        start, end, text_length = int(starts[k]), int(ends[k]), int(length[k])
        yield Finding(
            "incident_sources",
            int(rows[k]),
            "char_end",
            f"offsets {start}-{end} in a text of {text_length} characters",
            "0 <= char_start < char_end <= the length of the source text",
            "evidence-offsets",
        )
    good = ~bad
    rows, text, starts, ends = rows[good], text[good], starts[good], ends[good]
    if not len(rows):
        return
    first, last = byte_of(char_base[text] + starts), byte_of(char_base[text] + ends)
    archived = _binary_views(data, first, last - first)
    quotes = pc.cast(pc.take(evidence.column("quote"), pa.array(rows)), pa.binary_view())
    differs = pc.invert(pc.fill_null(pc.equal(archived, quotes), False))
    for position in _rows(differs):
        row = int(rows[position])
        source = texts[int(text[position])].decode("utf-8", errors="replace")
        start, end = int(starts[position]), int(ends[position])
        quote = evidence.column("quote")[row].as_py()
        yield Finding(
            "incident_sources",
            row,
            "quote",
            f"the source reads {source[start:end]!r} at {start}-{end}",
            f"the quote {quote!r} exactly as archived" + _hint(source, quote or ""),
            "evidence-quote",
        )


_NULL = np.iinfo(np.int64).min


def _filled(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An integer column as int64 numpy, nulls as _NULL (index_in's misses and empty offsets)."""
    return np.asarray(pc.fill_null(pc.cast(column, pa.int64()), _NULL))


def _binary_views(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """Slices data[start:start+length] as an Arrow binary-view array, without copying the bytes: each view
    is 16 bytes (length, then the bytes inline up to 12, else a 4-byte prefix, buffer 0 and the offset).
    `data` is padded with 12 bytes past the last slice."""
    n = len(starts)
    views = np.zeros((n, 4), dtype=np.int32)
    views[:, 0] = lengths
    inline = np.lib.stride_tricks.sliding_window_view(data, 12)[starts]  # 12 bytes from each start
    inline[np.arange(12) >= np.where(lengths <= 12, lengths, 4)[:, None]] = 0  # past a value or a prefix
    views.view(np.uint8)[:, 4:] = inline
    long = lengths > 12
    views[long, 3] = starts[long]
    return pa.Array.from_buffers(pa.binary_view(), n, [None, pa.py_buffer(views), pa.py_buffer(data)])


def _hint(text: str, quote: str) -> str:
    at = text.find(quote) if quote else -1
    return f"; it is found at {at}-{at + len(quote)}" if at >= 0 else "; it is not found in the source"


# Text a spreadsheet would run: '=' anything, or '+', '-', '@' before a function call or a DDE pipe
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


# A formula's first byte: RE2's \s is [\t\n\f\r ], then '=', '+', '-' or '@'.
_FORMULA_FIRST = np.frombuffer(b"\t\n\f\r =+-@", dtype=np.uint8)


def _formulas(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Which texts look like a formula (FORMULA). The regular expression runs only on texts whose first
    byte could start one, read straight from the Arrow buffers: nearly no text qualifies, and the regex on
    every text cost more than the rest of the rules on a table."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    if not all(pa.types.is_string(chunk.type) for chunk in chunks):
        return pc.fill_null(pc.match_substring_regex(values, FORMULA), False)
    possible = np.concatenate([first_byte_in(chunk, _FORMULA_FIRST) for chunk in chunks] or [np.zeros(0, bool)])
    found = np.zeros(len(possible), dtype=bool)
    rows = np.flatnonzero(possible)
    if len(rows):
        texts = pc.take(values, pa.array(rows, pa.int64()))
        found[rows] = np.asarray(pc.fill_null(pc.match_substring_regex(texts, FORMULA), False))
    return pa.array(found)


def first_byte_in(chunk: pa.Array, firsts: np.ndarray) -> np.ndarray:
    """For each text of a string array, whether it is non-empty and its first byte is one of `firsts`."""
    if len(chunk) == 0:
        return np.zeros(0, dtype=bool)
    _, offsets_buffer, data_buffer = chunk.buffers()
    width = np.dtype(np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
    offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    out = np.zeros(len(chunk), dtype=bool)
    if data_buffer is not None and filled.any():
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        out[filled] = np.isin(data[starts[filled]], firsts)
    return out


def _looks_like_formula(text: str) -> bool:
    return re.match(FORMULA, text) is not None


Check = Callable[[], Iterable[Finding]]


def table_checks(standard: Standard, name: str, table: pa.Table, texts: Mapping[str, str | bytes]) -> list[Check]:
    """The rules on one table's rows, each row alone (fields, formulas, evidence quotes): they can run on
    any slice of the table, so large tables are checked batch by batch."""
    found: list[Check] = [
        partial(check_fields, standard, {name: table}),
        partial(check_formulas, standard, {name: table}),
    ]
    if texts and name == "incident_sources":
        found.append(partial(check_evidence_text, {name: table}, texts))
    return found


def incident_checks(standard: Standard, tables: Tables, today: dt.date) -> list[Check]:
    """The rules across an incident's tables (dates and ranges, history, support): they need all rows of an
    incident, which a partition holds, and only the columns in INCIDENT_COLUMNS."""
    if "incidents" not in tables:
        return []
    return [
        partial(check_incidents, standard, tables, today),
        partial(check_history, tables),
        partial(check_support, tables),
    ]


# What incident_checks read of each table: a reader of large tables loads only these for them.
INCIDENT_COLUMNS = {
    "incidents": [
        "incident_id", "revision", "status", "status_reason", "merged_into", "date_end", "date_precision",
        "event_type", "sub_event_type", "country", "latitude", "longitude", "fatalities_low", "fatalities_high",
        "flags", *EVIDENCED_FIELDS,
    ],
    "incident_actors": ["incident_id"],
    "incident_sources": ["incident_id", "supports"],
    "revisions": ["incident_id", "revision"],
}  # fmt: skip


def key_checks(standard: Standard, tables: Tables, whole: Tables | None = None) -> list[Check]:
    """The rules across the whole dataset (unique keys, references, merge targets): they read key columns
    only, so they stay cheap when the tables are partitioned. With `whole`, on the rows of `tables` alone,
    what they point at looked up in `whole`: after a clean check, a key rule can break only on rows a change
    touched (touched.scope), which hold every row sharing a key with a changed one."""
    found: list[Check] = [partial(check_keys, standard, tables, [name], whole) for name in tables]
    return found + ([partial(check_merge_targets, tables, whole)] if "incidents" in tables else [])


def key_columns(standard: Standard, table: str) -> list[str]:
    """What key_checks reads of a table: its primary and foreign keys (and an incident's status)."""
    spec = standard.tables[table]
    names = [*spec["primaryKey"], *(f for fk in spec.get("foreignKeys", []) for f in fk["fields"])]
    names += ["status"] if table == "incidents" else []
    return [f["name"] for f in spec["fields"] if f["name"] in names]


def row_checks(standard: Standard, tables: Tables, texts: Mapping[str, str | bytes], today: dt.date) -> list[Check]:
    """The rules that read a row, its incident's other rows and what it cites: they can run on any set of
    whole incidents (with the actors and sources they cite), unlike the key rules."""
    found = [check for name, table in tables.items() for check in table_checks(standard, name, table, texts)]
    return found + incident_checks(standard, tables, today)


def check_all(standard: Standard, tables: Tables, texts: dict[str, str], today: dt.date) -> list[Finding]:
    checks = [*row_checks(standard, tables, texts, today), *key_checks(standard, tables)]
    return [finding for check in checks for finding in check()]
