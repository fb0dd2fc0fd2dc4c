"""Nothing published is lost: validate against the last release's manifest."""

from __future__ import annotations

from factories import INCIDENT, TODAY, write_record
from incidents.build import build
from incidents.release import release
from incidents.validate import validate
from releasing import DAY, read_record, releasable, revise, second


def released(tmp_path, *records_):
    layout = releasable(tmp_path, *records_)
    release(tmp_path, date=DAY)
    return layout


def rebuild(root):
    """Build the tables after an edit, as a contributor does before committing."""
    assert build(root).problems == []


def found(root):
    return [(p.file, p.record, p.field, p.code) for p in validate(root, today=TODAY)]


def test_a_deleted_record_is_caught_with_the_manifest_line(tmp_path):
    layout = released(tmp_path)
    (layout.records / f"{INCIDENT}.yaml").unlink()
    problems = [p for p in validate(tmp_path, today=TODAY) if p.code.startswith("continuity")]
    (problem,) = problems
    assert (problem.file, problem.record, problem.field) == ("releases/v0.1.0.json", INCIDENT, "incident_id")
    assert INCIDENT in (tmp_path / problem.file).read_text().splitlines()[problem.line - 1]
    assert "withdrawn" in problem.expected and "merged" in problem.expected


def test_a_deleted_record_is_reported_even_when_validating_other_files(tmp_path):
    layout = released(tmp_path, second())
    (layout.records / f"{second()['incident_id']}.yaml").unlink()
    codes = {p.code for p in validate(tmp_path, [layout.records], today=TODAY)}
    assert "continuity-missing" in codes


def test_a_record_that_fails_to_parse_is_not_reported_as_lost(tmp_path):
    layout = released(tmp_path)
    (layout.records / f"{INCIDENT}.yaml").write_text("incident_id: [broken\n")
    assert "continuity-missing" not in {p.code for p in validate(tmp_path, today=TODAY)}


def test_a_rewritten_history_is_caught(tmp_path):
    layout = released(tmp_path)
    data = read_record(layout, INCIDENT)
    data["revisions"][0]["reason"] = "A different story."
    write_record(tmp_path, data)
    (problem,) = validate(tmp_path, today=TODAY)
    assert (problem.file, problem.record, problem.field, problem.code) == (
        f"data/records/{INCIDENT}.yaml",
        INCIDENT,
        "revisions",
        "continuity-history",
    )
    assert "rewritten" in problem.message and "new revision" in problem.expected and problem.line


def test_a_removed_revision_is_a_rewritten_history(tmp_path):
    layout = released(tmp_path)
    revise(layout, INCIDENT, injured=2)
    release(tmp_path, date=DAY)
    data = read_record(layout, INCIDENT)
    data["revisions"].pop()
    data["injured"] = 1
    write_record(tmp_path, data)
    assert "continuity-history" in {p.code for p in validate(tmp_path, today=TODAY)}


def test_an_extended_history_is_valid(tmp_path):
    layout = released(tmp_path)
    revise(layout, INCIDENT, injured=2)
    rebuild(tmp_path)
    assert found(tmp_path) == []


def test_a_change_without_a_revision_is_caught(tmp_path):
    layout = released(tmp_path)
    data = read_record(layout, INCIDENT)
    data["injured"] = 2
    write_record(tmp_path, data)
    assert (f"data/records/{INCIDENT}.yaml", INCIDENT, "revisions", "continuity-unrevised") in found(tmp_path)


def test_a_withdrawn_id_back_as_active_without_a_revision_is_caught(tmp_path):
    gone = second(status="withdrawn", status_reason="Not an incident.")
    layout = released(tmp_path, gone)
    data = read_record(layout, gone["incident_id"])
    data.update(status="active", status_reason=None, summary="A different incident altogether.")
    write_record(tmp_path, data)
    where = (f"data/records/{gone['incident_id']}.yaml", gone["incident_id"], "status")
    assert (*where, "continuity-reinstated") in found(tmp_path)


def test_a_withdrawn_id_made_active_is_caught_even_with_a_revision_saying_so(tmp_path):
    gone = second(status="withdrawn", status_reason="Thought to be a duplicate.")
    layout = released(tmp_path, gone)
    revise(layout, gone["incident_id"], reason="Not a duplicate after all.", status="active", status_reason=None)
    where = (f"data/records/{gone['incident_id']}.yaml", gone["incident_id"], "status")
    assert (*where, "continuity-reinstated") in found(tmp_path)
