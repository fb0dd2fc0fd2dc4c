"""The CHANGELOG.md section of a release: every kind of record change, and the changes to the standard."""

from __future__ import annotations

import copy

from factories import INCIDENT, record
from incidents import standard
from incidents.release import changelog
from incidents.release.record_diff import diff
from incidents.release.snapshot import from_records, schema_snapshot
from releasing import revised, second

SCHEMA = schema_snapshot(standard.load())


def test_a_merge_and_a_schema_change_are_in_the_section():
    newer = copy.deepcopy(SCHEMA)
    newer["codelists"]["event_type"].append("cyber_attacks")
    newer["tables"]["incidents"]["fields"]["notes"]["constraints"]["maxLength"] = 2000
    merged = revised(second(), status="merged", status_reason="Same clash, reported twice.", merged_into=INCIDENT)
    found = diff(from_records("v0.1.0", [record(), second()], SCHEMA), from_records("v", [record(), merged], newer))
    text = changelog.section("0.2.0", "2026-11-26", found, "major", "major")
    assert f"- Merged (1):\n  - {second()['incident_id']} into {INCIDENT}: Same clash, reported twice." in text
    assert "- event_type: code(s) added: cyber_attacks (minor)" in text
    assert "- incidents.notes: constraint maxLength added: 2000 (major)" in text
    assert text.startswith("## v0.2.0 (2026-11-26)\n\nBump: major. Compared with v0.1.0: incidents.notes")


def test_a_bump_raised_by_the_maintainer_says_so():
    found = diff(from_records("v0.1.0", [record()], SCHEMA), from_records("v", [record(), second()], SCHEMA))
    text = changelog.section("1.0.0", "2026-11-26", found, "major", "minor")
    assert "Bump: major (proposed: minor, raised by the maintainer)." in text
    assert f"- Added (1): {second()['incident_id']}" in text


def test_thousands_of_added_records_list_the_first_ids_and_where_the_rest_are():
    many = [record(incident_id=f"inc_01KAXQ8N5D4C3R6E0J2VW{n:05d}".replace("U", "V")) for n in range(60)]
    found = diff(from_records("v0.1.0", [], SCHEMA), from_records("v", many, SCHEMA))
    line = next(
        x for x in changelog.section("0.2.0", "2026-12-06", found, "minor", "minor").splitlines() if "Added" in x
    )
    assert line.startswith("- Added (60): ") and line.count("inc_") == changelog.MAX_LISTED
    assert "and 10 more (every id is in releases/v0.2.0.json" in line
