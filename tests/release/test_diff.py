"""The record diff and the semver bump it proposes, one kind of change at a time."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from factories import INCIDENT, record
from incidents import standard
from incidents.cli import cli
from incidents.release import release
from incidents.release.record_diff import diff, schema_changes
from incidents.release.snapshot import from_manifest, from_records, schema_snapshot
from releasing import DAY, releasable, revise, revised, second

SCHEMA = schema_snapshot(standard.load())


def snap(*records_, schema=SCHEMA, label="snap"):
    return from_records(label, records_, schema)


def test_nothing_changed_proposes_no_bump():
    assert diff(snap(record()), snap(record())).bump is None


def test_an_added_record_is_a_minor_bump():
    found = diff(snap(record()), snap(record(), second()))
    assert found.bump == "minor"
    assert [(r.incident_id, r.change) for r in found.records] == [(second()["incident_id"], "added")]


def test_a_correction_is_a_patch_naming_the_changed_fields():
    found = diff(snap(record()), snap(revised(record(), fatalities_best=3, fatalities_high=3)))
    (change,) = found.records
    assert found.bump == "patch" and change.change == "corrected"
    assert change.fields == ("fatalities_best", "fatalities_high")
    assert (change.old_revision, change.new_revision) == (1, 2)


def test_a_withdrawal_is_a_patch_with_its_reason():
    gone = revised(record(), status="withdrawn", status_reason="The report described an exercise.")
    found = diff(snap(record()), snap(gone))
    assert found.bump == "patch"
    assert [(r.change, r.reason) for r in found.records] == [("withdrawn", "The report described an exercise.")]


def test_a_merge_is_a_patch_naming_the_survivor():
    merged = revised(second(), status="merged", status_reason="Duplicate.", merged_into=INCIDENT)
    found = diff(snap(record(), second()), snap(record(), merged))
    assert found.bump == "patch" and [(r.change, r.merged_into) for r in found.records] == [("merged", INCIDENT)]


def test_a_removed_record_is_a_major_bump():
    found = diff(snap(record(), second()), snap(record()))
    assert found.bump == "major" and [r.change for r in found.records] == ["removed"]


def with_field(schema, table, name, **spec):
    out = copy.deepcopy(schema)
    out["tables"][table]["fields"][name] = {"type": "string", "required": False, **spec}
    return out


def without_field(schema, table, name):
    out = copy.deepcopy(schema)
    del out["tables"][table]["fields"][name]
    return out


def bump(old, new):
    return diff(snap(record(), schema=old), snap(record(), schema=new)).bump


def test_a_removed_field_is_a_major_bump():
    assert bump(SCHEMA, without_field(SCHEMA, "incidents", "notes")) == "major"


def test_a_renamed_field_is_a_major_bump():
    renamed = with_field(without_field(SCHEMA, "incidents", "notes"), "incidents", "comments")
    changes = {(c.change, c.where) for c in schema_changes(SCHEMA, renamed)}
    assert changes == {("field-removed", "incidents.notes"), ("field-added", "incidents.comments")}
    assert bump(SCHEMA, renamed) == "major"


def test_a_narrowed_type_is_major_and_a_widened_type_minor():
    narrowed = with_field(SCHEMA, "incidents", "latitude", type="integer")
    assert bump(SCHEMA, narrowed) == "major"
    widened = with_field(SCHEMA, "incidents", "injured", type="number")
    assert bump(SCHEMA, widened) == "minor"


def test_a_field_made_required_is_major():
    assert bump(SCHEMA, with_field(SCHEMA, "incidents", "notes", required=True)) == "major"


def test_an_optional_field_added_is_minor_and_a_required_one_major():
    assert bump(SCHEMA, with_field(SCHEMA, "incidents", "weapon")) == "minor"
    assert bump(SCHEMA, with_field(SCHEMA, "incidents", "weapon", required=True)) == "major"


def test_a_removed_code_is_major_and_an_added_code_minor():
    fewer = copy.deepcopy(SCHEMA)
    fewer["codelists"]["event_type"].remove("riots")
    assert bump(SCHEMA, fewer) == "major"
    more = copy.deepcopy(SCHEMA)
    more["codelists"]["event_type"].append("cyber_attacks")
    assert bump(SCHEMA, more) == "minor"
    assert [c.detail for c in schema_changes(SCHEMA, more)] == ["code(s) added: cyber_attacks"]


def with_shape(table, name, **changes):
    out = copy.deepcopy(SCHEMA)
    shape = out["tables"][table]["fields"][name]
    for key, value in changes.items():
        if key in ("codelist", "itemType", "type", "required"):
            shape[key] = value
        elif value is None:
            del shape["constraints"][key]
        else:
            shape["constraints"][key] = value
    return out


@pytest.mark.parametrize(
    ("table", "name", "changes", "expected"),
    [
        ("incidents", "injured", {"minimum": 1}, "major"),
        ("incidents", "injured", {"minimum": -5}, "minor"),
        ("incidents", "injured", {"minimum": None}, "minor"),
        ("incidents", "injured", {"maximum": 1000}, "major"),
        ("incidents", "incident_id", {"pattern": "^inc_[0-9]+$"}, "major"),
        ("incidents", "event_type", {"codelist": "role"}, "major"),
        ("incidents", "event_type", {"codelist": None}, "minor"),
        ("incidents", "tags", {"itemType": "integer"}, "major"),
        ("incidents", "event_type", {"required": False}, "minor"),
    ],
    ids=lambda v: str(v),
)
def test_a_constraint_narrowed_is_major_and_loosened_minor(table, name, changes, expected):
    assert bump(SCHEMA, with_shape(table, name, **changes)) == expected


def test_a_manifest_without_constraints_is_compared_on_types_alone():
    older = copy.deepcopy(SCHEMA)
    for table in older["tables"].values():
        table["fields"] = {n: {"type": f["type"], "required": f["required"]} for n, f in table["fields"].items()}
    assert bump(older, SCHEMA) is None


def test_descriptions_and_examples_alone_call_for_no_bump():
    std = copy.deepcopy(standard.load())  # load() is cached: never change its result in place
    for spec in std.tables["incidents"]["fields"]:
        spec["description"], spec["example"] = "Reworded.", None
    assert bump(SCHEMA, schema_snapshot(std)) is None


def test_tables_and_codelists_added_are_minor_and_removed_major():
    more = copy.deepcopy(SCHEMA)
    more["tables"]["weapons"] = {"fields": {}}
    more["codelists"]["weapon"] = ["rifle"]
    assert bump(SCHEMA, more) == "minor" and bump(more, SCHEMA) == "major"


def test_a_reinstated_tombstone_is_a_patch():
    gone = revised(record(), status="withdrawn", status_reason="Looked like an exercise.")
    back = revised(gone, status="active", status_reason=None)
    found = diff(snap(gone), snap(back))
    assert (found.bump, [r.change for r in found.records]) == ("patch", ["reinstated"])


def test_the_biggest_change_decides_the_bump():
    fewer = copy.deepcopy(SCHEMA)
    fewer["codelists"]["role"].remove("target")
    old, new = snap(record()), snap(revised(record(), injured=2), second(), schema=fewer)
    assert diff(old, new).bump == "major"


def manifest_of(*records_):
    return {"records": [s.summary() for s in snap(*records_).records.values()], "schema": SCHEMA}


def test_against_a_manifest_alone_the_changed_fields_are_those_the_revisions_name():
    old = from_manifest("v0.1.0", manifest_of(record()))
    (change,) = diff(old, snap(revised(record(), injured=4))).records
    assert (change.change, change.fields, change.fields_from) == ("corrected", ("injured",), "revisions")


def test_between_two_manifests_alone_withdrawals_keep_their_reasons_and_corrections_their_fields():
    gone = revised(second(), status="withdrawn", status_reason="A traffic accident.")
    old = from_manifest("v0.1.0", manifest_of(record(), second()))
    new = from_manifest("v0.1.1", manifest_of(revised(record(), injured=4), gone))
    corrected, withdrawn = diff(old, new).records
    assert (corrected.change, corrected.fields, corrected.fields_from) == ("corrected", ("injured",), "revisions")
    assert (withdrawn.change, withdrawn.reason) == ("withdrawn", "A traffic accident.")


def test_a_duplicate_re_pointed_to_another_survivor_is_merged_again():
    third = record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T22")
    merged = revised(second(), status="merged", status_reason="Duplicate.", merged_into=INCIDENT)
    (change,) = diff(
        snap(record(), merged, third), snap(record(), revised(merged, merged_into=third["incident_id"]), third)
    ).records
    assert (change.change, change.merged_into) == ("merged", third["incident_id"])


def test_a_rewritten_history_is_flagged():
    rewritten = record()
    rewritten["revisions"][0]["reason"] = "Another story."
    (change,) = diff(from_manifest("v0.1.0", manifest_of(record())), snap(rewritten)).records
    assert change.history_rewritten


def test_diff_command_between_a_release_and_the_working_tree(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, injured=3)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "v0.1.0", ".", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["bump"] == "patch"
    assert [(r["incident_id"], r["change"], r["fields"]) for r in report["records"]] == [
        (INCIDENT, "corrected", ["injured"])
    ]
    human = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "v0.1.0"])
    assert f"{INCIDENT}  corrected   1->2      injured" in human.output


def test_a_record_that_fails_its_schema_is_compared_not_reported_removed(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, injured=-1)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "v0.1.0", "--format", "json"])
    assert [(r["change"], r["fields"]) for r in json.loads(result.output)["records"]] == [("corrected", ["injured"])]


def test_diff_of_an_unknown_version_is_a_usage_error(tmp_path):
    releasable(tmp_path)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "v9.9.9", "."])
    assert result.exit_code == 2 and "no release v9.9.9" in result.output


def test_diff_between_two_bundles_compares_values(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, reason="Typo.", summary="Militia fighters attacked a police patrol; two were killed.")
    release(tmp_path, date=DAY)
    old, new = (str(tmp_path / f"dist/test-incidents-v{v}.zip") for v in ("0.1.0", "0.1.1"))
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", old, new, "--format", "json"])
    (change,) = json.loads(result.output)["records"]
    assert (change["change"], change["fields"], change["fields_from"]) == ("corrected", ["summary"], "values")


def test_without_the_bundle_a_version_is_compared_through_its_manifest(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    (tmp_path / "dist/test-incidents-v0.1.0.zip").unlink()
    revise(layout, INCIDENT, injured=5)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "v0.1.0", "--format", "json"])
    (change,) = json.loads(result.output)["records"]
    assert (change["fields"], change["fields_from"]) == (["injured"], "revisions")


def test_a_corrupt_manifest_is_a_clear_problem_not_a_crash(tmp_path):
    releasable(tmp_path)
    release(tmp_path, date=DAY)
    (tmp_path / "releases/v0.1.0.json").write_text("{not json")
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "v0.1.0"])
    assert result.exit_code == 2 and "releases/v0.1.0.json cannot be read" in result.output
    problems = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate"])
    assert problems.exit_code == 1 and "manifest-unreadable" in problems.output
