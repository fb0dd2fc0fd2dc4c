"""incidents partition: Hive-style Parquet by year and country; each partition self-contained, same bytes."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from factories import MISSING_ACTOR_ID, TODAY, built_package, spread_records
from incidents.build import partition
from incidents.validate import package as tablecheck


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_partitions_hold_each_incident_with_its_child_rows_and_the_shared_tables_whole(tmp_path):
    layout = built_package(tmp_path, spread_records())
    folder = partition.partition(tmp_path, ("year", "country"))
    parts = ["year=2023/country=IRQ", "year=2023/country=SYR", "year=2024/country=IRQ", "year=2024/country=SYR"]
    assert sorted(files(folder)) == sorted(
        [f"{t}/{p}/part-0.parquet" for t in tablecheck.INCIDENT_TABLES for p in parts]
        + ["actors/part-0.parquet", "sources/part-0.parquet"]
    )
    for name in tablecheck.INCIDENT_TABLES:
        whole = pq.read_table(layout.tables / f"{name}.parquet")
        pieces = [pq.read_table(folder / name / p / "part-0.parquet") for p in parts]
        assert sum(p.num_rows for p in pieces) == whole.num_rows  # nothing lost
        for part, piece in zip(parts, pieces, strict=True):
            ids = pq.read_table(folder / "incidents" / part / "part-0.parquet")["incident_id"]
            assert piece.num_rows or not whole.num_rows  # every part has its rows of a table that has rows
            assert pc.all(pc.is_in(piece["incident_id"], value_set=ids)).as_py() is not False
    assert pq.read_table(folder / "actors/part-0.parquet") == pq.read_table(layout.tables / "actors.parquet")


def test_the_same_tables_give_the_same_bytes_and_a_rewrite_replaces_the_folder_whole(tmp_path):
    built_package(tmp_path, spread_records())
    folder = partition.partition(tmp_path, ("year", "country"))
    once = files(folder)
    partition.partition(tmp_path, ("year",))
    assert sorted({path.split("/")[1] for path in files(folder) if "=" in path}) == ["year=2023", "year=2024"]
    partition.partition(tmp_path, ("year", "country"))
    assert files(folder) == once
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []  # no staging left


def test_validating_the_partitions_finds_what_the_single_files_show(tmp_path):
    records = spread_records()
    records[0]["fatalities_low"] = 5
    records[3]["actors"].append({"actor_id": MISSING_ACTOR_ID, "role": "side_b"})
    records[5]["evidence"][0]["char_end"] += 1
    records[4]["incident_id"] = records[0]["incident_id"]  # one id twice
    built_package(tmp_path, records)
    single = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    partition.partition(tmp_path, ("year", "country"))
    report = tablecheck.validate_tables(tmp_path, today=TODAY)
    assert report.notes[0] == "read the Parquet tables: 4 partitions under data/tables/partitioned"

    def what(problems):
        return sorted((p.record, p.field, p.code, p.message) for p in problems if p.file != "datapackage.json")

    assert len(single) == 5 and what(report.problems) == what(single)


def test_an_id_in_two_partitions_is_found_by_the_global_check_on_the_key_columns(tmp_path):
    records = spread_records()
    records[6]["incident_id"] = records[1]["incident_id"]
    built_package(tmp_path, records)
    partition.partition(tmp_path, ("year", "country"))
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert [(p.file, p.line) for p in found if p.code == "duplicate-id"] == [
        ("data/tables/partitioned/incidents/year=2023/country=IRQ/part-0.parquet", 2),
        ("data/tables/partitioned/incidents/year=2024/country=SYR/part-0.parquet", 2),
    ]
    # the partitioner gave the id's child rows to its first incident: the other is seen without them
    assert {p.record for p in found} == {records[1]["incident_id"]}


def test_a_row_in_the_wrong_partition_is_reported(tmp_path):
    built_package(tmp_path, spread_records())
    folder = partition.partition(tmp_path, ("year", "country"))
    here, there = (
        folder / "revisions" / p / "part-0.parquet" for p in ("year=2023/country=SYR", "year=2024/country=SYR")
    )
    moved = pq.read_table(here).slice(0, 1)
    pq.write_table(pq.read_table(here).slice(1), here)
    pq.write_table(pa.concat_tables([pq.read_table(there), moved]), there)
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert [(p.file.split("/", 3)[-1], p.line, p.field, p.code) for p in found] == [
        ("revisions/year=2024/country=SYR/part-0.parquet", 4, "incident_id", "partition"),
    ]  # small partitions are checked together, so the incident still sees its revision


def test_unknown_keys_are_refused():
    assert partition.parse_keys("year, country") == ("year", "country")
    for text in ("", "month", "year,year"):
        with pytest.raises(partition.PartitionError):
            partition.parse_keys(text)


def test_an_incident_in_another_country_s_partition_is_reported(tmp_path):
    built_package(tmp_path, spread_records(1))
    folder = partition.partition(tmp_path, ("year", "country"))
    syr, irq = (folder / "incidents" / p / "part-0.parquet" for p in ("year=2023/country=SYR", "year=2023/country=IRQ"))
    pq.write_table(pa.concat_tables([pq.read_table(syr), pq.read_table(irq)]), syr)
    pq.write_table(pq.read_table(irq).slice(0, 0), irq)
    found = [p for p in tablecheck.validate_tables(tmp_path, today=TODAY).problems if p.code == "partition"]
    assert [(p.file.split("/", 3)[-1], p.line, p.field, p.message) for p in found if "/incidents/" in p.file] == [
        ("incidents/year=2023/country=SYR/part-0.parquet", 3, "country", "an incident of country=IRQ")
    ]
    assert len(found) == 1 + 2 + 3 + 1  # and its actors, evidence and revision, left in the IRQ partition
