"""One statement of a record's revision entry, its fields changed and the ids minted for it
(incidents.records.revisions, incidents.records.ids), checked against what each caller computed before:
bookkeeping (lifecycle), re-imports (importers/match) and the release diff (release/record_diff)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from factories import record
from incidents.importers import match
from incidents.records import ids, revisions
from incidents.release.record_diff import _changed_fields
from incidents.release.snapshot import RecordState

NAMES = ["incident_id", "summary", "fatalities_best", "tags", "actors", "citations", "evidence", "revisions"]
VALUES = st.one_of(
    st.none(), st.integers(0, 3), st.sampled_from(["a", "b", ""]), st.lists(st.integers(0, 2), max_size=2)
)
VERSIONS = st.dictionaries(st.sampled_from(NAMES + match.COMPARED_FIELDS[:6]), VALUES, max_size=8)


# How each caller computed the fields changed before there was one function for it.
def bookkeeping_before(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    names = [*new, *(name for name in old if name not in new)]
    return [name for name in names if name != "revisions" and old.get(name) != new.get(name)]


def reimport_before(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changed = [name for name in match.COMPARED_FIELDS if old.get(name) != new.get(name)]
    return changed + [key for key in ("actors", "citations") if (old.get(key) or []) != (new.get(key) or [])]


def release_diff_before(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    return tuple(k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k))


@given(VERSIONS, VERSIONS)
def test_fields_changed_by_bookkeeping_are_as_before(old, new):
    assert revisions.changed_fields(old, new) == bookkeeping_before(old, new)


@given(VERSIONS, VERSIONS)
def test_fields_changed_by_a_reimport_are_as_before(old, new):
    assert match.changed(old, new) == reimport_before(old, new)


@given(VERSIONS, VERSIONS)
def test_fields_changed_in_the_release_diff_are_as_before(old, new):
    old, new = ({k: v for k, v in version.items() if k != "revisions"} for version in (old, new))  # values_of
    states = [RecordState("inc_x", "active", None, 1, "", "", values=values) for values in (old, new)]
    assert _changed_fields(*states) == (release_diff_before(old, new), "values")


def test_fields_changed_follow_the_records_order_and_never_name_the_history():
    old = record(injured=1)
    new = {**record(injured=2, summary="Other."), "revisions": []}
    assert revisions.changed_fields(old, new) == [name for name in new if name in ("summary", "injured")]


def test_no_actors_is_the_same_as_an_empty_list_for_a_reimport_only():
    assert match.changed({"actors": None}, {"actors": []}) == []
    assert revisions.changed_fields({"actors": None}, {"actors": []}) == ["actors"]


def test_a_revision_entry_names_who_when_how_why_and_which_fields_in_the_files_order():
    stamp = revisions.Stamp("A Coder", "2026-01-02T03:04:05Z", "1.2.3", method="imported")
    entry = revisions.entry(2, stamp, "Corrected.", ["injured"])
    assert list(entry.items()) == [
        ("revision", 2),
        ("changed_at", "2026-01-02T03:04:05Z"),
        ("changed_by", "A Coder"),
        ("method", "imported"),
        ("tool_version", "1.2.3"),
        ("reason", "Corrected."),
        ("fields_changed", ["injured"]),
    ]


def test_the_latest_revision_is_the_highest_number_and_0_without_any():
    assert revisions.latest({"revisions": [{"revision": 1}, {"revision": 3}, {"revision": 2}]}) == 3
    assert revisions.latest({}) == revisions.latest({"revisions": None}) == 0


def test_ids_are_a_prefix_and_a_fresh_ulid():
    incident, actor = ids.new_incident_id(), ids.new_actor_id()
    assert re.fullmatch(r"inc_[0-9A-HJKMNP-TV-Z]{26}", incident) and re.fullmatch(r"act_[0-9A-HJKMNP-TV-Z]{26}", actor)
    assert ids.new_incident_id() != incident
