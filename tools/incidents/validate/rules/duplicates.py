"""One record per incident: the same incident under a second id is reported on both records.

Two active records are the same incident when they code the same event (SIGNATURE: the same dates, country,
place and coordinates, event type and sub-type, actors with their roles, and fatality range) *and* their
evidence quotes the same passage: the same archived source, with overlapping offsets. Either alone fires on
distinct events: one sentence can report two incidents (the Kurdistan24 report's arrest and release share
one), and UCDP GED codes distinct events that agree on every field a record holds (they differ in UCDP's
death counts by side, or its precision of place: 143 of its Syrian events, 2016-2019). Both together mean
that one text says one thing twice: records that no field and no quote tells apart. Tombstones (withdrawn
or merged) are exempt: a merged record is the second id of its survivor, said so. Hash-based: the
signatures are grouped by the key rules' hashing (keys._key_groups), and only the evidence of records whose
signature repeats is compared, by sorting, never pairwise.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.validate.rules.findings import Finding, Tables, _changes, _filled, _row_in
from incidents.validate.rules.keys import _key_groups

SIGNATURE = (
    "date_start", "date_end", "country", "location", "latitude", "longitude", "event_type", "sub_event_type",
    "fatalities_low", "fatalities_best", "fatalities_high",
)  # fmt: skip
# What the rule reads of each table, besides the keys (rules.key_columns).
COLUMNS = {
    "incidents": ["incident_id", "status", *SIGNATURE],
    "incident_actors": ["incident_id", "actor_id", "role"],
    "incident_sources": ["incident_id", "source_id", "char_start", "char_end"],
}


def check_duplicate_incidents(tables: Tables, whole: Tables | None = None) -> Iterator[Finding]:
    """Each active record that is the same incident as another (see the module), on its incident_id, naming
    the other. The records are compared in `whole` (default `tables`), the rows reported are those of
    `tables`."""
    everywhere = whole or tables
    incidents = everywhere["incidents"]
    others = _same_incident(incidents, everywhere["incident_actors"], everywhere["incident_sources"])
    if not others:
        return
    ids = incidents.column("incident_id")
    at = _filled(_row_in(tables["incidents"], "incident_id", incidents, "incident_id"))
    for row, found in enumerate(at.tolist()):
        if found in others:
            other, more, source = others[found]
            also = f" (and {more} more)" if more else ""
            yield Finding(
                "incidents",
                row,
                "incident_id",
                f"the same incident as {ids[other].as_py()}{also}: the same dates, place, event type, actors and "
                f"fatalities, with evidence quoting the same passage of source {source[:12]}",
                "one record per incident: merge them with `incidents merge`",
                "duplicate-incident",
            )


def _same_incident(incidents: pa.Table, actors: pa.Table, evidence: pa.Table) -> dict[int, tuple[int, int, str]]:
    """For each incident row that is the same incident as others: the first other's row (in id order), how
    many more there are, and the source of the passage they share."""
    n = len(incidents)
    first = _filled(_row_in(incidents, "incident_id", incidents, "incident_id"))
    active = np.asarray(pc.fill_null(pc.equal(incidents.column("status"), "active"), False))
    chosen = np.flatnonzero(active & (first == np.arange(n)))  # a repeated id is a duplicate-id, not this
    if len(chosen) < 2:
        return {}
    signature = incidents.select(list(SIGNATURE)).append_column("actors", _actor_sets(incidents, actors))
    groups = _key_groups(signature.take(chosen), [*SIGNATURE, "actors"], {})
    if groups is None:
        return {}
    group = np.full(n, -1, dtype=np.int64)
    group[chosen] = groups
    owner = _filled(_row_in(evidence, "incident_id", incidents, "incident_id"))
    start, end = _filled(evidence.column("char_start")), _filled(evidence.column("char_end"))
    rows = np.flatnonzero((owner >= 0) & (start > np.iinfo(np.int64).min) & (end > np.iinfo(np.int64).min))
    rows = rows[group[owner[rows]] >= 0]  # the quotes of records whose signature another record shares
    if not len(rows):
        return {}
    source = np.asarray(evidence.column("source_id").take(pa.array(rows)).combine_chunks().dictionary_encode().indices)
    return _sharing(group[owner[rows]], source, start[rows], end[rows], owner[rows], incidents, evidence, rows)


def _sharing(
    group: np.ndarray,
    source: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    owner: np.ndarray,
    incidents: pa.Table,
    evidence: pa.Table,
    rows: np.ndarray,
) -> dict[int, tuple[int, int, str]]:
    """The incidents whose quotes overlap a quote of another incident of the same signature group in the same
    source. Quotes sorted by group, source and start form clusters of overlapping offsets (a quote starting
    before the furthest end so far joins the cluster); a cluster with quotes of two incidents or more makes
    them one incident."""
    order = np.lexsort((start, source, group))
    group, source, start, end, owner, rows = (a[order] for a in (group, source, start, end, owner, rows))
    segment = np.cumsum(_changes(group) | _changes(source)) - 1
    # Offsets as ranks (order kept), so that each segment's running maximum can be taken in one pass.
    _, ranks = np.unique(np.concatenate([start, end]), return_inverse=True)
    ranks = ranks.ravel()
    span = 2 * len(start) + 1
    furthest = np.maximum.accumulate(segment * span + ranks[len(start) :])
    before = np.concatenate([[-1], furthest[:-1]])
    opens = _changes(segment) | (segment * span + ranks[: len(start)] >= before)
    cluster = np.cumsum(opens) - 1
    pairs = np.unique(np.stack([cluster, owner], axis=1), axis=0)
    sizes = np.bincount(pairs[:, 0], minlength=cluster[-1] + 1)
    ids = incidents.column("incident_id")
    first_quote = rows[np.flatnonzero(opens)]
    members_of = np.split(pairs[:, 1], np.flatnonzero(_changes(pairs[:, 0]))[1:])  # pairs come sorted by cluster
    found: dict[int, tuple[int, int, str]] = {}
    for shared in np.flatnonzero(sizes > 1).tolist():
        members = sorted(members_of[shared].tolist(), key=lambda r: ids[r].as_py())
        source_id = evidence.column("source_id")[int(first_quote[shared])].as_py()
        for member in members:
            if member not in found:
                other = next(r for r in members if r != member)
                found[member] = (other, len(members) - 2, source_id)
    return found


def _actor_sets(incidents: pa.Table, actors: pa.Table) -> pa.Array:
    """Each incident's actors with their roles as one exact value: the codes of its (actor, role) pairs,
    sorted, as bytes. Equal sets give equal bytes, whatever the order the record lists them in."""
    owner = _filled(_row_in(actors, "incident_id", incidents, "incident_id"))
    actor = _filled(actors.column("actor_id").combine_chunks().dictionary_encode().indices) + 1
    role_codes = actors.column("role").combine_chunks().dictionary_encode()
    role = _filled(role_codes.indices) + 1
    pair = np.where(actor > 0, actor, 0) * (len(role_codes.dictionary) + 2) + np.where(role > 0, role, 0)
    known = owner >= 0
    owner, pair = owner[known], pair[known]
    order = np.lexsort((pair, owner))
    owner, pair = owner[order], pair[order]
    counts = np.bincount(owner, minlength=len(incidents))
    offsets = np.concatenate([[0], np.cumsum(counts) * 8]).astype(np.int64)
    data = pair.astype("<i8").tobytes()
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(incidents), [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)]
    )
