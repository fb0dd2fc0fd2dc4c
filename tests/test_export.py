"""Exporting to ACLED's layout: an imported export comes back column for column."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from factories import INCIDENT, make_dataset, record
from import_factories import acled_file, acled_row, import_acled
from incidents import export
from incidents.cli import cli
from incidents.importers import acled

# Columns the standard does not keep: region, and timestamp (ours is the record's own last change).
NOT_KEPT = {"region", "timestamp"}
REPAIRED = {"Demonstartions": "Demonstrations"}  # disorder_type is derived on export, so it comes back spelt right


def _rows(content: bytes) -> dict[str, dict[str, str]]:
    return {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(content.decode("utf-8")))}


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a.strip() == b.strip()


def test_an_imported_export_round_trips_column_for_column(tmp_path):
    rows = [
        acled_row("TST1"),
        acled_row(
            "TST2",
            disorder_type="Political violence",
            event_type="Violence against civilians",
            sub_event_type="Attack",
            actor1="Unidentified Armed Group (Argentina)",
            assoc_actor_1="",
            inter1="3.0",
            actor2="Civilians (Argentina)",
            assoc_actor_2="Journalists (Argentina)",
            inter2="7.0",
            interaction="37.0",
            civilian_targeting="Civilian targeting",
            admin3="Centro",
            geo_precision="2.0",
            time_precision="2.0",
            fatalities="1.0",
            tags="",
        ),
        acled_row(
            "TST3",
            disorder_type="Political violence",
            event_type="Riots",
            sub_event_type="Mob violence",
            actor1="Rioters (Argentina)",
            inter1="5.0",
            interaction="50.0",
        ),
    ]
    path = acled_file(tmp_path, *rows)
    layout = make_dataset(tmp_path / "repo")
    assert not import_acled(layout, path).problems
    content, problems = export.export(layout, "acled")
    assert not problems
    exported = _rows(content)
    for original in rows:
        back = exported[original["event_id_cnty"]]
        differ = {
            c for c in acled.COLUMNS if c not in NOT_KEPT and not _same(REPAIRED.get(original[c], original[c]), back[c])
        }
        assert not differ, {c: (original[c], back[c]) for c in differ}


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


def test_tombstones_are_not_exported(tmp_path):
    layout = make_dataset(tmp_path, record(status="withdrawn", status_reason="Out of scope."))
    content, _ = export.export(layout, "acled")
    assert _rows(content) == {}


def test_the_cli_writes_the_export_to_a_file(dataset, tmp_path):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["--root", str(dataset.root), "export", "--format", "acled", "--output", str(out)])
    assert result.exit_code == 0 and list(_rows(out.read_bytes())) == [INCIDENT]
