"""benchmarks/scale_dask.py's parts that decide what its table means: the streamed synthetic tables (how 10M
incidents fit in memory) are the tables the whole-table path writes, and every error it plants across
partitions is found at its file and row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import make_synthetic
import pyarrow.parquet as pq
import pytest
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
