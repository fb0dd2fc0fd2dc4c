"""Properties over many generated inputs (hypothesis): valid records come back unchanged from the built CSV
and Parquet tables; any mutation of a valid record is either still valid or reported as clean problems,
never a crash; no CSV text cell starts like a spreadsheet formula. Example counts stay small: each example
writes and validates a whole dataset."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import INCIDENT, make_dataset, record, write_yaml
from incidents import records, standard
from incidents.build import build, csv_bytes, csv_cell
from incidents.cli import cli
from incidents.validate.rules import FORMULA

STANDARD = standard.load()
EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Fields a contributor writes in the record file and that reach the incidents table as they are.
CONTRIBUTED = [f["name"] for f in STANDARD.fields("incidents") if not f.get("x-derived")]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@contextmanager
def folder() -> Iterator[Path]:
    """A fresh folder per example (pytest's tmp_path is shared by all examples of one test)."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# Text as contributors write it: any letters, digits, punctuation, symbols and spaces of any script,
# without control characters, not blank at either end, and not a formula (validation refuses those).
prose = (
    st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda text: text != "" and re.match(FORMULA, text) is None)
)
# Prose that a spreadsheet would still read as a formula start: the CSV must escape it.
signed_prose = st.builds(lambda sign, text: sign + " " + text, st.sampled_from("+-@"), prose).filter(
    lambda text: re.match(FORMULA, text) is None
)
text = st.one_of(prose, signed_prose)
tag = text.filter(lambda value: ";" not in value)


@st.composite
def valid_record(draw: st.DrawFn) -> dict[str, Any]:
    """The factory's valid record with every free value drawn at random, within the rules of the standard."""
    day = draw(st.dates(dt.date(1990, 1, 1), dt.date(2025, 12, 31)))
    best = draw(st.integers(0, 10_000))
    low = draw(st.integers(0, best))
    high = draw(st.integers(best, 20_000))
    changed = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(10), dt.UTC)
    (revision,) = record()["revisions"]
    return record(
        incident_id="inc_" + draw(st.text(CROCKFORD, min_size=26, max_size=26).map(lambda s: "0" + s[1:])),
        date_start=day.isoformat(),
        date_end=day.isoformat(),
        admin2=draw(st.none() | text),
        location=draw(text),
        latitude=round(draw(st.floats(36.95, 37.05)), draw(st.integers(0, 7))),
        longitude=round(draw(st.floats(41.15, 41.3)), draw(st.integers(0, 7))),
        fatalities_best=best,
        fatalities_low=low,
        fatalities_high=high,
        injured=draw(st.integers(0, 10**9)),
        summary=draw(text),
        notes=draw(st.none() | text),
        tags=draw(st.none() | st.lists(tag, max_size=4, unique=True)),
        flags=draw(st.none() | st.lists(st.sampled_from(STANDARD.codelists["flag"].codes), max_size=2, unique=True)),
        external_ids=draw(st.none() | st.lists(tag, max_size=3, unique=True)),
        revisions=[{**revision, "changed_at": changed.strftime("%Y-%m-%dT%H:%M:%SZ")}],
    )


def typed(value: str | None, kind: str) -> Any:
    """A CSV cell (after unescaping) as the value it stands for, by the field's Table Schema type."""
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "list":
        return value.split(standard.LIST_DELIMITER) if value else []
    return value


def read_csv(path: Path) -> list[dict[str, Any]]:
    """The incidents CSV as a careful reader sees it: an empty cell is null, a quoted empty cell is ''."""
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in CONTRIBUTED},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    rows = pacsv.read_csv(path, convert_options=options).select(CONTRIBUTED).to_pylist()
    kinds = {f["name"]: f["type"] for f in STANDARD.fields("incidents")}
    return [
        {name: typed(None if cell is None else csv_cell(cell), kinds[name]) for name, cell in row.items()}
        for row in rows
    ]


def read_parquet(path: Path) -> list[dict[str, Any]]:
    rows = pq.read_table(path).select(CONTRIBUTED).to_pylist()
    return [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()} for row in rows]


@EXAMPLES
@given(st.lists(valid_record(), min_size=1, max_size=3, unique_by=lambda r: r["incident_id"]))
def test_valid_records_come_back_unchanged_from_csv_and_parquet(written):
    with folder() as root:
        layout = make_dataset(root / "repo", *written)
        result = build(layout.root)
        assert result.problems == []
        want = sorted(({name: data[name] for name in CONTRIBUTED} for data in written), key=str)
        assert sorted(read_parquet(layout.tables / "incidents.parquet"), key=str) == want
        assert sorted(read_csv(layout.tables / "incidents.csv"), key=str) == want


# Numbers at the edges of what the tables can hold (int64, finite floats).
edge_numbers = st.sampled_from([2**63 - 1, 2**63, -(2**63), 10**30, float("nan"), float("inf"), -float("inf")])
# Values of every shape a hand-edited YAML file can hold.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | edge_numbers | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_record(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record with one field (top level or inside actors, evidence, revisions) replaced, removed or
    added."""
    data = draw(valid_record())
    target: dict[str, Any] = data
    nested = draw(st.sampled_from([None, "actors", "evidence", "revisions"]))
    if nested:
        target = draw(st.sampled_from(data[nested]))
    known = st.sampled_from(sorted(target))
    key = draw(st.one_of(known, known, known, st.text(min_size=1, max_size=10)))  # mostly fields of the standard
    if draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = draw(json_values)
    return data


def run_validate(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)["problems"]


def assert_clean(problems: list[dict[str, Any]]) -> None:
    """Each problem names a file and says what was wrong and what was expected."""
    for problem in problems:
        assert problem["file"] and problem["message"] and problem["expected"] and problem["code"], problem


@EXAMPLES
@given(mutated_record())
def test_a_mutated_record_is_valid_or_gets_clean_problems(data):
    with folder() as root:
        layout = make_dataset(root / "repo", record())
        (layout.records / f"{INCIDENT}.yaml").unlink()
        write_yaml(layout.records / f"{INCIDENT}.yaml", data)  # under its id, even where the mutation removed it
        code, problems = run_validate(layout.root)
        assert (code == 0) == (problems == [])
        assert_clean(problems)
        if code == 0:
            assert build(layout.root).problems == []


# Where a record holds a number: the incident's integer and number fields, and the evidence offsets.
NUMBER_PATHS = [
    *(
        (f["name"],)
        for f in STANDARD.fields("incidents")
        if f["type"] in ("integer", "number") and not f.get("x-derived")
    ),
    ("evidence", 0, "char_start"),
    ("evidence", 1, "char_end"),
]


@EXAMPLES
@given(st.sampled_from(NUMBER_PATHS), st.integers() | st.floats() | edge_numbers)
def test_any_number_in_a_number_field_is_valid_or_gets_clean_problems(path, value):
    data = record()
    *parents, name = path
    target = data
    for key in parents:
        target = target[key]
    target[name] = value
    with folder() as root:
        layout = make_dataset(root / "repo", data)
        code, problems = run_validate(layout.root)
        assert (code == 0) == (problems == [])
        assert_clean(problems)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """The bytes of a valid record file with a few bytes inserted, deleted or replaced."""
    content = bytearray(records.dump(record()).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(content) - 1))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        new = draw(st.binary(min_size=1, max_size=3) | st.sampled_from([b":", b"- ", b"\n", b"  ", b"&a", b"*a"]))
        if edit == "insert":
            content[at:at] = new
        elif edit == "delete":
            del content[at : at + len(new)]
        else:
            content[at : at + len(new)] = new
    return bytes(content)


@EXAMPLES
@given(mutated_bytes())
def test_a_record_file_with_mangled_bytes_is_valid_or_gets_clean_problems(content):
    with folder() as root:
        layout = make_dataset(root / "repo")
        (layout.records / f"{INCIDENT}.yaml").write_bytes(content)
        code, problems = run_validate(layout.root)
        assert (code == 0) == (problems == [])
        assert_clean(problems)


FORMULA_START = tuple("=+-@\t\r")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=12) | st.sampled_from(FORMULA_START).map(lambda c: c + "SUM(A1)"), min_size=1))
def test_no_csv_text_cell_starts_like_a_formula_and_unescaping_gives_the_value(values):
    table = pa.table({"text": pa.array(values, pa.string())})
    cells = pacsv.read_csv(
        pa.BufferReader(csv_bytes(table)),
        convert_options=pacsv.ConvertOptions(column_types={"text": pa.string()}, quoted_strings_can_be_null=False),
    ).column("text")
    assert not any(cell.startswith(FORMULA_START) for cell in cells.to_pylist())
    assert [csv_cell(cell) for cell in cells.to_pylist()] == values
