"""`incidents export --format hxl`: read back with libhxl, the hashtags HDX uses and every value as coded."""

from __future__ import annotations

import hxl
from click.testing import CliRunner

from factories import ACTOR_A, ACTOR_B, make_dataset, record
from incidents.build import csv_cell, export
from incidents.cli import cli

# Of the hashtags HDX gives conflict events (UCDP GED and ACLED on HDX, HDX HAPI), those a reader looks up.
HDX_CONFLICT_TAGS = {
    "incident_id": "#event+code",
    "date_start": "#date+start",
    "date_end": "#date+end",
    "event_type": "#event+type",
    "country": "#country+code",
    "admin1": "#adm1+name",
    "admin2": "#adm2+name",
    "location": "#loc+name",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "fatalities_best": "#affected+killed",
    "actors_side_a": "#group+name+first",
    "actors_side_b": "#group+name+second",
    "source": "#meta+source",
}


def _records():
    placed = record(
        "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01",
        date_end="2024-03-09",
        date_precision="week",
        admin2="Qamishli",
        latitude=-12.5,
        longitude=-0.25,
        fatalities_low=1,
        fatalities_high=3,
    )
    unplaced = record(
        "inc_01KAXQ8N5D4C3R6E0J2VWZ7T02",
        latitude=None,
        longitude=None,
        injured=None,
        summary='=HYPERLINK("https://example.org")',  # a hostile formula comes back as text
        actors=[{"actor_id": ACTOR_B, "role": "perpetrator"}, {"actor_id": ACTOR_A, "role": "target"}],
    )
    gone = record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T03", status="withdrawn", status_reason="Out of scope.")
    return [placed, unplaced, gone]


def test_hxl_export_reads_back_in_libhxl_with_hdx_hashtags_and_the_records_values(tmp_path):
    records = _records()
    layout = make_dataset(tmp_path / "data", *records)
    out = tmp_path / "incidents_hxl.csv"
    result = CliRunner().invoke(cli, ["--root", str(layout.root), "export", "--format", "hxl", "--output", str(out)])
    assert result.exit_code == 0, result.output

    data = hxl.data(str(out), hxl.InputOptions(allow_local=True))
    headers = [column.header for column in data.columns]
    tags = dict(zip(headers, [column.display_tag for column in data.columns], strict=True))
    assert headers == list(export.HXL_TAGS)
    assert {h: tags[h] for h in HDX_CONFLICT_TAGS} == HDX_CONFLICT_TAGS
    assert data.columns[headers.index("fatalities_low")].attributes == {"killed", "min"}

    rows = list(data)
    assert [row.get("#event+code") for row in rows] == [r["incident_id"] for r in records[:2]]  # active only
    placed, unplaced = rows
    assert (placed.get("#date+start"), placed.get("#date+end")) == ("2024-03-07", "2024-03-09")
    assert (float(placed.get("#geo+lat")), float(placed.get("#geo+lon"))) == (-12.5, -0.25)
    assert (unplaced.get("#geo+lat"), unplaced.get("#geo+lon")) == (None, None)  # libhxl: an empty cell
    counts = [int(placed.get(tag)) for tag in ("#affected+killed", "#affected+killed+min", "#affected+killed+max")]
    assert counts == [2, 1, 3]
    assert (placed.get("#affected+injured"), unplaced.get("#affected+injured")) == ("1", None)
    assert placed.get("#adm2+name") == "Qamishli" and placed.get("#country+code") == "SYR"
    assert (placed.get("#group+name+first"), placed.get("#group+name+second")) == ("Militia", "Police")
    assert (unplaced.get("#group+name+perpetrator"), unplaced.get("#group+name+target")) == ("Police", "Militia")
    assert unplaced.get("#group+name+first") is None
    assert placed.get("#meta+source") == "Example News" and placed.get("#meta+url") == "https://example.org/report"
    assert (placed.get("#meta+revision"), placed.get("#date+updated")) == ("1", "2024-03-08T10:00:00Z")
    assert unplaced.get("#description").startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert csv_cell(unplaced.get("#description")) == records[1]["summary"]
    again = hxl.data(str(out), hxl.InputOptions(allow_local=True))  # a libhxl source is read once
    killed = sum(int(row.get("#affected+killed")) for row in again.with_rows("#country+code=SYR"))
    assert killed == 4  # a libhxl filter on the tags, as HXL tools run them
