"""Importing an ACLED export: every row imported or reported, evidence that checks, idempotent re-imports."""

from __future__ import annotations

import csv
import datetime as dt

from click.testing import CliRunner

from factories import ACTOR_B, TODAY, make_dataset, quote, record
from import_factories import (
    acled_2019_file,
    acled_2019_row,
    acled_file,
    acled_row,
    csv_bytes,
    import_acled,
    kosovo,
    record_of,
)
from incidents import records, validate
from incidents.cli import cli
from incidents.importers import acled


def snapshot(root):
    return {p.relative_to(root): p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}


def test_a_messy_export_imports_as_records_that_validate(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    path = acled_file(tmp_path, acled_row("TST1"), acled_row("TST2", location="Rio Cuarto", fatalities=""))
    report = import_acled(layout, path)
    assert report.created == ["acled:TST1", "acled:TST2"] and not report.problems
    assert validate.validate(layout.root, today=TODAY) == []
    record = record_of(layout, "acled:TST1")
    assert record["event_type"] == "protests" and record["sub_event_type"] == "peaceful_protest"
    assert record["country"] == "ARG" and record["fatalities_best"] == 0 and record["date_precision"] == "day"
    assert record["revisions"][0]["method"] == "imported"
    assert record_of(layout, "acled:TST2")["fatalities_best"] is None  # an empty cell is unknown, not 0


def test_a_misspelt_disorder_type_is_read_and_reported_as_a_repair(tmp_path):
    report = import_acled(make_dataset(tmp_path / "repo"), acled_file(tmp_path))
    assert report.created == ["acled:TST1"]
    (notice,) = report.notices
    assert (notice.line, notice.field) == (
        2,
        "disorder_type",
    ) and "'Demonstartions' read as 'Demonstrations'" in notice.message


def test_every_bad_row_is_reported_with_line_column_value_and_expected(tmp_path):
    rows = [
        acled_row("TST1"),
        acled_row("TST2", event_type="Skirmish"),
        acled_row("TST3", latitude="south", location=""),
        acled_row("TST4", year="2021.0"),
        acled_row("TST5", inter1="9.0"),
    ]
    report = import_acled(make_dataset(tmp_path / "repo"), acled_file(tmp_path, *rows))
    assert report.created == ["acled:TST1"]
    found = {(p.line, p.record, p.field, p.message) for p in report.problems}
    assert (3, "acled:TST2", "event_type", "found 'Skirmish'") in found
    assert (4, "acled:TST3", "latitude", "found 'south'") in found and (
        4,
        "acled:TST3",
        "location",
        "found ''",
    ) in found
    assert (5, "acled:TST4", "year", "found '2021.0'") in found
    assert (6, "acled:TST5", "inter1", "found '9.0'") in found
    assert all(p.expected for p in report.problems)
    assert report.rows == 5 and report.not_imported == 4 == len({p.line for p in report.problems})


def test_a_row_of_the_wrong_width_is_reported_and_the_rest_imported(tmp_path):
    path = acled_file(tmp_path, acled_row("TST1"), acled_row("TST2"))
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] + "TST9,2022-06-15,2022.0\n" + "".join(lines[1:]))
    report = import_acled(make_dataset(tmp_path / "repo"), path)
    assert report.created == ["acled:TST1", "acled:TST2"] and report.not_imported == 1
    (problem,) = report.problems
    assert (problem.line, problem.message, problem.code) == (2, "the row has 3 cells", "import-csv")


def test_a_quote_left_open_is_reported_with_the_lines_it_joins(tmp_path):
    rows = [acled_row("TST1", notes="NOTES"), acled_row("TST2"), acled_row("TST3")]
    path = acled_file(tmp_path, *rows)
    path.write_text(path.read_text().replace("NOTES", '"Teachers marched, a quote left open'))
    report = import_acled(make_dataset(tmp_path / "repo"), path)
    assert report.created == ["acled:TST3"]
    (problem,) = report.problems
    assert problem.line == 2 and "spans lines 2-3: is a quote left open?" in problem.message


def test_a_value_too_long_for_a_record_is_reported_and_the_rows_after_it_import(tmp_path):
    path = acled_file(tmp_path, acled_row("TST1"), acled_row("TST2", notes="x" * 200_000), acled_row("TST3"))
    csv.field_size_limit(2**31 - 1)  # as another library may have left it: the import sets its own
    report = import_acled(make_dataset(tmp_path / "repo"), path)
    assert report.created == ["acled:TST1", "acled:TST3"]
    assert {(p.line, p.record, p.field) for p in report.problems} == {
        (3, "acled:TST2", "summary"),
        (3, "acled:TST2", "evidence"),
    }


def test_a_row_over_the_row_limit_is_reported_and_reading_resumes_after_it(tmp_path):
    path = acled_file(tmp_path, acled_row("TST1"), acled_row("TST2", notes="x" * 1_100_000), acled_row("TST3"))
    report = import_acled(make_dataset(tmp_path / "repo"), path)
    assert report.created == ["acled:TST1", "acled:TST3"] and report.rows == 3
    (problem,) = report.problems
    assert problem.line == 3 and "reading resumes after it" in problem.message


def test_coordinates_the_export_places_outside_the_country_import_flagged_with_a_warning(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    report = import_acled(layout, acled_file(tmp_path, acled_row(latitude="48.85", longitude="2.35")))
    assert report.created == ["acled:TST1"] and not report.problems
    (notice,) = [n for n in report.notices if n.code == "outside-country"]
    assert (notice.line, notice.record, notice.field) == (2, "acled:TST1", "latitude")
    record = record_of(layout, "acled:TST1")
    assert "outside_country" in record["flags"] and (record["latitude"], record["longitude"]) == (48.85, 2.35)
    assert validate.validate(layout.root, today=TODAY) == []


def test_problems_are_reported_in_the_order_of_the_files_lines(tmp_path):
    rows = [acled_row("TST1", event_type="Skirmish"), acled_row("TST2", fatalities="many")]
    report = import_acled(make_dataset(tmp_path / "repo"), acled_file(tmp_path, *rows))
    assert [(p.line, p.code) for p in report.problems] == [(2, "import-code"), (3, "import-value")]


def test_a_repeated_event_id_is_reported(tmp_path):
    report = import_acled(make_dataset(tmp_path / "repo"), acled_file(tmp_path, acled_row("TST1"), acled_row("TST1")))
    assert report.created == ["acled:TST1"] and [(p.line, p.code) for p in report.problems] == [(3, "import-duplicate")]


def test_a_missing_column_stops_the_file_and_names_it(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text("event_id_cnty,event_date\nTST1,2022-06-15\n")
    report = import_acled(make_dataset(tmp_path / "repo"), path)
    (problem,) = report.problems
    assert problem.line == 1 and "fatalities" in problem.message and not report.created


def test_a_file_that_cannot_be_archived_is_reported_with_what_to_do(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        acled_file(tmp_path).read_bytes().replace(b"Cordoba,Capital", "Córdoba,Capital".encode("latin-1"))
    )
    (problem,) = import_acled(layout, latin1).problems
    assert "not UTF-8" in problem.message and problem.code == "import-file"
    assert len(list(layout.records.glob("*.yaml"))) == 1  # only the dataset's own record: nothing imported


def test_evidence_is_the_rows_text_at_its_offsets_even_across_lines_and_crlf(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    rows = [acled_row("TST1"), acled_row("TST2", notes="Teachers marched.\nA second line, with a comma.")]
    path = acled_file(tmp_path, *rows, newline="\r\n")
    report = import_acled(layout, path)
    text = layout.source_text(report.source_id).read_bytes().decode("utf-8")
    assert text == path.read_bytes().decode("utf-8")  # the export is archived unchanged
    for external_id in ("acled:TST1", "acled:TST2"):
        (evidence,) = record_of(layout, external_id)["evidence"]
        assert text[evidence["char_start"] : evidence["char_end"]] == evidence["quote"]
        assert evidence["quote"].startswith(external_id.split(":")[1] + ",") and not evidence["quote"].endswith("\r")
    assert validate.validate(layout.root, today=TODAY) == []


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    path = acled_file(tmp_path, acled_row("TST1"), acled_row("TST2"))
    import_acled(layout, path)
    before = snapshot(layout.root)
    report = import_acled(layout, path)
    assert report.unchanged == ["acled:TST1", "acled:TST2"] and not report.created and not report.revised
    assert snapshot(layout.root) == before


def test_a_corrected_file_adds_a_revision_and_keeps_the_incident_id(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_acled(layout, acled_file(tmp_path, acled_row("TST1"), acled_row("TST2")))
    first = record_of(layout, "acled:TST1")
    corrected = acled_file(tmp_path, acled_row("TST1", fatalities="2.0"), acled_row("TST2"), name="fixed.csv")
    report = import_acled(layout, corrected)
    assert report.revised == ["acled:TST1"] and report.unchanged == ["acled:TST2"]
    again = record_of(layout, "acled:TST1")
    assert again["incident_id"] == first["incident_id"] and again["fatalities_best"] == 2
    assert [r["revision"] for r in again["revisions"]] == [1, 2]
    assert again["revisions"][1]["fields_changed"] == ["fatalities_best", "evidence"]
    assert again["evidence"][0]["source_id"] == report.source_id != first["evidence"][0]["source_id"]
    assert validate.validate(layout.root, today=TODAY) == []


def test_a_withdrawn_record_is_not_brought_back_by_a_reimport(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_acled(layout, acled_file(tmp_path))
    record = record_of(layout, "acled:TST1")
    record.update(status="withdrawn", status_reason="Duplicate of a hand-coded record.")
    path = layout.records / f"{record['incident_id']}.yaml"
    path.write_text(records.dump(record))
    report = import_acled(layout, acled_file(tmp_path, acled_row(fatalities="3.0"), name="fixed.csv"))
    assert report.unchanged == ["acled:TST1"] and [n.code for n in report.notices if n.field == "status"] == [
        "tombstone"
    ]
    assert record_of(layout, "acled:TST1")["status"] == "withdrawn"


def test_ids_from_other_datasets_are_kept_on_reimport(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_acled(layout, acled_file(tmp_path))
    record = record_of(layout, "acled:TST1")
    record["external_ids"].append("ucdp-ged:900001")
    (layout.records / f"{record['incident_id']}.yaml").write_text(records.dump(record))
    report = import_acled(layout, acled_file(tmp_path))
    assert report.unchanged == ["acled:TST1"]


def test_actors_are_matched_by_name_or_created_once_with_the_inter_codes_type(tmp_path):
    layout = make_dataset(tmp_path / "repo")  # holds ACTOR_B, named 'Police'
    rows = [
        acled_row("TST1", actor2="Police", inter2="1.0", sub_event_type="Protest with intervention"),
        acled_row("TST2", assoc_actor_1="Teachers (Argentina); Civilians (Argentina)"),
    ]
    report = import_acled(layout, acled_file(tmp_path, *rows))
    assert sorted(report.actors_created) == sorted(
        ["Protesters (Argentina)", "Teachers (Argentina)", "Labour Group (Argentina)", "Civilians (Argentina)"]
    )
    links = record_of(layout, "acled:TST1")["actors"]
    assert (
        links[-1] == {"actor_id": ACTOR_B, "role": "side_b"} and [link["role"] for link in links[:3]] == ["side_a"] * 3
    )
    created = {a.data["name"]: a.data for a in (records.read(p, p.name) for p in layout.actors.glob("*.yaml"))}
    assert created["Protesters (Argentina)"]["actor_type"] == "protesters"
    assert created["Protesters (Argentina)"]["country"] == "ARG"
    assert created["Civilians (Argentina)"]["actor_type"] == "civilians"  # named by ACLED's generic name


def test_one_sided_events_give_perpetrator_and_target(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    row = acled_row(
        disorder_type="Political violence",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="Unidentified Armed Group (Argentina)",
        assoc_actor_1="",
        inter1="3.0",
        actor2="Civilians (Argentina)",
        inter2="7.0",
        fatalities="1.0",
    )
    import_acled(layout, acled_file(tmp_path, row))
    assert [link["role"] for link in record_of(layout, "acled:TST1")["actors"]] == ["perpetrator", "target"]


def test_week_and_month_precision_become_spans(tmp_path):
    assert acled.dates(dt.date(2022, 6, 15), "week") == (dt.date(2022, 6, 12), dt.date(2022, 6, 18))
    layout = make_dataset(tmp_path / "repo")
    import_acled(layout, acled_file(tmp_path, acled_row(time_precision="3.0")))
    record = record_of(layout, "acled:TST1")
    assert (record["date_start"], record["date_end"], record["date_precision"]) == ("2022-06-01", "2022-06-30", "month")


def test_the_cli_reports_rows_not_imported_and_exits_1(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    path = acled_file(tmp_path, acled_row("TST1"), acled_row("TST2", event_type="Skirmish"))
    result = CliRunner().invoke(cli, ["--root", str(layout.root), "import", "acled", str(path), "--by", "Tester"])
    assert result.exit_code == 1
    assert "acled.csv:3: acled:TST2: event_type: found 'Skirmish'" in result.output
    assert "1 created" in result.output and "1 not imported" in result.output


def correct_by_hand(layout, external_id: str, **values) -> dict:
    """A person corrects an imported record, citing a quote of the dataset's own report for the new values."""
    record = record_of(layout, external_id)
    record.update(values)
    record["evidence"].append(quote("Police shot back and killed two fighters.", sorted(values)))
    fix = {"revision": 2, "method": "manual", "reason": "Fixed by hand.", "fields_changed": sorted(values)}
    record["revisions"].append({**record["revisions"][0], **fix})
    (layout.records / f"{record['incident_id']}.yaml").write_text(records.dump(record))
    return record


def test_a_hand_correction_survives_reimporting_the_same_file(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    path = acled_file(tmp_path)
    import_acled(layout, path)
    correct_by_hand(layout, "acled:TST1", fatalities_best=2)
    assert validate.validate(layout.root, today=TODAY) == []
    before = snapshot(layout.root)
    report = import_acled(layout, path)
    assert report.unchanged == ["acled:TST1"] and not report.problems
    assert snapshot(layout.root) == before


def test_a_corrected_export_changes_what_it_changed_and_keeps_hand_corrections(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_acled(layout, acled_file(tmp_path))
    hand = correct_by_hand(layout, "acled:TST1", fatalities_best=2)
    report = import_acled(layout, acled_file(tmp_path, acled_row(admin2="Capital Department"), name="fixed.csv"))
    assert report.revised == ["acled:TST1"]
    record = record_of(layout, "acled:TST1")
    assert record["admin2"] == "Capital Department" and record["fatalities_best"] == 2
    assert record["revisions"][-1]["fields_changed"] == ["admin2", "evidence"]
    new, *kept = record["evidence"]
    assert new["source_id"] == report.source_id and "fatalities_best" not in new["supports"]
    assert kept == hand["evidence"][1:]  # the earlier import's row is replaced, the person's quote kept
    assert validate.validate(layout.root, today=TODAY) == []


def test_a_corrected_export_wins_over_a_hand_correction_of_the_same_value(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_acled(layout, acled_file(tmp_path))
    correct_by_hand(layout, "acled:TST1", fatalities_best=2)
    report = import_acled(layout, acled_file(tmp_path, acled_row(fatalities="5.0"), name="fixed.csv"))
    assert report.revised == ["acled:TST1"]
    record = record_of(layout, "acled:TST1")
    assert record["fatalities_best"] == 5 and "fatalities_best" in record["evidence"][0]["supports"]


def test_a_record_linked_to_a_row_by_hand_keeps_its_values_and_gains_the_rows_evidence(tmp_path):
    hand = record(external_ids=["acled:TST1"])
    layout = make_dataset(tmp_path / "repo", hand)
    path = acled_file(tmp_path)
    report = import_acled(layout, path)
    assert report.revised == ["acled:TST1"] and not report.created
    linked = record_of(layout, "acled:TST1")
    assert linked["incident_id"] == hand["incident_id"] and linked["country"] == "SYR"  # the person's values stay
    assert linked["admin2"] == "Capital"  # an empty value is filled from the row
    assert linked["revisions"][-1]["fields_changed"] == ["admin2", "notes", "evidence"]
    new, *kept = linked["evidence"]
    assert kept == hand["evidence"]
    assert {"admin2", "date_precision", "external_ids"} <= set(new["supports"]) and "country" not in new["supports"]
    assert validate.validate(layout.root, today=TODAY) == []
    before = snapshot(layout.root)
    assert import_acled(layout, path).unchanged == ["acled:TST1"] and snapshot(layout.root) == before


def test_a_pre_2023_export_imports_and_its_missing_columns_read_as_empty(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    rows = [acled_2019_row("OLD1"), acled_2019_row("OLD2", time_precision="3", event_date="03 June 2022")]
    report = import_acled(layout, acled_2019_file(tmp_path, *rows))
    assert report.created == ["acled:OLD1", "acled:OLD2"] and not report.problems
    old = record_of(layout, "acled:OLD1")
    assert (old["date_start"], old["tags"], old["fatalities_best"]) == ("2022-06-15", [], 0)
    assert "civilian_targeting" not in old["notes"] and "ACLED source: Test Daily" in old["notes"]
    assert record_of(layout, "acled:OLD2")["date_end"] == "2022-06-30"
    assert validate.validate(layout.root, today=TODAY) == []


def test_only_the_columns_acled_added_or_the_importer_does_not_read_may_be_missing(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    path = tmp_path / "required.csv"
    path.write_bytes(csv_bytes([{c: acled_row()[c] for c in acled.REQUIRED}]))
    assert import_acled(layout, path).created == ["acled:TST1"]
    without = tuple(c for c in acled.REQUIRED if c != "fatalities")
    path.write_bytes(csv_bytes([{c: acled_row()[c] for c in without}]))
    (problem,) = import_acled(layout, path).problems
    assert (problem.line, problem.code, problem.message) == (1, "import-header", "the header lacks fatalities")


def test_kosovo_is_iso_0_and_xkx(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    rows = [acled_row("TST1", **kosovo()), acled_row("TST2", **kosovo(country="Serbia"))]
    report = import_acled(layout, acled_file(tmp_path, *rows))
    assert report.created == ["acled:TST1"]
    assert [(p.record, p.field) for p in report.problems] == [("acled:TST2", "country")]  # iso 0 is Kosovo only
    assert record_of(layout, "acled:TST1")["country"] == "XKX"
    created = {a.data["name"]: a.data for a in (records.read(p, p.name) for p in layout.actors.glob("*.yaml"))}
    assert created["Protesters (Kosovo)"]["country"] == "XKX"
    assert validate.validate(layout.root, today=TODAY) == []


def test_acleds_country_names_are_read_without_iso(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    palestine = dict(iso="", country="Palestine", location="Ramallah", latitude="31.9038", longitude="35.2034")
    assert import_acled(layout, acled_file(tmp_path, acled_row(**palestine))).created == ["acled:TST1"]
    assert record_of(layout, "acled:TST1")["country"] == "PSE"
