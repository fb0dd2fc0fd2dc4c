"""Bookkeeping rules: tombstones and merges get a reason and a revision; history is extended, never rewritten."""

from __future__ import annotations

import copy
import json

import pyarrow.parquet as pq
import pytest

from factories import INCIDENT, TODAY, make_dataset, record
from incidents import build, lifecycle, validate
from incidents.lifecycle import Refused, Stamp

OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T11"
THIRD = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T22"
STAMP = Stamp("Reviewer", "2026-11-25T09:00:00Z", "0.1.0")


def by_id(*records):
    return {r["incident_id"]: r for r in records}


def test_withdraw_makes_a_tombstone_with_a_reason_and_a_new_revision():
    before = record()
    kept = copy.deepcopy(before)
    changed = lifecycle.withdraw(INCIDENT, "  Not in scope: a traffic accident.  ", STAMP, by_id(before, record(OTHER)))
    assert list(changed) == [INCIDENT]
    after = changed[INCIDENT]
    assert after["status"] == "withdrawn" and after["status_reason"] == "Not in scope: a traffic accident."
    assert after["revisions"][:-1] == before["revisions"]
    assert after["revisions"][-1] == {
        "revision": 2,
        "changed_at": STAMP.at,
        "changed_by": "Reviewer",
        "method": "manual",
        "tool_version": "0.1.0",
        "reason": "Not in scope: a traffic accident.",
        "fields_changed": ["status", "status_reason"],
    }
    assert before == kept, "the input record is not modified"
    assert {k: v for k, v in after.items() if k not in ("status", "status_reason", "revisions")} == {
        k: v for k, v in before.items() if k not in ("status", "status_reason", "revisions")
    }


@pytest.mark.parametrize(
    "tombstone",
    [
        record(status="withdrawn", status_reason="Not real."),
        record(status="merged", status_reason="Duplicate.", merged_into=OTHER),
    ],
    ids=["withdrawn", "merged"],
)
def test_withdrawing_a_tombstone_is_refused(tombstone):
    with pytest.raises(Refused, match=f"{INCIDENT} is already {tombstone['status']}"):
        lifecycle.withdraw(INCIDENT, "Again.", STAMP, by_id(tombstone))


def test_withdraw_needs_a_reason():
    with pytest.raises(Refused, match="a reason is required"):
        lifecycle.withdraw(INCIDENT, "   ", STAMP, by_id(record()))


def test_withdrawing_an_unknown_record_is_refused():
    with pytest.raises(Refused, match=f"no record {OTHER}"):
        lifecycle.withdraw(OTHER, "Not real.", STAMP, by_id(record()))


def test_withdrawing_a_record_withdraws_its_duplicates_so_none_points_at_a_tombstone():
    duplicate = record(OTHER, status="merged", status_reason="Duplicate.", merged_into=INCIDENT)
    changed = lifecycle.withdraw(INCIDENT, "Not real.", STAMP, by_id(record(), duplicate, record(THIRD)))
    assert sorted(changed) == [INCIDENT, OTHER]
    gone = changed[OTHER]
    assert (gone["status"], gone["merged_into"]) == ("withdrawn", None)
    assert gone["status_reason"] == f"Merged into {INCIDENT}, which was withdrawn: Not real."
    assert gone["revisions"][-1]["fields_changed"] == ["status", "status_reason", "merged_into"]


def test_merge_marks_the_duplicate_and_names_the_survivor():
    changed = lifecycle.merge(OTHER, INCIDENT, "Same clash, second report.", STAMP, by_id(record(), record(OTHER)))
    assert list(changed) == [OTHER]
    merged = changed[OTHER]
    assert (merged["status"], merged["merged_into"], merged["status_reason"]) == (
        "merged",
        INCIDENT,
        "Same clash, second report.",
    )
    assert merged["revisions"][-1]["revision"] == 2
    assert merged["revisions"][-1]["fields_changed"] == ["status", "status_reason", "merged_into"]


@pytest.mark.parametrize(
    ("source", "into", "records", "message"),
    [
        ("inc_01KAXQ8N5D4C3R6E0J2VWZ7T99", INCIDENT, by_id(record()), "no record inc_01KAXQ8N5D4C3R6E0J2VWZ7T99"),
        (OTHER, "inc_01KAXQ8N5D4C3R6E0J2VWZ7T99", by_id(record(OTHER)), "no record inc_01KAXQ8N5D4C3R6E0J2VWZ7T99"),
        (INCIDENT, INCIDENT, by_id(record()), "cannot be merged into itself"),
        (
            OTHER,
            INCIDENT,
            by_id(record(status="withdrawn", status_reason="Not real."), record(OTHER)),
            f"{INCIDENT} is withdrawn, not active",
        ),
        (
            OTHER,
            INCIDENT,
            by_id(record(status="merged", status_reason="Dup.", merged_into=THIRD), record(OTHER), record(THIRD)),
            f"{INCIDENT} is merged, not active: .* \\({THIRD}\\)",
        ),
        (
            OTHER,
            INCIDENT,
            by_id(record(), record(OTHER, status="withdrawn", status_reason="Not real.")),
            f"{OTHER} is already withdrawn",
        ),
    ],
    ids=["unknown-id", "unknown-target", "self", "into-withdrawn", "into-merged", "withdrawn-source"],
)
def test_bad_merges_are_refused(source, into, records, message):
    with pytest.raises(Refused, match=message):
        lifecycle.merge(source, into, "Duplicate.", STAMP, records)


def test_merge_re_points_earlier_duplicates_so_there_are_no_chains():
    first = record(THIRD, status="merged", status_reason="Duplicate.", merged_into=OTHER)
    changed = lifecycle.merge(OTHER, INCIDENT, "Duplicate.", STAMP, by_id(record(), record(OTHER), first))
    assert changed[OTHER]["merged_into"] == INCIDENT
    assert changed[THIRD]["merged_into"] == INCIDENT and changed[THIRD]["status"] == "merged"
    assert changed[THIRD]["revisions"][-1]["fields_changed"] == ["merged_into"]
    assert OTHER in changed[THIRD]["revisions"][-1]["reason"]


def test_correct_names_the_fields_edited_since_the_commit():
    committed = record()
    working = record(injured=3, location="Qamishli")
    after = lifecycle.correct(working, committed, "Second report gives three injured.", STAMP)
    assert after["revisions"][-1]["revision"] == 2
    assert after["revisions"][-1]["fields_changed"] == ["location", "injured"]
    assert after["injured"] == 3 and after["location"] == "Qamishli"


def test_correct_counts_actors_and_evidence_as_fields():
    committed = record()
    working = record(actors=list(reversed(committed["actors"])))
    assert lifecycle.correct(working, committed, "Sides swapped.", STAMP)["revisions"][-1]["fields_changed"] == [
        "actors"
    ]


def test_correct_without_edits_is_refused():
    with pytest.raises(Refused, match="nothing changed"):
        lifecycle.correct(record(), record(), "No change.", STAMP)


def test_correct_refuses_rewritten_history():
    committed = record()
    working = record(injured=3)
    working["revisions"][0]["reason"] = "Something else."
    with pytest.raises(Refused, match="history is extended, never rewritten"):
        lifecycle.correct(working, committed, "Fix.", STAMP)


def test_correct_refuses_a_second_revision_before_the_first_is_committed():
    committed = record()
    once = lifecycle.correct(record(injured=3), committed, "Fix.", STAMP)
    with pytest.raises(Refused, match="revision\\(s\\) 2 are not committed yet"):
        lifecycle.correct({**once, "injured": 4}, committed, "Fix again.", STAMP)


@pytest.mark.parametrize(
    "edit",
    [{"status": "withdrawn"}, {"merged_into": OTHER}, {"incident_id": OTHER}],
    ids=["status", "merged_into", "incident_id"],
)
def test_correct_refuses_hand_edits_of_status_merges_and_ids(edit):
    with pytest.raises(Refused, match=f"{next(iter(edit))} changed by hand"):
        lifecycle.correct(record(**edit), record(), "Fix.", STAMP)


def test_unrecorded_lists_hand_edits_that_no_new_revision_names():
    committed = record()
    merged = lifecycle.merge(INCIDENT, OTHER, "Duplicate.", STAMP, by_id(committed, record(OTHER)))[INCIDENT]
    assert lifecycle.unrecorded(merged, committed) == []
    assert lifecycle.unrecorded({**merged, "injured": 5}, committed) == ["injured"]
    assert lifecycle.unrecorded(record(injured=5), committed) == ["injured"]


def test_history_shows_old_and_new_values_between_recorded_versions():
    first = record()
    corrected = lifecycle.correct(record(injured=3), first, "Three injured.", STAMP)
    withdrawn = lifecycle.withdraw(INCIDENT, "Not real.", STAMP, by_id(corrected))[INCIDENT]
    entries = lifecycle.history(withdrawn, [first, corrected])
    assert [e.revision["revision"] for e in entries] == [1, 2, 3]
    assert entries[0].changes is None
    assert entries[1].changes == [lifecycle.Change("injured", 1, 3)]
    assert entries[2].changes == [
        lifecycle.Change("status", "active", "withdrawn"),
        lifecycle.Change("status_reason", None, "Not real."),
    ]
    text = lifecycle.history_human(INCIDENT, "withdrawn", entries)
    assert "revision 3  2026-11-25T09:00:00Z  by Reviewer (manual, tool 0.1.0)" in text
    assert "  injured: 1 -> 3" in text and "  status_reason: (empty) -> Not real." in text
    parsed = json.loads(lifecycle.history_json(INCIDENT, "withdrawn", entries))
    assert parsed["revisions"][1]["changes"] == [{"field": "injured", "old": 1, "new": 3}]


def test_history_without_earlier_versions_lists_the_fields():
    corrected = lifecycle.correct(record(injured=3), record(), "Three injured.", STAMP)
    entries = lifecycle.history(corrected, [])
    assert entries[1].changes is None
    assert "  fields: injured" in lifecycle.history_human(INCIDENT, "active", entries)


def test_history_takes_the_version_that_recorded_a_revision_not_later_unrecorded_edits():
    first = record()
    corrected = lifecycle.correct(record(injured=3), first, "Three injured.", STAMP)
    edited_later = {**corrected, "injured": 4}  # committed without running `incidents correct`
    entries = lifecycle.history(edited_later, [first, corrected, edited_later])
    assert entries[1].changes == [lifecycle.Change("injured", 1, 3)]


def test_tombstones_made_by_bookkeeping_validate_and_show_in_the_built_tables(tmp_path):
    withdrawn = lifecycle.withdraw(INCIDENT, "Not in scope.", STAMP, by_id(record()))[INCIDENT]
    merged = lifecycle.merge(OTHER, THIRD, "Duplicate.", STAMP, by_id(record(OTHER), record(THIRD)))
    make_dataset(tmp_path, withdrawn, *merged.values(), record(THIRD))
    assert validate.validate(tmp_path, today=TODAY) == []
    assert build.build(tmp_path).problems == []
    incidents = pq.read_table(tmp_path / "data/tables/incidents.parquet").to_pylist()
    status = {row["incident_id"]: (row["status"], row["merged_into"], row["revision"]) for row in incidents}
    assert status == {INCIDENT: ("withdrawn", None, 2), OTHER: ("merged", THIRD, 2), THIRD: ("active", None, 1)}
    revisions = pq.read_table(tmp_path / "data/tables/revisions.parquet").to_pylist()
    latest = [r for r in revisions if r["incident_id"] == INCIDENT and r["revision"] == 2]
    assert latest[0]["reason"] == "Not in scope." and latest[0]["fields_changed"] == ["status", "status_reason"]
