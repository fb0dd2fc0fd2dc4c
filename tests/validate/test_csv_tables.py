"""validate --tables checks every file datapackage.json publishes: the CSV tables against their hashes, their
Table Schemas and their Parquet twins, and a value that does not parse is reported at its row without hiding
the other problems of the package."""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.csv as pacsv
from click.testing import CliRunner

from factories import MISSING_ACTOR_ID, TODAY, built_package, rewrite_table, set_cell, spread_records
from incidents.build import encode
from incidents.cli import cli
from incidents.validate import csv_tables
from incidents.validate import package as tablecheck


def where(problems):
    return {(p.file, p.line, p.field, p.code) for p in problems}


def edit_csv(layout, name, row, field, value, refresh_hash):
    """One cell of a CSV table replaced by hand (the Parquet twin left as it is), its resource's hash
    brought in step or left stale. The other cells keep their text."""
    path = layout.tables / f"{name}.csv"
    header = next(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    table = pacsv.read_csv(path, **csv_tables.csv_options(header))
    table = set_cell(table, field, row, value)
    out = pa.BufferOutputStream()
    pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    path.write_bytes(out.getvalue().to_pybytes())
    if refresh_hash:
        descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
        resource = next(r for r in descriptor["resources"] if r["path"] == f"data/tables/{name}.csv")
        resource.update(encode.file_stats(path.read_bytes()))
        layout.descriptor.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def test_a_bad_date_in_the_csv_alone_is_reported_at_its_row_with_the_hash_updated_or_stale(tmp_path):
    records = spread_records(1)
    layout = built_package(tmp_path, records)
    edit_csv(layout, "incidents", 2, "date_start", "2023-02-30", refresh_hash=True)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", "--tables", "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    assert result.exit_code == 1
    assert [(p["file"], p["line"], p["record"], p["field"], p["code"]) for p in problems] == [
        ("data/tables/incidents.csv", 4, records[2]["incident_id"], "date_start", "value-type")
    ]
    assert problems[0]["message"] == "found '2023-02-30'" and problems[0]["expected"] == "a date YYYY-MM-DD"

    edit_csv(layout, "incidents", 2, "date_start", "2023-02-31", refresh_hash=False)
    found = where(tablecheck.validate_tables(tmp_path, today=TODAY).problems)
    assert found == {
        ("data/tables/incidents.csv", 4, "date_start", "value-type"),
        ("datapackage.json", None, "resources[0].hash", "descriptor"),
    }


def test_a_csv_row_that_differs_from_its_parquet_twin_is_reported_with_what_is_wrong_with_it(tmp_path):
    layout = built_package(tmp_path, spread_records(1))
    edit_csv(layout, "incidents", 1, "event_type", "riots", refresh_hash=True)  # a code, but not the Parquet's
    edit_csv(layout, "incidents", 3, "injured", "-4", refresh_hash=True)  # below the minimum, in the CSV alone
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert where(found) == {
        ("data/tables/incidents.csv", 3, "event_type", "csv-differs"),
        ("data/tables/incidents.csv", 5, "injured", "csv-differs"),
        ("data/tables/incidents.csv", 5, "injured", "minimum"),
    }
    assert found[0].message.startswith("found 'riots', where data/tables/incidents.parquet holds ")
    path = layout.tables / "actors.csv"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))  # a row lost
    assert ("data/tables/actors.csv", None, None, "csv-differs") in where(tablecheck.validate_tables(tmp_path).problems)


def test_five_kinds_of_error_in_csv_and_parquet_are_each_found_at_their_row(tmp_path):
    """A malformed date in the Parquet (a text column where a date is expected) no longer hides the rest."""
    records = spread_records(2)
    layout = built_package(tmp_path, records)

    def malformed_date(table: pa.Table) -> pa.Table:
        index = table.column_names.index("date_start")
        table = table.set_column(index, "date_start", table["date_start"].cast(pa.string()))
        table = set_cell(table, "date_start", 3, "2023-13-01")
        return set_cell(set_cell(table, "event_type", 1, "battle"), "injured", 5, -1)

    rewrite_table(layout, "incidents", malformed_date)
    twice = lambda t: t.take(list(range(t.num_rows)) + [0])  # noqa: E731 (a primary key twice)
    rewrite_table(layout, "actors", twice)
    rewrite_table(layout, "incident_actors", lambda t: set_cell(t, "actor_id", 2, MISSING_ACTOR_ID))
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    located = where(found)
    incidents, actors, links = (f"data/tables/{n}.parquet" for n in ("incidents", "actors", "incident_actors"))
    for planted in [
        (incidents, 3 + 2, "date_start", "value-type"),
        ("data/tables/incidents.csv", 3 + 2, "date_start", "value-type"),
        (incidents, 1 + 2, "event_type", "unknown-code"),
        (incidents, 5 + 2, "injured", "minimum"),
        (actors, 2, "actor_id", "duplicate-id"),
        (links, 2 + 2, "actor_id", "dangling-reference"),
    ]:
        assert planted in located
    assert (incidents, None, "date_start", "column-type") in located
    assert not [p for p in found if p.code == "csv-differs"]  # both files hold the same rows


def test_csv_blocks_of_any_size_name_the_same_rows(tmp_path, monkeypatch):
    """The CSV is read block by block beside the Parquet's batches: a problem keeps its line either way."""
    records = spread_records(3)
    layout = built_package(tmp_path, records)
    edit_csv(layout, "incident_sources", 9, "quote", "a quote of no source", refresh_hash=True)
    edit_csv(layout, "incidents", 10, "date_start", "2023-02-30", refresh_hash=True)
    whole = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    monkeypatch.setattr(csv_tables, "CSV_BLOCK", 2048)
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == whole
    assert where(whole) == {
        ("data/tables/incident_sources.csv", 9 + 2, "quote", "csv-differs"),
        ("data/tables/incidents.csv", 10 + 2, "date_start", "value-type"),
    }


def test_a_cell_that_does_not_parse_is_left_empty_and_reported_and_the_others_typed():
    from incidents.validate.cells import conform

    text = pa.table(
        {
            "day": ["2024-02-29", "2023-02-29", "", None],
            "at": ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z", "2024-02-30T00:00:00Z", None],
            "count": ["1", "x", "2.5", None],
            "tags": ["a;b", "", None, "x"],
        }
    )
    schema = pa.schema(
        [
            ("day", pa.date32()),
            ("at", pa.timestamp("s", tz="UTC")),
            ("count", pa.int64()),
            ("tags", pa.list_(pa.string())),
        ]
    )
    typed, unparsed = conform(text, schema)
    assert typed.schema.types == schema.types
    assert typed.column("tags").to_pylist() == [["a", "b"], [], None, ["x"]]  # "" is the empty list
    assert typed.column("count").to_pylist() == [1, None, None, None]
    assert [(u.row, u.field, u.found) for u in unparsed] == [
        (1, "day", "found '2023-02-29'"),
        (2, "day", "found ''"),
        (2, "at", "found '2024-02-30T00:00:00Z'"),
        (1, "count", "found 'x'"),
        (2, "count", "found '2.5'"),
    ]


def test_a_parquet_file_the_rules_cannot_read_leaves_every_csv_table_checked(tmp_path):
    """The CSV tables are read beside the Parquet files the rules read; when a Parquet file lacks a column the
    rules wait, and each CSV table is still checked on its own."""
    import pyarrow.parquet as pq

    layout = built_package(tmp_path, spread_records(1))
    edit_csv(layout, "incidents", 2, "date_start", "2023-02-30", refresh_hash=True)
    path = layout.tables / "actors.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["actor_type"]), path)
    found = where(tablecheck.validate_tables(tmp_path, today=TODAY).problems)
    assert ("data/tables/actors.parquet", None, "actor_type", "missing-column") in found
    assert ("data/tables/incidents.csv", 4, "date_start", "value-type") in found
