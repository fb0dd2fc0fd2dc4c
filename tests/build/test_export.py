"""Exporting to ACLED's layout: an imported export comes back byte for byte, cell for cell."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factories import ACTOR_B, INCIDENT, make_dataset, record
from import_factories import (
    acled_2019_file,
    acled_2019_row,
    acled_file,
    acled_row,
    import_acled,
    kosovo,
    record_of,
)
from incidents import records
from incidents.build import export
from incidents.cli import cli
from incidents.core.layout import Layout
from incidents.importers import acled


def _rows(content: bytes) -> dict[str, dict[str, str]]:
    return {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(content.decode("utf-8")))}


def _differing(rows: list[dict[str, str]], exported: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """By event id, the cells of ACLED's layout that the export does not give back byte for byte; timestamp
    is the record's own, and columns of older layouts that ACLED's current one lacks are not exported."""
    differ = {}
    for original in rows:
        back = exported[original["event_id_cnty"]]
        cells = {
            c: (original[c], back[c])
            for c in acled.COLUMNS
            if c in original and c != "timestamp" and original[c] != back[c]
        }
        if cells:
            differ[original["event_id_cnty"]] = cells
    return differ


BRAZIL = "Military Forces of Brazil (2019-)"


def every_case() -> list[dict[str, str]]:
    """ACLED rows (invented) holding each value that an export from the records' values alone would change."""
    clash = dict(disorder_type="Political violence", event_type="Battles", sub_event_type="Armed clash", tags="")
    return [
        acled_row("TST1"),  # floats for integers ('2022.0', '6.0'), a misspelt disorder type
        # One actor coded 8 (external forces) in an event abroad and 1 (state forces) in one at home.
        acled_row(
            "TST2",
            **clash,
            actor1=BRAZIL,
            assoc_actor_1="",
            inter1="8.0",
            actor2="Unidentified Armed Group (Argentina)",
            inter2="3.0",
            interaction="38.0",
            fatalities="3.0",
        ),
        acled_row(
            "TST3",
            **clash,
            actor1=BRAZIL,
            assoc_actor_1="",
            inter1="1.0",
            actor2="Unidentified Armed Group (Brazil)",
            inter2="3.0",
            interaction="13.0",
            iso="76.0",
            country="Brazil",
            admin1="Parana",
            admin2="Foz do Iguacu",
            location="Foz do Iguacu",
            latitude="-25.5478",
            longitude="-54.5882",
        ),
        # Country names that are not our codelist's labels, and Kosovo (iso 0).
        *(
            acled_row(f"TST{4 + n}", iso=iso, country=name, location=town, latitude=lat, longitude=lon)
            for n, (iso, name, town, lat, lon) in enumerate(
                [
                    ("275.0", "Palestine", "Ramallah", "31.9038", "35.2034"),
                    ("180.0", "Democratic Republic of Congo", "Goma", "-1.6792", "29.2228"),
                    ("203.0", "Czech Republic", "Prague", "50.0880", "14.4208"),
                ]
            )
        ),
        acled_row("TST7", **kosovo()),
        # Week and month precision on days that are not the middle of the month.
        acled_row("TST8", time_precision="2.0", event_date="2022-06-27"),
        acled_row("TST9", time_precision="3.0", event_date="2022-06-03"),
        # Coordinates with trailing zeros, as whole numbers, with more digits than a float keeps.
        acled_row("TST10", latitude="-31.4000", longitude="-64.18110000000000000001"),
        acled_row("TST11", latitude="-31.0", longitude="-64"),
        # Tags in capitals (kept in lower case), notes on two lines with quotes, a cell with spaces around.
        acled_row(
            "TST12",
            tags="Crowd size=around 50; Women targeted: Girls",
            notes='On 2 June 2022, teachers said "enough" in Cordoba.\nA second line, with a comma.',
            admin2=" Capital ",
            civilian_targeting="",
            fatalities="",
        ),
    ]


def every_case_before_2023() -> list[dict[str, str]]:
    """The same kinds of rows in ACLED's pre-2023 layout: dates written out, plain integers."""
    return [
        acled_2019_row("OLD1"),
        acled_2019_row("OLD2", time_precision="3", event_date="03 June 2022", year="2022", inter1="6", iso="32"),
        acled_2019_row("OLD3", **kosovo(iso="0"), iso3="XKX"),
    ]


def imported(tmp_path: Path) -> Layout:
    """A dataset holding both files of every case, imported without a problem."""
    layout = make_dataset(tmp_path / "repo")
    for path in (acled_file(tmp_path, *every_case()), acled_2019_file(tmp_path, *every_case_before_2023())):
        report = import_acled(layout, path)
        assert not report.problems and report.not_imported == 0, report.problems
    return layout


def test_an_imported_export_comes_back_byte_for_byte_in_every_column_but_timestamp(tmp_path):
    layout = imported(tmp_path)
    content, problems = export.export(layout, "acled")
    assert not problems
    exported = _rows(content)
    assert _differing(every_case() + every_case_before_2023(), exported) == {}
    assert exported["OLD1"]["disorder_type"] == "Demonstrations"  # not in the pre-2023 layout: derived


def test_without_its_archived_row_each_case_would_come_back_changed(tmp_path, monkeypatch):
    """The fixture holds each case: written from the records' values alone, as for a hand-coded record,
    these cells would not be what the export wrote."""
    layout = imported(tmp_path)
    monkeypatch.setattr(export, "archived_acled_rows", lambda *args: {})
    naive = _differing(every_case() + every_case_before_2023(), _rows(export.export(layout, "acled")[0]))
    assert float(naive["TST2"]["inter1"][1]) != 8  # the actor's one type, not this event's code
    assert naive["TST9"]["event_date"][1] == "2022-06-15"
    cases = [("TST6", "latitude"), ("TST10", "longitude"), ("TST11", "latitude"), ("TST12", "tags")]
    for event_id, column in [*cases, ("TST12", "admin2"), ("TST1", "year"), ("OLD2", "event_date")]:
        assert column in naive[event_id], (event_id, column)


def correct(layout: Layout, external_id: str, **values: Any) -> dict[str, Any]:
    record = record_of(layout, external_id)
    record.update(values)
    (layout.records / f"{record['incident_id']}.yaml").write_text(records.dump(record))
    return record


def test_a_value_corrected_after_import_exports_as_corrected_and_the_rest_as_written(tmp_path):
    layout = make_dataset(tmp_path / "repo")  # holds ACTOR_B, 'Police', state forces
    row = acled_row(time_precision="3.0", event_date="2022-06-03", latitude="-31.4000")
    import_acled(layout, acled_file(tmp_path, row))
    day = {"date_start": "2022-06-04", "date_end": "2022-06-04", "date_precision": "day"}
    correct(layout, "acled:TST1", fatalities_best=2, **day, actors=[{"actor_id": ACTOR_B, "role": "side_a"}])
    back = _rows(export.export(layout, "acled")[0])["TST1"]
    assert [back[c] for c in ("fatalities", "event_date", "year", "time_precision")] == ["2", "2022-06-04", "2022", "1"]
    assert [back[c] for c in ("actor1", "assoc_actor_1", "inter1", "interaction")] == ["Police", "", "1", "10"]
    unchanged = ("latitude", "longitude", "iso", "country", "notes", "source", "disorder_type", "tags")
    assert [back[c] for c in unchanged] == [row[c] for c in unchanged]


def test_an_imported_record_whose_archived_export_is_gone_exports_its_values(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    report = import_acled(layout, acled_file(tmp_path, acled_row(latitude="-31.4000", inter1="6.0")))
    layout.source_text(report.source_id).unlink()
    back = _rows(export.export(layout, "acled")[0])["TST1"]
    assert (back["latitude"], back["inter1"], back["year"], back["region"]) == ("-31.4", "6", "2022", "")


@pytest.mark.parametrize(("code", "iso", "name"), [("XKX", "0", "Kosovo"), ("PSE", "275", "Palestine")])
def test_a_hand_coded_record_gets_acleds_country_name_and_code(tmp_path, code, iso, name):
    layout = make_dataset(tmp_path, record(country=code))
    row = _rows(export.export(layout, "acled")[0])[INCIDENT]
    assert (row["iso"], row["country"]) == (iso, name)


def test_a_hand_coded_record_exports_with_its_incident_id_and_sources(dataset):
    content, _ = export.export(dataset, "acled")
    row = _rows(content)[INCIDENT]
    assert (row["event_type"], row["sub_event_type"], row["country"], row["iso"]) == (
        "Battles",
        "Armed clash",
        "Syria",
        "760",
    )
    assert (row["actor1"], row["inter1"], row["actor2"], row["inter2"], row["interaction"]) == (
        "Militia",
        "3",
        "Police",
        "1",
        "13",
    )
    assert row["source"] == "Example News" and row["source_scale"] == "Local" and row["fatalities"] == "2"


def test_a_record_that_cites_reports_names_their_publishers_as_acleds_source(tmp_path):
    cited = [
        {"publisher": "SOHR", "published_at": "2024-03-07", "title": "Clashes in Qamishli"},
        {"publisher": "Reuters", "published_at": None, "title": "Fighting in north-east Syria"},
        {"publisher": "SOHR", "published_at": "2024-03-08", "title": "Two killed in Qamishli"},
    ]
    layout = make_dataset(tmp_path, record(citations=cited))
    content, _ = export.export(layout, "acled")
    assert _rows(content)[INCIDENT]["source"] == "SOHR; Reuters"


def test_tombstones_are_not_exported(tmp_path):
    layout = make_dataset(tmp_path, record(status="withdrawn", status_reason="Out of scope."))
    content, _ = export.export(layout, "acled")
    assert _rows(content) == {}


def test_the_cli_writes_the_export_to_a_file(dataset, tmp_path):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["--root", str(dataset.root), "export", "--format", "acled", "--output", str(out)])
    assert result.exit_code == 0 and list(_rows(out.read_bytes())) == [INCIDENT]
