"""One test per rule of the standard, each with the smallest input that breaks it."""

from __future__ import annotations

import contextlib
import json
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import INCIDENT, TODAY, make_dataset, quote, record, write_record
from incidents.core import problems
from incidents.validate import validate


def codes(root, **kwargs):
    return {(p.code, p.field) for p in validate(root, today=TODAY, **kwargs)}


def only(root, **kwargs):
    found = validate(root, today=TODAY, **kwargs)
    assert len(found) == 1, problems.human(found)
    return found[0]


def test_the_factory_dataset_is_valid(dataset):
    assert validate(dataset.root, today=TODAY) == []


def test_malformed_yaml_names_file_and_line(tmp_path):
    make_dataset(tmp_path)
    path = tmp_path / "data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T99.yaml"
    path.write_text("incident_id: inc_01KAXQ8N5D4C3R6E0J2VWZ7T99\nsummary: [unclosed\nstatus: active\n")
    problem = only(tmp_path)
    assert (problem.file, problem.code) == ("data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T99.yaml", "yaml-syntax")
    assert problem.line in (2, 3, 4)


def test_wrong_type_names_field_line_and_expectation(tmp_path):
    layout = make_dataset(tmp_path, record(fatalities_best="two"))
    problem = only(layout.root)
    assert (problem.field, problem.code, problem.record) == ("fatalities_best", "schema-type", INCIDENT)
    assert problem.line == 17 and "'two'" in problem.message and "integer" in problem.expected


def test_unknown_code_is_an_error(tmp_path):
    problem = only(make_dataset(tmp_path, record(event_type="skirmish")).root)
    assert (problem.field, problem.code) == ("event_type", "schema-enum")


def test_unknown_field_is_an_error(tmp_path):
    problem = only(make_dataset(tmp_path, record(killed=3)).root)
    assert problem.code == "schema-additionalProperties" and "'killed'" in problem.message


def test_missing_required_field_is_an_error(tmp_path):
    data = record()
    del data["summary"]
    problem = only(make_dataset(tmp_path, data).root)
    assert (problem.field, problem.code) == ("summary", "schema-required")


def test_duplicate_incident_id_in_two_files_is_an_error(tmp_path):
    layout = make_dataset(tmp_path)
    copy = tmp_path / "data/records/copy.yaml"
    copy.write_text((layout.records / f"{INCIDENT}.yaml").read_text())
    found = validate(layout.root, today=TODAY)
    assert {p.code for p in found} == {"file-name", "duplicate-id"}


def test_one_id_in_two_files_is_reported_on_the_id_alone(tmp_path):
    layout = make_dataset(tmp_path)
    (layout.records / "copy.yaml").write_text((layout.records / f"{INCIDENT}.yaml").read_text())
    duplicates = [p for p in validate(layout.root, today=TODAY) if p.code == "duplicate-id"]
    assert {(p.file.rsplit("/", 1)[1], p.field, p.line) for p in duplicates} == {
        (f"{INCIDENT}.yaml", "incident_id", 1),
        ("copy.yaml", "incident_id", 1),
    }


def test_an_actor_listed_twice_in_the_same_role_is_a_duplicate(tmp_path):
    data = record()
    data["actors"].append(dict(data["actors"][0]))
    found = validate(make_dataset(tmp_path, data).root, today=TODAY)
    assert {(p.code, p.field) for p in found} == {("duplicate-id", f"actors[{i}].role") for i in (0, 2)}


def test_dangling_actor_reference_is_an_error(tmp_path):
    data = record()
    data["actors"][0]["actor_id"] = "act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ"
    problem = only(make_dataset(tmp_path, data).root)
    assert (problem.field, problem.code, problem.line) == ("actors[0].actor_id", "dangling-reference", 28)


def test_dangling_source_reference_is_an_error(tmp_path):
    data = record()
    data["evidence"][2]["source_id"] = "f" * 64
    assert ("dangling-reference", "evidence[2].source_id") in codes(make_dataset(tmp_path, data).root)


def test_wrong_evidence_quote_is_an_error_with_a_hint(tmp_path):
    data = record()
    data["evidence"][1]["char_start"] += 1
    data["evidence"][1]["char_end"] += 1
    problem = only(make_dataset(tmp_path, data).root)
    assert (problem.field, problem.code) == ("evidence[1].quote", "evidence-quote")
    assert "it is found at" in problem.expected


def test_evidence_offsets_past_the_end_are_an_error(tmp_path):
    data = record()
    data["evidence"][2].update(char_start=5000, char_end=5024)
    assert ("evidence-offsets", "evidence[2].char_end") in codes(make_dataset(tmp_path, data).root)


def test_date_end_before_date_start_is_an_error(tmp_path):
    problem = only(make_dataset(tmp_path, record(date_start="2024-03-07", date_end="2024-03-06")).root)
    assert problem.code in ("date-order", "date-precision")


def test_thirty_first_of_february_is_not_a_date(tmp_path):
    found = validate(make_dataset(tmp_path, record(date_start="2024-02-31", date_end="2024-02-31")).root, today=TODAY)
    assert {p.code for p in found} == {"schema-format"} and {p.field for p in found} == {"date_start", "date_end"}


def test_future_date_is_an_error(tmp_path):
    found = codes(make_dataset(tmp_path, record(date_start="2027-01-01", date_end="2027-01-01")).root)
    assert ("future-date", "date_start") in found


def test_unknown_precision_requires_empty_dates(tmp_path):
    assert ("date-precision", "date_start") in codes(make_dataset(tmp_path, record(date_precision="unknown")).root)


def test_week_precision_spans_up_to_seven_days(tmp_path):
    ok = make_dataset(tmp_path / "a", record(date_precision="week", date_start="2024-03-04", date_end="2024-03-10"))
    assert validate(ok.root, today=TODAY) == []
    bad = make_dataset(tmp_path / "b", record(date_precision="week", date_start="2024-03-04", date_end="2024-03-20"))
    assert only(bad.root).code == "date-precision"


def test_fatalities_low_above_best_is_an_error(tmp_path):
    problem = only(make_dataset(tmp_path, record(fatalities_low=3)).root)
    assert (problem.field, problem.code) == ("fatalities_low", "fatality-range")


def test_fatalities_best_above_high_is_an_error(tmp_path):
    assert ("fatality-range", "fatalities_high") in codes(make_dataset(tmp_path, record(fatalities_high=1)).root)


def test_negative_count_is_an_error(tmp_path):
    assert ("injured", "schema-minimum") in {
        (p.field, p.code) for p in validate(make_dataset(tmp_path, record(injured=-1)).root, today=TODAY)
    }


def test_coordinates_outside_the_country_are_an_error(tmp_path):
    problem = only(make_dataset(tmp_path, record(latitude=48.85, longitude=2.35)).root)  # Paris
    assert (problem.field, problem.code) == ("latitude", "outside-country")


def test_sub_event_type_must_belong_to_event_type(tmp_path):
    problem = only(make_dataset(tmp_path, record(sub_event_type="peaceful_protest")).root)
    assert (problem.field, problem.code) == ("sub_event_type", "sub-event-type")


def test_withdrawn_record_needs_a_reason(tmp_path):
    problem = only(make_dataset(tmp_path, record(status="withdrawn")).root)
    assert (problem.field, problem.code) == ("status_reason", "tombstone")


def test_merged_record_must_name_an_existing_active_incident(tmp_path):
    other = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
    root = make_dataset(tmp_path, record(status="merged", status_reason="Duplicate.", merged_into=other)).root
    assert ("dangling-reference", "merged_into") in codes(root)
    write_record(root, record(other))
    assert validate(root, today=TODAY) == []


def test_a_value_without_evidence_is_an_error(tmp_path):
    data = record()
    data["evidence"] = data["evidence"][:2]
    problem = only(make_dataset(tmp_path, data).root)
    assert (problem.field, problem.code) == ("injured", "unsupported-value")


def test_revisions_must_be_numbered_without_gaps(tmp_path):
    data = record()
    data["revisions"][0]["revision"] = 2
    assert ("revision-sequence", "revisions") in codes(make_dataset(tmp_path, data).root)


def test_all_problems_are_reported_at_once(tmp_path):
    broken = record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T02", fatalities_low=9, latitude=0.0, longitude=0.0)
    root = make_dataset(tmp_path, record(event_type="skirmish"), broken).root
    (root / "data/records/bad.yaml").write_text("a: [\n")
    found = {p.code for p in validate(root, today=TODAY)}
    assert {"schema-enum", "fatality-range", "outside-country", "yaml-syntax"} <= found


def test_path_outside_data_is_refused_without_reading_it(tmp_path):
    layout = make_dataset(tmp_path)
    outside = tmp_path / "secret.yaml"
    outside.write_text("x: 1\n")
    problem = only(layout.root, paths=[outside])
    assert problem.code == "path-outside"


def test_paths_limit_the_report_to_those_files(tmp_path):
    other = record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T03", event_type="skirmish")
    layout = make_dataset(tmp_path, record(), other)
    assert validate(layout.root, paths=[layout.records / f"{INCIDENT}.yaml"], today=TODAY) == []
    assert only(layout.root, paths=[layout.records / f"{other['incident_id']}.yaml"]).code == "schema-enum"


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    layout = make_dataset(tmp_path)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    (layout.records / "bomb.yaml").write_text("\n".join(lines) + "\n")
    problem = only(layout.root)
    assert (problem.code, problem.file) == ("yaml-alias", "data/records/bomb.yaml")


def test_fifty_megabyte_file_is_refused_unread(tmp_path):
    layout = make_dataset(tmp_path)
    with (layout.records / "huge.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    problem = only(layout.root)
    assert problem.code == "too-large" and "52,428,800 bytes" in problem.message


def test_changed_archived_source_is_an_error(tmp_path):
    layout = make_dataset(tmp_path)
    path = next(layout.sources.glob("*.txt"))
    path.write_text(path.read_text() + "edited")
    assert {p.code for p in validate(layout.root, today=TODAY)} == {"source-hash"}


def test_stale_built_tables_are_an_error(dataset):
    from incidents.build import build

    assert build(dataset.root).problems == []
    assert validate(dataset.root, today=TODAY) == []
    write_record(dataset.root, record(summary="A corrected summary."))
    found = validate(dataset.root, today=TODAY)
    assert {p.code for p in found} == {"stale-build"}
    assert {p.file for p in found} >= {"data/tables/incidents.csv", "datapackage.json"}


@pytest.mark.parametrize("fmt", ["human", "json", "github"])
def test_every_format_names_file_line_and_field(tmp_path, fmt):
    found = validate(make_dataset(tmp_path, record(fatalities_low=3)).root, today=TODAY)
    text = problems.FORMATS[fmt](found)
    assert f"data/records/{INCIDENT}.yaml" in text and "fatalities_low" in text
    if fmt == "json":
        assert json.loads(text)["problems"][0]["line"] == 18
    if fmt == "github":
        assert text.startswith(f"::error file=data/records/{INCIDENT}.yaml,line=18,")
    if fmt == "human":
        assert text.startswith(f"data/records/{INCIDENT}.yaml:18: {INCIDENT}: fatalities_low:")


def test_quote_factory_matches_text():
    assert quote("Police shot back and killed two fighters.", [])["char_start"] > 0


def test_an_empty_required_field_is_one_problem_not_two(tmp_path):
    problem = only(make_dataset(tmp_path, record(event_type=None)).root)
    assert (problem.field, problem.code, problem.message) == ("event_type", "required", "the value is empty")


def test_a_long_codelist_is_named_not_listed(tmp_path):
    problem = only(make_dataset(tmp_path, record(country="XYZ")).root)
    assert problem.expected == "a code from schemas/codelists/country.csv"


@given(st.sampled_from(["fatalities_low", "fatalities_high", "date_end", "summary"]), st.integers(-5, 50))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_pausing_the_cycle_collector_changes_no_problem(tmp_path_factory, field, value):
    """`check_dataset` pauses the collector for speed (engines.collector_paused): the plain way, with the
    collector running, finds the same problems in the same order and builds the same bytes."""
    from incidents import validate as validate_
    from incidents.validate import engines

    layout = make_dataset(tmp_path_factory.mktemp("gc"), record(**{field: value}))
    paused = validate_.check_dataset(layout, TODAY, use_cache=False)
    with patch.object(engines, "collector_paused", contextlib.nullcontext):
        running = validate_.check_dataset(layout, TODAY, use_cache=False)
    assert running.problems == paused.problems
    assert running.outputs == paused.outputs


def test_validating_a_record_before_the_build_checks_the_record_not_the_built_tables(dataset):
    """The README's order: validate the new record, then build. Named files are checked, not the outputs."""
    from incidents.build import build

    assert build(dataset.root).problems == []
    other = write_record(dataset.root, record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T02"))
    assert validate(dataset.root, paths=[other], today=TODAY) == []
    assert {p.code for p in validate(dataset.root, today=TODAY)} == {"stale-build"}


def test_a_stale_build_says_exactly_what_to_run(dataset):
    from incidents.build import build

    assert build(dataset.root).problems == []
    write_record(dataset.root, record(summary="A corrected summary."))
    (dataset.root / "data/tables/actors.csv").unlink()
    for problem in validate(dataset.root, today=TODAY):
        assert "run `incidents build`" in problem.expected, problem
