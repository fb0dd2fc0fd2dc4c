"""incidents partition: files of about a target size, optionally under Hive-style year and country folders;
each partition self-contained, the same bytes from the same tables."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from factories import MISSING_ACTOR_ID, TODAY, built_package, spread_records
from incidents.build import partition
from incidents.validate import package as tablecheck
from incidents.validate.partitions import units_of


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_partitions_hold_each_incident_with_its_child_rows_and_the_shared_tables_whole(tmp_path):
    layout = built_package(tmp_path, spread_records())
    folder = partition.partition(tmp_path, ("year", "country"))
    parts = ["year=2023/country=IRQ", "year=2023/country=SYR", "year=2024/country=IRQ", "year=2024/country=SYR"]
    assert sorted(files(folder)) == sorted(
        [f"{t}/{p}/part-00000.parquet" for t in tablecheck.INCIDENT_TABLES for p in parts]
        + ["actors/part-00000.parquet", "sources/part-00000.parquet"]
    )
    for name in tablecheck.INCIDENT_TABLES:
        whole = pq.read_table(layout.tables / f"{name}.parquet")
        pieces = [pq.read_table(folder / name / p / "part-00000.parquet") for p in parts]
        assert sum(p.num_rows for p in pieces) == whole.num_rows  # nothing lost
        for part, piece in zip(parts, pieces, strict=True):
            ids = pq.read_table(folder / "incidents" / part / "part-00000.parquet")["incident_id"]
            assert piece.num_rows or not whole.num_rows  # every part has its rows of a table that has rows
            assert pc.all(pc.is_in(piece["incident_id"], value_set=ids)).as_py() is not False
    assert pq.read_table(folder / "actors/part-00000.parquet") == pq.read_table(layout.tables / "actors.parquet")


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
        ("data/tables/partitioned/incidents/year=2023/country=IRQ/part-00000.parquet", 2),
        ("data/tables/partitioned/incidents/year=2024/country=SYR/part-00000.parquet", 2),
    ]
    # the partitioner gave the id's child rows to its first incident: the other is seen without them
    assert {p.record for p in found} == {records[1]["incident_id"]}


def test_a_row_in_the_wrong_partition_is_reported(tmp_path):
    built_package(tmp_path, spread_records())
    folder = partition.partition(tmp_path, ("year", "country"))
    here, there = (
        folder / "revisions" / p / "part-00000.parquet" for p in ("year=2023/country=SYR", "year=2024/country=SYR")
    )
    moved = pq.read_table(here).slice(0, 1)
    pq.write_table(pq.read_table(here).slice(1), here)
    pq.write_table(pa.concat_tables([pq.read_table(there), moved]), there)
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert [(p.file.split("/", 3)[-1], p.line, p.field, p.code) for p in found] == [
        ("revisions/year=2024/country=SYR/part-00000.parquet", 4, "incident_id", "partition"),
    ]  # small partitions are checked together, so the incident still sees its revision


def test_unknown_keys_and_sizes_are_refused(tmp_path):
    assert partition.parse_keys("year, country") == ("year", "country")
    assert partition.parse_keys("") == ()  # by size alone
    for text in ("month", "year,year"):
        with pytest.raises(partition.PartitionError):
            partition.parse_keys(text)
    with pytest.raises(partition.PartitionError, match="--target-mb 0"):
        partition.partition(tmp_path, (), 0)


def largest_file_mb(layout) -> float:
    return max((layout.tables / f"{name}.parquet").stat().st_size for name in tablecheck.INCIDENT_TABLES) / 1024**2


def test_without_keys_the_tables_are_cut_into_files_of_the_target_size_in_row_order(tmp_path):
    layout = built_package(tmp_path, spread_records(3))
    folder = partition.partition(tmp_path, (), largest_file_mb(layout) / 3 * 1.001)  # three shares
    parts = [f"part-0000{k}.parquet" for k in range(3)]
    assert sorted(files(folder)) == sorted(
        [f"{t}/{p}" for t in tablecheck.INCIDENT_TABLES for p in parts]
        + ["actors/part-00000.parquet", "sources/part-00000.parquet"]
    )
    incidents = [pq.read_table(folder / "incidents" / p) for p in parts]
    assert [t.num_rows for t in incidents] == [4, 4, 4]  # the same shape of incident: equal shares
    for name in tablecheck.INCIDENT_TABLES:
        pieces = [pq.read_table(folder / name / p) for p in parts]
        whole = pq.read_table(layout.tables / f"{name}.parquet")
        assert pa.concat_tables(pieces).equals(whole)  # nothing lost, nothing moved: the built order, cut
        for piece, own in zip(pieces, incidents, strict=True):
            assert pc.all(pc.is_in(piece["incident_id"], value_set=own["incident_id"])).as_py() is not False
    assert [u.partition for u in units_of(tmp_path)[0]] == ["part-00000", "part-00001", "part-00002", ""]


def test_the_default_target_keeps_a_small_dataset_in_one_partition(tmp_path):
    built_package(tmp_path, spread_records())
    folder = partition.partition(tmp_path)
    assert sorted(files(folder)) == sorted(
        [f"{t}/part-00000.parquet" for t in (*tablecheck.INCIDENT_TABLES, "actors", "sources")]
    )
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == []


def test_keys_and_a_target_cut_each_key_s_incidents_into_files(tmp_path):
    layout = built_package(tmp_path, spread_records(3))
    folder = partition.partition(tmp_path, ("year",), largest_file_mb(layout) / 3 * 1.001)
    found = sorted(path for path in files(folder) if path.startswith("incidents/"))
    assert found == [f"incidents/year={y}/part-0000{k}.parquet" for y in (2023, 2024) for k in (0, 1)]
    assert sum(pq.read_table(folder / p).num_rows for p in found) == 12
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == []


def test_a_child_row_of_no_incident_is_kept_in_the_last_partition(tmp_path):
    records = spread_records()
    built = built_package(tmp_path, records)
    revisions = pq.read_table(built.tables / "revisions.parquet")
    stray = revisions.slice(0, 1).set_column(0, revisions.schema.field(0), pa.array(["inc_01KAXQ8N5D4C3R6E0J2VWZ9999"]))
    pq.write_table(pa.concat_tables([stray, revisions]), built.tables / "revisions.parquet")
    folder = partition.partition(tmp_path, (), largest_file_mb(built) / 2 * 1.001)
    last = pq.read_table(sorted((folder / "revisions").glob("*.parquet"))[-1])
    assert "inc_01KAXQ8N5D4C3R6E0J2VWZ9999" in last["incident_id"].to_pylist()
    assert sum(pq.read_table(p).num_rows for p in (folder / "revisions").glob("*.parquet")) == revisions.num_rows + 1


def test_an_incident_in_another_country_s_partition_is_reported(tmp_path):
    built_package(tmp_path, spread_records(1))
    folder = partition.partition(tmp_path, ("year", "country"))
    syr, irq = (
        folder / "incidents" / p / "part-00000.parquet" for p in ("year=2023/country=SYR", "year=2023/country=IRQ")
    )
    pq.write_table(pa.concat_tables([pq.read_table(syr), pq.read_table(irq)]), syr)
    pq.write_table(pq.read_table(irq).slice(0, 0), irq)
    found = [p for p in tablecheck.validate_tables(tmp_path, today=TODAY).problems if p.code == "partition"]
    assert [(p.file.split("/", 3)[-1], p.line, p.field, p.message) for p in found if "/incidents/" in p.file] == [
        ("incidents/year=2023/country=SYR/part-00000.parquet", 3, "country", "an incident of country=IRQ")
    ]
    assert len(found) == 1 + 2 + 3 + 1  # and its actors, evidence and revision, left in the IRQ partition
