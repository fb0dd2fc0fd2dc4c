"""One record per incident (rules.duplicates): the same event coded twice from the same passage is one
incident under two ids; the same values from other passages, or other values from one passage, are not."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from factories import INCIDENT, TODAY, make_dataset, record
from incidents import validate
from incidents.validate.rules.duplicates import SIGNATURE, check_duplicate_incidents

SECOND = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
EVENT = {
    "date_start": "2024-03-07", "date_end": "2024-03-07", "country": "SYR", "location": "Qamishli",
    "latitude": 37.05, "longitude": 41.23, "event_type": "battles", "sub_event_type": "armed_clash",
    "fatalities_low": 2, "fatalities_best": 2, "fatalities_high": 2,
}  # fmt: skip


def tables(*incidents: dict[str, Any]) -> dict[str, pa.Table]:
    """Incidents given as {id, status, quotes: [(source, start, end)], actors: [(actor, role)], **values}."""
    rows = [{"status": "active", **EVENT, **i} for i in incidents]
    return {
        "incidents": pa.table({name: [r[name] for r in rows] for name in ["incident_id", "status", *SIGNATURE]}),
        "incident_actors": pa.table(
            {
                "incident_id": [r["incident_id"] for r in rows for _ in r.get("actors", [("A", "side_a")])],
                "actor_id": [a for r in rows for a, _ in r.get("actors", [("A", "side_a")])],
                "role": [role for r in rows for _, role in r.get("actors", [("A", "side_a")])],
            }
        ),
        "incident_sources": pa.table(
            {
                "incident_id": [r["incident_id"] for r in rows for _ in r["quotes"]],
                "source_id": [q[0] for r in rows for q in r["quotes"]],
                "char_start": [q[1] for r in rows for q in r["quotes"]],
                "char_end": [q[2] for r in rows for q in r["quotes"]],
            }
        ),
    }


def reported(found: Any) -> list[tuple[int, str]]:
    return [(f.row, f.message.split(":")[0]) for f in found]


def test_a_record_copied_under_a_second_id_is_reported_on_both_records(tmp_path):
    layout = make_dataset(tmp_path, record(), record(SECOND, location=record()["location"]))
    problems = [p for p in validate.validate(layout.root, today=TODAY) if p.code == "duplicate-incident"]
    assert [(p.record, p.field, p.line, p.message.split(":")[0]) for p in problems] == [
        (INCIDENT, "incident_id", 1, f"the same incident as {SECOND}"),
        (SECOND, "incident_id", 1, f"the same incident as {INCIDENT}"),
    ]
    assert problems[0].expected == "one record per incident: merge them with `incidents merge`"


def test_overlapping_quotes_of_one_source_are_one_passage_and_touching_ones_are_not():
    overlapping = tables(
        {"incident_id": "i1", "quotes": [("s", 0, 10)]}, {"incident_id": "i2", "quotes": [("s", 9, 20)]}
    )
    assert reported(check_duplicate_incidents(overlapping)) == [
        (0, "the same incident as i2"),
        (1, "the same incident as i1"),
    ]
    touching = tables({"incident_id": "i1", "quotes": [("s", 0, 10)]}, {"incident_id": "i2", "quotes": [("s", 10, 20)]})
    assert reported(check_duplicate_incidents(touching)) == []
    other_source = tables(
        {"incident_id": "i1", "quotes": [("s", 0, 10)]}, {"incident_id": "i2", "quotes": [("t", 0, 10)]}
    )
    assert reported(check_duplicate_incidents(other_source)) == []


def test_one_passage_reporting_two_events_is_not_a_duplicate():
    # The same sentence, two incidents that differ in place, in fatalities, or in an actor's role.
    for change in ({"location": "Hasakah"}, {"fatalities_best": 3}, {"actors": [("A", "side_b")]}):
        found = check_duplicate_incidents(
            tables(
                {"incident_id": "i1", "quotes": [("s", 0, 10)]},
                {"incident_id": "i2", "quotes": [("s", 0, 10)], **change},
            )
        )
        assert reported(found) == [], change


def test_the_same_values_from_other_passages_are_distinct_events_as_ucdp_codes_them():
    # UCDP GED rows agreeing on every field a record holds, each quoted from its own row of the export.
    found = check_duplicate_incidents(
        tables({"incident_id": "i1", "quotes": [("s", 0, 10)]}, {"incident_id": "i2", "quotes": [("s", 11, 20)]})
    )
    assert reported(found) == []


def test_actors_are_compared_as_a_set_and_tombstones_are_exempt():
    both = [("A", "side_a"), ("B", "side_b")]
    same = tables(
        {"incident_id": "i1", "quotes": [("s", 0, 10)], "actors": both},
        {"incident_id": "i2", "quotes": [("s", 0, 10)], "actors": both[::-1]},
        {"incident_id": "i3", "quotes": [("s", 0, 10)], "actors": both, "status": "merged"},
    )
    assert reported(check_duplicate_incidents(same)) == [(0, "the same incident as i2"), (1, "the same incident as i1")]


def test_three_records_of_one_incident_name_one_other_and_count_the_rest():
    found = check_duplicate_incidents(tables(*({"incident_id": f"i{n}", "quotes": [("s", 0, 10)]} for n in range(3))))
    assert reported(found)[0] == (0, "the same incident as i1 (and 1 more)")


def test_a_slice_is_reported_on_its_own_rows_compared_with_all():
    whole = tables({"incident_id": "i1", "quotes": [("s", 0, 10)]}, {"incident_id": "i2", "quotes": [("s", 0, 10)]})
    part = {
        name: table.filter(pa.array([i == "i2" for i in table.column("incident_id").to_pylist()]))
        for name, table in whole.items()
    }
    assert reported(check_duplicate_incidents(part, whole)) == [(0, "the same incident as i1")]
