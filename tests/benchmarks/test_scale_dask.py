"""benchmarks/scale_dask.py's parts that decide what its table means: the streamed synthetic tables (how 10M
incidents fit in memory) are the tables the whole-table path writes, and every error it plants across
partitions is found at its file and row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import make_synthetic
import pyarrow.parquet as pq
import pytest
import run
import scale_dask

from incidents import standard
from incidents.build import partition
from incidents.validate import package as tablecheck


def test_streamed_tables_are_the_tables_written_whole(tmp_path: Path) -> None:
    whole, streamed = tmp_path / "whole", tmp_path / "streamed"
    make_synthetic.write_tables(whole, 150, 3, chunk_blocks=1)
    make_synthetic.write_tables(streamed, 150, 3, chunk_blocks=1, streamed=True)
    for name in standard.PUBLISHED_TABLES:
        a, b = (root / f"data/tables/{name}" for root in (whole, streamed))
        assert a.with_suffix(".csv").read_bytes() == b.with_suffix(".csv").read_bytes(), name
        assert pq.read_table(a.with_suffix(".parquet")).equals(pq.read_table(b.with_suffix(".parquet"))), name
    assert b"geo" in pq.read_metadata(streamed / "data/tables/incidents.parquet").metadata  # written at the end
    assert tablecheck.validate_tables(streamed).problems == []  # the descriptor's hashes are the files'


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[scale_dask.Planted]]:
    root = tmp_path_factory.mktemp("scale") / "package"
    make_synthetic.make(root, 640, 5, as_records=False)
    largest = max((root / f"data/tables/{n}.parquet").stat().st_size for n in tablecheck.INCIDENT_TABLES)
    partition.partition(root, (), largest / 1024**2 / 4)  # four partitions
    return root, scale_dask.plant(root)


def test_every_planted_error_is_found_at_its_file_and_row(planted) -> None:
    root, errors = planted
    assert len(scale_dask.partition_files(root, "incidents")) == 4
    assert {e.code for e in errors} == {
        "duplicate-id",
        "tombstone",
        "dangling-reference",
        "partition",
        "revision-sequence",
    }
    assert len(errors) == 8
    problems = [dataclasses.asdict(p) for p in tablecheck.validate_tables(root).problems]
    assert scale_dask.found_planted(problems, errors) == len(errors)
    missed = [
        p for p in problems if (p["file"], p["line"], p["code"]) != (errors[0].file, errors[0].line, errors[0].code)
    ]
    assert scale_dask.found_planted(missed, errors) == len(errors) - 1  # a problem not reported is counted missing


def test_partition_sizes_are_each_partitions_largest_file(planted) -> None:
    root, _ = planted
    sizes, files = scale_dask.partition_sizes(root)
    assert len(sizes) == 4 and len(files) == 4 * len(tablecheck.INCIDENT_TABLES)
    incidents = [p.stat().st_size for p in scale_dask.partition_files(root, "incidents")]
    assert sizes == sorted(incidents)  # the incidents' file is each partition's largest here
    assert files == sorted(files) and sizes[-1] == files[-1]


MiB = scale_dask.MiB
DONE = run.Run(100.0, 2 * run.GiB, 0)


def scaled(sizes_mib: list[float], partition: run.Run = DONE) -> scale_dask.Scaled:
    sizes = [int(s * MiB) for s in sizes_mib]
    return scale_dask.Scaled(10_000_000, 71_000_000, 8, 100, 600, partition, sizes, sizes, [], "", [])


@pytest.mark.parametrize(
    ("sizes", "met"),
    [
        ([96, 98, 100, 100.1, 101, 102, 60], True),  # the 10M package's seven partitions, about 100 MB each
        ([150], True),
        ([150.01], False),  # one file too large
        ([50, 50, 149], True),
        ([49.9, 49.9, 149], False),  # most files too small
        ([0.1] * 2_700 + [100], False),  # a year-and-country layout: thousands of small files
    ],
)
def test_the_partition_target_is_met_by_files_of_about_100_mb_only(sizes, met) -> None:
    target = scale_dask.partition_target(scaled(sizes))
    assert target.met is met
    assert f"largest {max(sizes):,.1f} MiB" in target.detail


def test_a_partition_that_failed_or_timed_out_misses_the_target_with_the_reason() -> None:
    timed_out = scale_dask.partition_target(scaled([100], run.Run(None, 4 * run.GiB, None)))
    assert timed_out.met is False and timed_out.detail == "incidents partition timed out after 600 s"
    failed = scale_dask.partition_target(scaled([100], run.Run(3.0, 100, 2)))
    assert failed.met is False and failed.detail == "incidents partition exited 2"


PLANTED = [scale_dask.Planted(f"data/tables/partitioned/incidents/part-0000{i}.parquet", 2, "x", "") for i in range(8)]
KEYS = [("data/tables/partitioned/incidents/part-00000.parquet", "2", "inc_1", "id", "duplicate-id", "twice")]


def engine(workers: int | None, seconds: float | None = 300.0, keys=KEYS, hits: int = 8) -> scale_dask.EngineRun:
    return scale_dask.EngineRun(workers, run.Run(seconds, run.GiB, 1 if seconds else None), 400.0, 1.3, keys, hits)


def measured(*runs: scale_dask.EngineRun, incidents: int = 10_000_000) -> scale_dask.Scaled:
    done = scaled([100] * 7)
    done.incidents, done.planted, done.runs = incidents, PLANTED, list(runs)
    return done


def test_the_engines_target_is_met_at_10m_with_1_2_and_more_workers_finding_what_the_local_engine_finds() -> None:
    target = scale_dask.engines_target(measured(engine(None), engine(1), engine(2), engine(4)))
    assert target.met is True
    assert target.detail == (
        "10,000,000 incidents: local 300.0 s, dask, 1 worker 300.0 s, dask, 2 workers 300.0 s, dask, 4 workers "
        "300.0 s; 1 problem by each engine, the same; every planted error (8) found by each"
    )
    results = run.Results()
    scale_dask.report(results, measured(engine(None, 200.0), engine(2, 300.0)))
    assert [r.ratio for r in results.rows] == ["", "", "1.50x local"]
    assert [t.text for t in results.targets] == [scale_dask.PARTITION_TARGET, scale_dask.ENGINES_TARGET]


@pytest.mark.parametrize(
    ("runs", "incidents", "reason"),
    [
        ((engine(None), engine(1), engine(2)), 10_000_000, "Dask at 1, 2 workers, where 1, 2 and more are asked"),
        ((engine(None), engine(1), engine(2), engine(4)), 9_999_999, "measured at 9,999,999 incidents"),
        ((engine(None), engine(1), engine(2), engine(4, None, None, 0)), 10_000_000, "dask, 4 workers: timed out"),
        ((engine(None, None, None, 0), engine(1), engine(2), engine(4)), 10_000_000, "local: timed out after 600 s"),
        ((engine(None), engine(1), engine(2, keys=[]), engine(4)), 10_000_000, "dask, 2 workers: 0 problems, not"),
        ((engine(None), engine(1, hits=7), engine(2), engine(4)), 10_000_000, "dask, 1 worker: 7 of 8 planted"),
        ((engine(None, hits=0), engine(1), engine(2), engine(4)), 10_000_000, "local: 0 of 8 planted"),
    ],
)
def test_the_engines_target_is_missed_with_its_reason_when_a_run_fails_differs_or_misses_a_planted_error(
    runs, incidents, reason
) -> None:
    target = scale_dask.engines_target(measured(*runs, incidents=incidents))
    assert target.met is False and reason in target.detail


def test_nothing_planted_or_no_engine_run_never_meets_the_engines_target() -> None:
    none_planted = measured(engine(None, hits=0), engine(1, hits=0), engine(2, hits=0), engine(4, hits=0))
    none_planted.planted, none_planted.not_planted = [], "1 partition(s): plant needs 2"
    target = scale_dask.engines_target(none_planted)
    assert target.met is False and "no errors planted: 1 partition(s)" in target.detail
    assert scale_dask.engines_target(measured()).met is False
