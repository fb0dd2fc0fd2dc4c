"""Bookkeeping rules: tombstones and merges get a reason and a revision; history is extended, never rewritten."""

from __future__ import annotations

import copy
import json

import pyarrow.parquet as pq
import pytest

from factories import INCIDENT, TODAY, make_dataset, quote, record
from incidents import build, validate
from incidents.records import lifecycle
from incidents.records.lifecycle import Refused, Stamp

OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T11"
THIRD = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T22"
STAMP = Stamp("Reviewer", "2026-11-25T09:00:00Z", "0.1.0")
# A second report, archived beside the first, that gives other values.
LATER = "A later report: three officers were injured near the Qamishli market, and police detained four."
LATER_SOURCE = "b" * 64


def later(sentence, supports):
    """An evidence item quoting the later report."""
    return quote(sentence, supports, text=LATER, source=LATER_SOURCE)


def edited(committed=None, evidence=(), **changes):
    """The committed record edited by hand: `changes` to its values, `evidence` items added."""
    committed = committed or record()
    return {**copy.deepcopy(committed), **changes, "evidence": [*copy.deepcopy(committed["evidence"]), *evidence]}


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
    working = edited(summary="Militia fighters attacked a patrol.", tags=["patrol", "market"])
    after = lifecycle.correct(working, committed, "Summary shortened.", STAMP)
    assert after["revisions"][-1]["revision"] == 2
    assert after["revisions"][-1]["fields_changed"] == ["summary", "tags"]
    assert after["summary"] == "Militia fighters attacked a patrol." and after["tags"] == ["patrol", "market"]


def test_correct_counts_actors_and_evidence_as_fields():
    committed = record()
    working = edited(actors=list(reversed(committed["actors"])), evidence=[later("police detained four", ["actors"])])
    assert lifecycle.correct(working, committed, "Sides swapped.", STAMP)["revisions"][-1]["fields_changed"] == [
        "actors",
        "evidence",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": "Qamishli market"}, "location"),
        ({"injured": 3}, "injured"),
        ({"detained": 4}, "detained"),
        ({"date_start": "2024-03-06"}, "date_start"),
        ({"actors": [{"actor_id": "act_01KAXQ8N5D4C3R6E0J2VWZ7TAA", "role": "side_b"}]}, "actors"),
    ],
    ids=["location", "injured", "filled-in", "date_start", "actors"],
)
def test_correcting_an_evidenced_value_without_a_new_quote_is_refused(changes, field):
    with pytest.raises(Refused) as refused:
        lifecycle.correct(edited(**changes), record(), "Second report.", STAMP)
    message = str(refused.value)
    assert message.startswith(f"{INCIDENT}: {field} changed without a quote that gives the new value")
    assert f"no evidence item added or changed since the last commit lists {field} in supports" in message
    assert f"with supports: [{field}]" in message and f"incidents correct {INCIDENT}" in message


def test_the_refusal_names_the_committed_quote_that_gave_the_old_value():
    with pytest.raises(Refused) as refused:
        lifecycle.correct(edited(location="Qamishli market"), record(), "Second report.", STAMP)
    assert '"Khaleej Street, Qamishli" -> "Qamishli market"' in str(refused.value)
    assert 'the quote listing it, "On Thursday, militia fighters attacked a police' in str(refused.value)


def test_new_evidence_for_another_field_does_not_support_the_corrected_one():
    working = edited(
        injured=3, location="Qamishli market", evidence=[later("three officers were injured", ["injured"])]
    )
    with pytest.raises(Refused, match=r"(?s)location changed without .*with supports: \[location\]") as refused:
        lifecycle.correct(working, record(), "Second report.", STAMP)
    assert "  injured:" not in str(refused.value)


def test_taking_the_field_off_the_old_quote_is_not_a_new_quote():
    working = edited(location="Qamishli market")
    working["evidence"][0]["supports"] = ["date_start", "actors", "event_type"]
    with pytest.raises(Refused, match="location: .*: no evidence item lists it"):
        lifecycle.correct(working, record(), "Second report.", STAMP)


def test_a_correction_with_a_new_quote_takes_the_field_off_the_earlier_one():
    new = later("near the Qamishli market", ["location"])
    working = edited(location="Qamishli market", evidence=[new])
    after = lifecycle.correct(working, record(), "The later report places it at the market.", STAMP)
    assert after["location"] == "Qamishli market"
    assert [item["supports"] for item in after["evidence"]] == [
        ["date_start", "actors", "event_type"],
        ["fatalities_best", "actors"],
        ["injured"],
        ["location"],
    ]
    assert after["revisions"][-1]["fields_changed"] == ["location", "evidence"]
    assert lifecycle.superseded(working, record()) == [
        lifecycle.Superseded(record()["evidence"][0]["quote"], ("location",), removed=False)
    ]
    assert working["evidence"][0]["supports"] == ["date_start", "location", "actors", "event_type"], "input kept"


def test_an_earlier_quote_left_supporting_nothing_is_removed():
    new = later("three officers were injured", ["injured"])
    after = lifecycle.correct(edited(injured=3, evidence=[new]), record(), "Three injured.", STAMP)
    assert [item["quote"] for item in after["evidence"]] == [
        *(e["quote"] for e in record()["evidence"][:2]),
        new["quote"],
    ]
    superseded = lifecycle.superseded(edited(injured=3, evidence=[new]), record())
    assert superseded == [lifecycle.Superseded("One officer was injured.", ("injured",), removed=True)]
    assert lifecycle.superseded_human(superseded) == [
        'evidence: removed the earlier quote "One officer was injured.": it supported only injured, '
        "and gave the old value"
    ]


def test_an_existing_quote_newly_listing_the_field_supports_the_correction():
    committed = record(evidence=[*record()["evidence"], later("near the Qamishli market", ["actors"])])
    working = edited(committed, location="Qamishli market")
    working["evidence"][-1]["supports"] = ["actors", "location"]
    after = lifecycle.correct(working, committed, "The later report places it at the market.", STAMP)
    assert [item["supports"] for item in after["evidence"]][0] == ["date_start", "actors", "event_type"]
    assert after["evidence"][-1]["supports"] == ["actors", "location"]


def test_earlier_quotes_keep_actors_they_may_still_support():
    actors = [*record()["actors"], {"actor_id": "act_01KAXQ8N5D4C3R6E0J2VWZ7TCC", "role": "side_b"}]
    working = edited(actors=actors, evidence=[later("police detained four", ["actors"])])
    after = lifecycle.correct(working, record(), "The police detained four.", STAMP)
    assert [item["supports"] for item in after["evidence"]][:2] == [
        ["date_start", "location", "actors", "event_type"],
        ["fatalities_best", "actors"],
    ]
    assert lifecycle.superseded(working, record()) == []


@pytest.mark.parametrize(
    "changes",
    [{"notes": "A second report confirms the place."}, {"tags": ["patrol", "market"]}, {"injured": None}],
    ids=["notes", "tags", "emptied"],
)
def test_a_value_that_needs_no_quote_is_corrected_without_one(changes):
    after = lifecycle.correct(edited(**changes), record(), "Reviewed.", STAMP)
    assert after["revisions"][-1]["fields_changed"] == list(changes)
    assert after["evidence"] == record()["evidence"]


def test_correct_without_edits_is_refused():
    with pytest.raises(Refused, match="nothing changed"):
        lifecycle.correct(record(), record(), "No change.", STAMP)


def test_correct_refuses_rewritten_history():
    committed = record()
    working = edited(notes="Checked.")
    working["revisions"][0]["reason"] = "Something else."
    with pytest.raises(Refused, match="history is extended, never rewritten"):
        lifecycle.correct(working, committed, "Fix.", STAMP)


def test_correct_refuses_a_second_revision_before_the_first_is_committed():
    committed = record()
    once = lifecycle.correct(edited(notes="Checked."), committed, "Fix.", STAMP)
    with pytest.raises(Refused, match="revision\\(s\\) 2 are not committed yet"):
        lifecycle.correct({**once, "notes": "Checked twice."}, committed, "Fix again.", STAMP)


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
    corrected = lifecycle.correct(record(admin2="Qamishli"), first, "Admin2 added.", STAMP)
    withdrawn = lifecycle.withdraw(INCIDENT, "Not real.", STAMP, by_id(corrected))[INCIDENT]
    entries = lifecycle.history(withdrawn, [first, corrected])
    assert [e.revision["revision"] for e in entries] == [1, 2, 3]
    assert entries[0].changes is None
    assert entries[1].changes == [lifecycle.Change("admin2", None, "Qamishli")]
    assert entries[2].changes == [
        lifecycle.Change("status", "active", "withdrawn"),
        lifecycle.Change("status_reason", None, "Not real."),
    ]
    text = lifecycle.history_human(INCIDENT, "withdrawn", entries)
    assert "revision 3  2026-11-25T09:00:00Z  by Reviewer (manual, tool 0.1.0)" in text
    assert "  admin2: (empty) -> Qamishli" in text and "  status_reason: (empty) -> Not real." in text
    parsed = json.loads(lifecycle.history_json(INCIDENT, "withdrawn", entries))
    assert parsed["revisions"][1]["changes"] == [{"field": "admin2", "old": None, "new": "Qamishli"}]


def test_history_without_earlier_versions_lists_the_fields():
    corrected = lifecycle.correct(record(admin2="Qamishli"), record(), "Admin2 added.", STAMP)
    entries = lifecycle.history(corrected, [])
    assert entries[1].changes is None
    assert "  fields: admin2" in lifecycle.history_human(INCIDENT, "active", entries)


def test_history_takes_the_version_that_recorded_a_revision_not_later_unrecorded_edits():
    first = record()
    corrected = lifecycle.correct(record(admin2="Qamishli"), first, "Admin2 added.", STAMP)
    edited_later = {**corrected, "admin2": "Al-Qamishli"}  # committed without running `incidents correct`
    entries = lifecycle.history(edited_later, [first, corrected, edited_later])
    assert entries[1].changes == [lifecycle.Change("admin2", None, "Qamishli")]


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
