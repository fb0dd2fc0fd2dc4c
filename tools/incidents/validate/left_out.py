"""Values that failed their JSON Schema, left out so that the rules still check the rest of their file.

A file that fails its schema used to be kept out of the tables, so its other mistakes (a quote not in the
source, a reversed date range) showed only once the schema error was fixed. Now each value that failed is
left out (null), field by field, and the file's rows go through every rule. What a rule then finds only
because a value is missing is not news: the schema error already said the value is wrong. Those follow-on
findings are dropped (`follow_ons_dropped`): a rule's finding on a value left out (or inside one), and a
cross-field rule's finding on a record where a field it compares was left out (READS).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from incidents.core.problems import Problem
from incidents.standard import RECORD_CHILDREN

Where = tuple[str | int, ...]  # a value's place in a parsed file, as the JSON Schema errors give it

# The fields each cross-field rule compares, as labels without list indices: a finding with the code is a
# follow-on where one of them (or what holds it) was left out. Rules on one field need no entry: a finding
# on the field left out itself is always dropped.
READS: dict[str, tuple[str, ...]] = {
    "date-order": ("date_start", "date_end"),
    "date-precision": ("date_start", "date_end", "date_precision"),
    "fatality-range": ("fatalities_low", "fatalities_best", "fatalities_high"),
    "coordinates": ("latitude", "longitude"),
    "outside-country": ("latitude", "longitude", "country", "flags"),
    "sub-event-type": ("event_type", "sub_event_type"),
    "tombstone": ("incident_id", "status", "status_reason", "merged_into"),
    "revision-sequence": ("revisions",),
    "unsupported-value": ("evidence.supports",),  # a quote's `supports` left out may have named the field
}
# The incident's columns the build derives from a list of its record (build.tables.from_records).
DERIVED = {"revision": "revisions", "updated_at": "revisions"}
# A child row's copy of its record's id, e.g. `actors[0].incident_id`: a finding on it is on the id.
_CHILDREN = "|".join(RECORD_CHILDREN)
_COPIED = re.compile(rf"^(?:{_CHILDREN})\[\d+\]\.({'|'.join(sorted({key for _, key in RECORD_CHILDREN.values()}))})$")


def leave_out(data: Any, failed: Iterable[Where], id_field: str, name: str) -> dict[str, Any] | None:
    """A copy of `data` with the value at each failed path left out: null in an object, removed from a list
    of codes or texts, an empty item in a list of objects (the items after it keep their positions, which
    name their lines). A field left out also leaves every quote's `supports` (a quote cannot support a value
    that is not there). The file's own id is kept if it is text, and is otherwise the file's `name` (a file
    is named for its id): its rows hang on it, and the references to it hold. None if `data` is no object."""
    if not isinstance(data, dict):
        return None
    kept = copy.deepcopy(data)
    if not isinstance(kept.get(id_field), str):
        kept[id_field] = name
    removed: dict[int, tuple[list[Any], set[int]]] = {}  # items of lists of codes or texts, removed at the end
    gone: set[str] = set()  # top-level fields left out whole
    for path in failed:
        if not path or path == (id_field,):
            continue
        holder, key = _at(kept, path[:-1]), path[-1]
        if isinstance(holder, dict) and isinstance(key, str):
            holder[key] = None
            if len(path) == 1:
                gone.add(key)
        elif isinstance(holder, list) and isinstance(key, int) and 0 <= key < len(holder):
            if len(path) == 2 and path[0] in RECORD_CHILDREN:
                holder[key] = {}
            else:
                removed.setdefault(id(holder), (holder, set()))[1].add(key)
    for items, indices in removed.values():
        items[:] = [item for index, item in enumerate(items) if index not in indices]
    quotes = kept.get("evidence")
    for quote in quotes if gone and isinstance(quotes, list) else []:
        if isinstance(quote, dict) and isinstance(quote.get("supports"), list):
            quote["supports"] = [name for name in quote["supports"] if name not in gone]
    return kept


def _at(data: Any, path: Where) -> Any:
    """The value at `path`, or None where the path leads nowhere (a value above it already left out)."""
    for step in path:
        if isinstance(data, dict) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def follow_ons_dropped(found: Sequence[Problem], left_out: Mapping[str, Sequence[str]]) -> list[Problem]:
    """The rules' problems (`found`) but those that follow only from values left out (`left_out`: by file,
    the fields of the schema problems of the files whose rows were built with values left out)."""
    if not left_out:
        return list(found)
    return [p for p in found if p.file not in left_out or not _follows(p, left_out[p.file])]


def _follows(problem: Problem, labels: Sequence[str]) -> bool:
    field = _COPIED.sub(r"\1", problem.field or "")
    if any(_within(field, label) or (field in DERIVED and _within(label, DERIVED[field])) for label in labels):
        return True
    reads = READS.get(problem.code, ())
    plain = [_plain(label) for label in labels]
    return any(_within(read, label) or _within(label, read) for read in reads for label in plain)


def _within(label: str, outer: str) -> bool:
    """Whether `label` names the value `outer` names or a value inside it."""
    return label == outer or label.startswith((outer + ".", outer + "["))


def _plain(label: str) -> str:
    """A label without its list indices: `evidence[1].supports[0]` -> `evidence.supports`."""
    return re.sub(r"\[\d+\]", "", label)
