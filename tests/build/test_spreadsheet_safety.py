"""Text that a spreadsheet would run as a formula: refused in records, escaped in the CSV export."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import TODAY, make_dataset, record
from incidents.build import build, csv_bytes, csv_cell, neutralise_formulas
from incidents.validate import validate


@pytest.mark.parametrize("text", ["=1+1", "+41 22", "-2 killed", "@user wrote", "\tindented", "'quoted'"])
def test_csv_cells_that_start_like_a_formula_get_a_leading_quote(text):
    table = pa.table({"summary": [text, "plain"], "n": [1, 2]})
    (row, plain) = list(csv.reader(io.StringIO(csv_bytes(table).decode())))[1:]
    assert row == ["'" + text, "1"] and plain == ["plain", "2"]
    assert csv_cell(row[0]) == text


def test_list_cells_are_escaped_after_joining():
    table = pa.table({"tags": pa.array([["-x", "y"], ["y", "-x"]])})
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode())))[1:]
    assert rows == [["'-x;y"], ["y;-x"]]


def test_numbers_and_dates_are_never_escaped():
    table = pa.table({"n": pa.array([-3], pa.int64()), "d": pa.array([-1.5])})
    assert csv_bytes(table).decode().splitlines()[1] == "-3,-1.5"


def test_parquet_keeps_the_raw_value_and_csv_escapes_it(tmp_path):
    layout = make_dataset(tmp_path, record(notes="-- the source is vague about the time"))
    assert build(layout.root).problems == []
    assert pq.read_table(layout.tables / "incidents.parquet").column("notes").to_pylist() == [
        "-- the source is vague about the time"
    ]
    rows = list(csv.DictReader(io.StringIO((layout.tables / "incidents.csv").read_text(encoding="utf-8"))))
    assert rows[0]["notes"] == "'-- the source is vague about the time"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", '=HYPERLINK("https://example.org/x","details")'),
        ("location", "  =1+2"),
        ("notes", "@SUM(1+9)*cmd|' /C calc'!A0"),
        ("admin1", "+cmd|' /C calc'!A0"),
        ("tags", ["ok", "-HYPERLINK(1)"]),
    ],
)
def test_a_formula_in_a_text_field_is_an_error(tmp_path, field, value):
    (problem,) = validate(make_dataset(tmp_path, record(**{field: value})).root, today=TODAY)
    assert (problem.code, problem.field) == ("formula", field)


@pytest.mark.parametrize("value", ["- two were killed", "@Asayish said", "+/- 3 km", "a=b"])
def test_prose_that_starts_with_a_sign_is_allowed(tmp_path, value):
    assert validate(make_dataset(tmp_path, record(notes=value)).root, today=TODAY) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=30), st.integers(0, 5))
def test_the_escape_falls_on_exactly_the_cells_a_spreadsheet_would_run(values, offset):
    column = pa.array(values, pa.string()).slice(min(offset, len(values)))  # a slice: offsets not from zero
    expected = [None if v is None else "'" + v if v[:1] in tuple("=+-@\t\r'") else v for v in column.to_pylist()]
    assert neutralise_formulas(column).to_pylist() == expected
    assert neutralise_formulas(pa.chunked_array([column, column])).to_pylist() == expected * 2
