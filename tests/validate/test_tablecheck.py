"""validate --tables: a built package checked from its descriptor and Parquet tables, never its records."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import frictionless
import pyarrow as pa
import pyarrow.parquet as pq

from factories import (
    MISSING_ACTOR_ID,
    TODAY,
    built_package,
    record,
    rewrite_table,
    set_cell,
    spread_records,
)
from incidents import validate
from incidents.validate import package as tablecheck

MISSING_ACTOR = MISSING_ACTOR_ID


def where(problems):
    return [(p.file, p.line, p.record, p.field, p.code) for p in problems]


def test_a_valid_package_has_no_problems_and_says_what_it_read(tmp_path):
    layout = built_package(tmp_path, spread_records())
    report = tablecheck.validate_tables(tmp_path, today=TODAY)
    assert report.problems == []
    assert report.notes == ["read the Parquet tables: single files", tablecheck.CSV_NOTE]
    shutil.rmtree(layout.sources)  # a downloaded bundle has no archived texts: that check is skipped, not failed
    report = tablecheck.validate_tables(tmp_path, today=TODAY)
    assert report.problems == [] and "evidence quotes not compared" in report.notes[-1]
    layout.sources.mkdir()
    (layout.sources / ".hidden.txt").write_text("not an archived text", encoding="utf-8")
    assert "evidence quotes not compared" in tablecheck.validate_tables(tmp_path, today=TODAY).notes[-1]


def test_problems_name_the_table_file_the_csv_line_the_record_and_the_field(tmp_path):
    records = spread_records()
    records[1]["fatalities_low"] = 5
    records[5]["actors"].append({"actor_id": MISSING_ACTOR, "role": "side_a"})
    records[6]["evidence"][0]["quote"] = (
        "On Friday, militia fighters attacked a police patrol in Khaleej Street in Qamishli."
    )
    built_package(tmp_path, records)
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert where(found) == [
        ("data/tables/incident_actors.parquet", 14, records[5]["incident_id"], "actor_id", "dangling-reference"),
        ("data/tables/incident_sources.parquet", 20, records[6]["incident_id"], "quote", "evidence-quote"),
        ("data/tables/incidents.parquet", 3, records[1]["incident_id"], "fatalities_low", "fatality-range"),
    ]
    assert found[1].message.startswith("the source reads 'On Thursday, militia")
    line = (tmp_path / "data/tables/incident_actors.csv").read_text().splitlines()[14 - 1]
    assert line.startswith(f'"{records[5]["incident_id"]}","{MISSING_ACTOR}"')  # row + 2 is the CSV line


def test_the_tables_break_the_same_rules_as_the_records_they_came_from(tmp_path):
    """The rules are one code: what record validation finds beyond the JSON Schemas, the tables show too."""
    records = spread_records()
    records[0]["fatalities_low"] = 5
    records[2]["date_end"] = "2023-03-01"
    records[3]["actors"].append({"actor_id": MISSING_ACTOR, "role": "side_b"})
    records[4]["evidence"][2]["char_end"] += 1
    records[5]["evidence"] = records[5]["evidence"][1:]  # date_start and location lose their quote
    records[6].update(status="withdrawn")
    records[7].update(latitude=-37.0)
    built_package(tmp_path, records)
    from_records = {(p.record, p.code) for p in validate.validate(tmp_path, today=TODAY) if p.code != "stale-build"}
    from_tables = {(p.record, p.code) for p in tablecheck.validate_tables(tmp_path, today=TODAY).problems}
    assert len(from_records) == 7 and from_tables == from_records


def test_quotes_are_compared_in_characters_not_bytes():
    from incidents.validate import rules as checks

    text = "Ça a éclaté à Qamishli. Deux morts — trois blessés."
    evidence = pa.table(
        {
            "source_id": ["s", "s", "s", "t"],
            "quote": ["éclaté à Qamishli", "Deux morts — trois", "Deux mort", "x"],
            "char_start": [5, 24, 25, 0],
            "char_end": [22, 42, 34, 1],
        }
    )
    found = list(checks.check_evidence_text({"incident_sources": evidence}, {"s": text}))
    assert [(f.row, f.code) for f in found] == [(2, "evidence-quote")]
    assert found[0].message == "the source reads 'eux morts' at 25-34"


def test_a_column_of_the_wrong_type_or_missing_is_reported_and_the_rules_wait(tmp_path):
    layout = built_package(tmp_path, spread_records())
    as_text = lambda t: t.set_column(t.column_names.index("injured"), "injured", t["injured"].cast(pa.string()))  # noqa: E731
    rewrite_table(layout, "incidents", as_text)
    rewrite_table(layout, "revisions", lambda t: t.drop_columns(["reason"]))
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert where(found) == [
        ("data/tables/incidents.parquet", None, None, "injured", "column-type"),
        ("data/tables/revisions.csv", 1, None, "reason", "missing-column"),
        ("data/tables/revisions.parquet", None, None, "reason", "missing-column"),
    ]
    assert found[0].message == "the column has type string" and found[0].expected.startswith("type int64")


def test_the_descriptor_must_be_the_one_the_build_writes(tmp_path):
    layout = built_package(tmp_path, spread_records())
    descriptor = json.loads(layout.descriptor.read_text())
    field = descriptor["resources"][0]["schema"]["fields"][8]
    assert field["name"] == "event_type"
    del field["constraints"]["enum"]
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "sources"]
    layout.descriptor.write_text(json.dumps(descriptor))
    table = pq.read_table(layout.tables / "actors.parquet")
    pq.write_table(table, layout.tables / "actors.parquet", compression="snappy")  # same rows, other bytes
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert [(p.field, p.code) for p in found] == [
        ("resources", "descriptor"),
        ("resources[0].schema", "descriptor"),
        ("resources[8].bytes", "descriptor"),  # actors-parquet, after the 7 CSV resources left (sources removed)
        ("resources[8].hash", "descriptor"),
    ]
    assert all(p.file == "datapackage.json" for p in found)
    layout.descriptor.write_text("{")
    assert [p.code for p in tablecheck.validate_tables(tmp_path).problems] == ["descriptor"]


def test_finds_what_frictionless_finds_on_the_csv_tables(tmp_path):
    """The same rows and fields as `frictionless validate` for the kinds of error it can find."""
    records = spread_records()
    records[1]["event_type"] = "battle"  # a code not in the enum
    records[3]["actors"].append(dict(records[3]["actors"][0]))  # a primary key twice
    records[5]["actors"].append({"actor_id": MISSING_ACTOR, "role": "side_a"})  # a dangling foreign key
    records[6]["injured"] = -1  # below the minimum
    records.append(record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T99", latitude=95.0))  # above the maximum
    layout = built_package(tmp_path, records)
    rewrite_table(layout, "incidents", lambda t: set_cell(t, "location", 2, None))  # a required value missing

    report = frictionless.validate(str(layout.descriptor))
    theirs = set()
    for task in report.tasks:
        if task.name.endswith("-parquet"):  # frictionless cannot check Parquet (test_build says why)
            continue
        for error in task.errors:
            file = f"data/tables/{task.name}.parquet"
            if error.type == "primary-key":  # frictionless names the repeat; the row it repeats is as guilty
                first = int(re.search(r"position (\d+)", error.note).group(1))
                theirs |= {(file, error.row_number, "duplicate"), (file, first, "duplicate")}
            elif error.type == "foreign-key":
                theirs.add((file, error.row_number, re.search(r'for "(\w+)"', error.note).group(1)))
            else:
                assert error.type == "constraint-error"
                theirs.add((file, error.row_number, error.field_name))
    kinds = {"unknown-code", "required", "minimum", "maximum", "duplicate-id", "dangling-reference"}
    ours = {
        (p.file, p.line, "duplicate" if p.code == "duplicate-id" else p.field)
        for p in tablecheck.validate_tables(tmp_path, today=TODAY).problems
        if p.code in kinds
    }
    assert len(theirs) == 7 and ours == theirs


def test_a_source_id_is_never_a_path(tmp_path):
    layout = built_package(tmp_path, spread_records(1))
    (tmp_path / "secret.txt").write_text("x")
    rewrite_table(layout, "incident_sources", lambda t: set_cell(t, "source_id", 0, "../../secret"))
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert {(p.field, p.code) for p in found} == {("source_id", "pattern"), ("source_id", "dangling-reference")}


def five_problems() -> list[dict]:
    """Records spread over four partitions, four of them with planted errors (five problems in the tables)."""
    records = spread_records(3)
    records[1]["fatalities_low"] = 5
    records[4]["actors"].append({"actor_id": MISSING_ACTOR, "role": "side_a"})
    records[9]["evidence"][2]["quote"] = "One officer was killed."
    records[10]["event_type"] = "battle"
    return records


def test_batches_and_groups_of_any_size_name_the_same_rows(tmp_path, monkeypatch):
    """Files split into batches, and batches joining several files, still point at each file's own rows."""
    from incidents.build import partition

    records = five_problems()
    built_package(tmp_path, records)
    whole = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    monkeypatch.setattr(tablecheck, "BATCH_ROWS", 4)
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == whole
    partition.partition(tmp_path, ("year", "country"))
    grouped = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    monkeypatch.setattr(tablecheck, "GROUP_BYTES", 1)  # every partition its own task
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == grouped
    assert len(whole) == 5 and {p.code for p in grouped} == {p.code for p in whole}


def test_files_of_many_row_groups_are_checked_group_by_group_and_name_the_same_rows(tmp_path, monkeypatch):
    """A large file is checked as one task per row group: a problem in a later group keeps its own line."""
    from incidents.build import encode, geoparquet

    records = five_problems()
    built_package(tmp_path, records)
    whole = tablecheck.validate_tables(tmp_path, today=TODAY).problems

    def small_groups(table: pa.Table) -> bytes:
        table = geoparquet.as_stored(table)
        out = pa.BufferOutputStream()
        pq.write_table(table, out, row_group_size=3)
        return out.getvalue().to_pybytes()

    monkeypatch.setattr(encode, "parquet_bytes", small_groups)
    built_package(tmp_path, records)
    assert pq.ParquetFile(tmp_path / "data/tables/incident_sources.parquet").metadata.num_row_groups > 3
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == whole
    assert len(whole) == 5 and max(p.line or 0 for p in whole) > 3 + 2  # a problem beyond the first group


def test_validating_tables_never_imports_pandas_and_leaves_it_importable_after(tmp_path):
    """pyarrow imports pandas on its first conversion of a Python value (0.2-0.3 s a run); validation needs
    none of it. In a fresh process, as the `incidents` command runs it."""
    built_package(tmp_path, spread_records())
    script = (
        "import sys, pathlib\n"
        "from incidents.validate import package\n"
        "import pyarrow as pa\n"
        f"report = package.validate_tables(pathlib.Path({str(tmp_path)!r}))\n"
        "print(len(report.problems), 'pandas' in sys.modules)\n"
        "print(type(pa.table({'a': [1]}).to_pandas()).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["0 False", "DataFrame"]
