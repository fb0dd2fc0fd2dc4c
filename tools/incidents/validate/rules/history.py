"""An incident's revisions (numbered 1..n, the latest on the record) and the evidence supporting its values."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import EVIDENCED_FIELDS
from incidents.validate.rules.findings import Finding, Tables, _changes, _const, _filled, _findings, _row_in, _value


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


# Fields of an incident that no quote supports: its id and status, and the bookkeeping around them.
BOOKKEEPING = ("incident_id", "revision", "status", "status_reason", "merged_into", "updated_at")


def _supported(evidence: pa.Table, incidents: pa.Table, names: list[str]) -> Iterator[tuple[np.ndarray, ...]]:
    """Each item of each quote's `supports` that names one of `names`, as (quote row, incident row, index in
    `names`), chunk by chunk (the lists flattened are large); a quote of no incident is left out."""
    owner = _row_in(evidence, "incident_id", incidents, "incident_id")
    owner = owner.combine_chunks() if isinstance(owner, pa.ChunkedArray) else owner
    offset = 0
    for chunk in evidence.column("supports").chunks:
        quote_row = pc.add(pc.list_parent_indices(chunk), offset)
        incident_row = pc.take(owner, quote_row)
        field_index = pc.index_in(pc.list_flatten(chunk), value_set=pa.array(names))
        known = pc.and_kleene(pc.is_valid(incident_row), pc.is_valid(field_index))
        yield tuple(np.asarray(pc.filter(a, known)) for a in (quote_row, incident_row, field_index))
        offset += len(chunk)


def _has_actors(tables: Tables) -> np.ndarray:
    """Whether each incident row (a repeated id: its first row) has an actor."""
    incidents = tables["incidents"]
    has = np.zeros(len(incidents), dtype=bool)
    has[np.asarray(_row_in(tables["incident_actors"], "incident_id", incidents, "incident_id").drop_null())] = True
    return has[np.asarray(_row_in(incidents, "incident_id", incidents, "incident_id"))]


def check_support(tables: Tables) -> Iterator[Finding]:
    """Every non-empty factual value of an active incident is supported by at least one evidence quote.

    The supported (incident, field) pairs are marked in one boolean matrix, incidents by row (a repeated id
    shares its first row's quotes, as it would by id) and fields by position: no joined strings, no sets."""
    evidence, incidents = tables["incident_sources"], tables["incidents"]
    names = [*EVIDENCED_FIELDS, "actors"]
    supported = np.zeros((len(incidents), len(names)), dtype=bool)
    for _, incident_row, field_index in _supported(evidence, incidents, names):
        supported[incident_row, field_index] = True
    first = np.asarray(_row_in(incidents, "incident_id", incidents, "incident_id"))
    supported = supported[first]
    active = np.asarray(pc.fill_null(pc.equal(incidents.column("status"), "active"), False))
    needed = {name: pc.is_valid(incidents.column(name)) for name in EVIDENCED_FIELDS}
    needed["actors"] = pa.array(_has_actors(tables))
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


def check_support_filled(tables: Tables) -> Iterator[Finding]:
    """A quote supports only fields its record fills: `supports` listing a field the record leaves empty
    (null, an empty text or list, no actors) claims evidence for a value that is not there, and would count as
    support if the field were filled later without a quote. Reported on the quote's `supports`."""
    evidence, incidents = tables["incident_sources"], tables["incidents"]
    names = [name for name in incidents.column_names if name not in BOOKKEEPING]
    empty = np.stack([_empty(incidents.column(name)) for name in names] + [~_has_actors(tables)], axis=1)
    names.append("actors")
    for quote_row, incident_row, field_index in _supported(evidence, incidents, names):
        hit = empty[incident_row, field_index]
        for row, index in zip(quote_row[hit].tolist(), field_index[hit].tolist(), strict=True):
            name = names[index]
            yield Finding(
                "incident_sources",
                row,
                "supports",
                f"supports '{name}' but the record gives no {name}",
                f"supports listing only fields the record fills: remove '{name}' or fill the field",
                "support-empty",
            )


def _empty(column: pa.ChunkedArray) -> np.ndarray:
    """Where a column's value is empty: null, or an empty text or list."""
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        blank = pc.equal(pc.list_value_length(column), 0)
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        blank = pc.equal(pc.utf8_length(column), 0)
    else:
        return np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(pc.fill_null(blank, True), dtype=bool)
