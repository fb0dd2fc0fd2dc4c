"""The CHANGELOG.md section of a release: every kind of record change, and the changes to the standard."""

from __future__ import annotations

import copy

from factories import INCIDENT, record
from incidents import standard
from incidents.release import changelog, record_diff
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


def test_a_tombstone_made_active_is_listed_as_breaking_the_rule_not_as_reinstated():
    """`incidents validate` refuses a withdrawn or merged record made active (issue 19); a diff between old
    snapshots may still hold one, and the changelog says it is against the rules."""
    gone = revised(second(), status="withdrawn", status_reason="Looked like an exercise.")
    back = revised(gone, status="active", status_reason=None)
    found = diff(from_records("v0.1.0", [record(), gone], SCHEMA), from_records("v", [record(), back], SCHEMA))
    text = changelog.section("0.1.1", "2026-11-26", found, "patch", "patch")
    assert "Reinstated" not in text
    assert "- Tombstones made active again, which the standard forbids (1):\n" in text
    assert f"  - {second()['incident_id']} (revision 2 -> 3): status, status_reason" in text
    assert "[A TOMBSTONE MADE ACTIVE: a new record with a new id should have been coded]" in record_diff.human(found)


def test_a_contributed_reason_or_field_name_is_inert_markdown_in_the_changelog():
    """CHANGELOG.md is rendered by GitHub and by the site's Changes page: a withdrawal's reason or a revision's
    fields_changed must show as text, never as a script, a link or a heading."""
    hostile = "<script>alert(1)</script> [x](javascript:alert(3))\n# heading"
    gone = revised(second(), status="withdrawn", status_reason=hostile)
    edited = revised(record(), notes="checked")
    edited["revisions"][-1]["fields_changed"] = ["notes", "<img src=x onerror=alert(2)>"]
    found = diff(from_records("v0.1.0", [record(), second()], SCHEMA), from_records("v", [edited, gone], SCHEMA))
    text = changelog.section("0.1.1", "2026-11-26", found, "patch", "patch")
    assert "<script>" not in text and "<img" not in text and "](javascript:" not in text and "\n# heading" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#91;x&#93;(javascript:alert(3)) \\# heading" in text
