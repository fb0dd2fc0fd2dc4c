"""The rules across partitions (unique ids, references, merge targets, one record per incident, child rows in
their incident's partition) run as a shuffle of the key columns over buckets: they find what the same rules
find on the single files, with any number of buckets, on threads or on a cluster of processes."""

from __future__ import annotations

import copy

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from factories import MISSING_ACTOR_ID, TODAY, built_package, spread_records
from incidents.build import partition
from incidents.validate import across, engines
from incidents.validate import package as tablecheck

COPY = "inc_01KAXQ8N5D4C3R6E0J2VWZ9000"  # sorts after the others: its own partition, the last


def planted() -> list[dict]:
    """Records whose errors are each between two incidents that will lie in different partitions."""
    records = spread_records(3)  # 12 records
    ids = [r["incident_id"] for r in records]
    records[7]["incident_id"] = ids[1]  # one id, two partitions
    records[3]["actors"].append({"actor_id": MISSING_ACTOR_ID, "role": "side_b"})  # an actor that does not exist
    records[4].update(status="merged", status_reason="duplicate", merged_into=ids[5])  # merged into an active one
    records[6].update(status="merged", status_reason="duplicate", merged_into=ids[4])  # into a tombstone: an error
    records[8].update(status="merged", status_reason="duplicate", merged_into="inc_01KAXQ8N5D4C3R6E0J2VWZ8888")
    twin = copy.deepcopy(records[10])
    twin["incident_id"] = COPY  # the same incident under a second id
    return [*records, twin]


def what(problems):
    return sorted((p.record, p.field, p.code, p.message) for p in problems if p.file != "datapackage.json")


@pytest.fixture
def package(tmp_path, monkeypatch):
    built = built_package(tmp_path, planted())
    single = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    largest = max((built.tables / f"{n}.parquet").stat().st_size for n in tablecheck.INCIDENT_TABLES)
    partition.partition(tmp_path, (), largest / 1024**2 / 40)  # one incident a partition
    monkeypatch.setattr(tablecheck, "GROUP_BYTES", 1)  # a task per partition, and BUCKETS_PER_TASK buckets each
    return tmp_path, single


def test_the_rules_across_partitions_find_what_the_single_files_show(package):
    root, single = package
    units, _ = tablecheck.units_of(root)
    assert len(units) == 14  # 13 partitions and the shared tables
    found = tablecheck.validate_tables(root, today=TODAY).problems
    twice = planted()[1]["incident_id"]  # its child rows go to its first incident: the other is seen without
    assert [f for f in what(found) if f[0] != twice] == [f for f in what(single) if f[0] != twice]
    assert ("duplicate-id", 2) == (
        "duplicate-id",
        sum(p.code == "duplicate-id" for p in found if p.record == twice),
    )
    codes = {p.code for p in found}
    assert {"duplicate-id", "dangling-reference", "tombstone", "duplicate-incident"} <= codes
    assert {p.record for p in found if p.code == "duplicate-incident"} == {COPY, planted()[10]["incident_id"]}
    assert all("/partitioned/" in p.file for p in found if p.file != "datapackage.json")


def test_any_number_of_buckets_gives_the_same_problems(package):
    root, _ = package
    units, _ = tablecheck.units_of(root)
    where = str(root.resolve())
    results = []
    for buckets in (1, 3, 8):
        shuffle = across.shuffle(where, units, buckets)
        results.append(sorted(p for found in engines.local([shuffle])[0] for p in found))
    assert results[0] and results[0] == results[1] == results[2]


def test_each_partition_task_has_buckets_per_task_buckets_of_the_keys(package):
    root, _ = package
    sizes = []

    def recording(tasks):
        sizes.extend(len(task.reduces) for task in tasks if isinstance(task, engines.Shuffle))
        return engines.local(tasks)

    found = tablecheck.validate_tables(root, today=TODAY, engine=recording).problems
    units, _ = tablecheck.units_of(root)
    assert sizes == [across.BUCKETS_PER_TASK * (len(units) - 1)]  # a task per partition, the shared tables apart
    assert found == tablecheck.validate_tables(root, today=TODAY).problems


def test_a_process_cluster_finds_the_same_problems_as_threads_here(package, monkeypatch):
    root, _ = package
    size = sum(p.stat().st_size for p in (root / "data/tables/partitioned").rglob("part-00000.parquet"))
    monkeypatch.setattr(tablecheck, "GROUP_BYTES", 4 * size)  # fewer, larger tasks: about 4, their buckets with them
    folder = root / "data/tables/partitioned/revisions"
    here, there = sorted(folder.glob("*.parquet"))[4:6]
    moved = pq.read_table(here)  # a revision in the next incident's partition: its history is split
    pq.write_table(pq.read_table(here).slice(0, 0), here)
    pq.write_table(pa.concat_tables([pq.read_table(there), moved]), there)
    local = tablecheck.validate_tables(root, today=TODAY, engine=engines.local).problems
    units, _ = tablecheck.units_of(root)
    assert 3 <= len(tablecheck._groups(root, units)) - 1 <= 5  # and the shared tables alone
    on_dask = engines.dask(n_workers=2, threads_per_worker=1, processes=True)
    assert tablecheck.validate_tables(root, today=TODAY, engine=on_dask).problems == local
    assert [(p.file.rsplit("/", 1)[-1], p.line, p.record) for p in local if p.code == "partition"] == [
        ("part-00005.parquet", 3, planted()[3]["incident_id"])
    ]
    assert {"duplicate-id", "dangling-reference", "tombstone", "duplicate-incident"} <= {p.code for p in local}


def test_dask_sees_the_bytes_of_a_bucket_of_keys_so_it_can_spill_them():
    sizeof = pytest.importorskip("dask.sizeof").sizeof
    ids = pa.table({"incident_id": [f"inc_{i:026d}" for i in range(10_000)]})
    keys = across.Keys({"incidents": ids, "revisions": ids.slice(0, 5_000)})
    held = ids.nbytes + ids.slice(0, 5_000).nbytes
    assert held > 300_000 and sizeof(keys) >= held
    assert sizeof([keys] * 20) >= 20 * held  # a map task's result: a list of them, which Dask samples


def test_the_shared_tables_keys_are_checked_even_with_no_partition_left(tmp_path):
    built_package(tmp_path, [])
    partition.partition(tmp_path, (), 100)
    for name in tablecheck.INCIDENT_TABLES:  # every partition's files gone: only the shared tables are left
        for path in (tmp_path / "data/tables/partitioned" / name).glob("*.parquet"):
            path.unlink()
    (actors,) = (tmp_path / "data/tables/partitioned/actors").glob("*.parquet")
    pq.write_table(pa.concat_tables([pq.read_table(actors)] * 2), actors)  # every actor id twice
    units, _ = tablecheck.units_of(tmp_path)
    assert [u.partition for u in units] == [""]
    found = tablecheck.validate_tables(tmp_path, today=TODAY).problems
    assert {(p.code, p.file) for p in found} == {("duplicate-id", str(actors.relative_to(tmp_path)))}
