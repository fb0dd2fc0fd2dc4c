"""Engines: the same checks, in this process or as tasks on a Dask cluster, give the same problems."""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

import pytest

from factories import MISSING_ACTOR_ID, TODAY, built_package, spread_records
from incidents.build import partition
from incidents.validate import engines
from incidents.validate import package as tablecheck


def test_dask_and_local_engines_give_identical_problems_on_a_partitioned_package(tmp_path):
    records = spread_records()
    records[0]["fatalities_low"] = 5  # 2023 SYR
    records[3]["actors"].append({"actor_id": MISSING_ACTOR_ID, "role": "side_b"})  # 2024 IRQ
    records[5]["evidence"][0]["char_end"] += 1  # 2024 SYR
    records[6]["event_type"] = "battle"  # 2023 IRQ
    records[7]["incident_id"] = records[2]["incident_id"]  # 2024 IRQ and 2023 IRQ
    built_package(tmp_path, records)
    partition.partition(tmp_path, ("year", "country"))
    local = tablecheck.validate_tables(tmp_path, today=TODAY, engine=engines.local).problems
    on_dask = engines.dask(processes=False, n_workers=1, threads_per_worker=2)
    assert tablecheck.validate_tables(tmp_path, today=TODAY, engine=on_dask).problems == local
    assert len({tuple(p.file.split("/")[4:6]) for p in local if "=" in p.file}) == 4  # in every partition
    assert {"fatality-range", "dangling-reference", "evidence-quote", "unknown-code", "duplicate-id"} <= {
        p.code for p in local
    }


def test_a_scheduler_needs_the_dask_engine_and_dask_needs_installing(monkeypatch):
    with pytest.raises(engines.EngineError, match="--engine dask"):
        engines.engine("local", "tcp://localhost:8786")
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(engines.EngineError, match=r"pip install 'incidents\[scale\]'"):
        engines.engine("dask")


def _pieces(m: int) -> list[tuple[int, int]]:
    return [(m, k) for k in range(4)]


def _joined(k: int, *pieces: tuple[int, int]) -> tuple[int, list[tuple[int, int]]]:
    return k, list(pieces)


def test_a_shuffle_on_the_local_engine_gives_each_reducer_its_piece_of_every_map_and_leaves_no_file(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shuffle = engines.Shuffle([partial(_pieces, m) for m in range(3)], [partial(_joined, k) for k in range(4)])
    out = engines.local([shuffle, partial(int, "7")])
    assert out == [[(k, [(m, k) for m in range(3)]) for k in range(4)], 7]
    assert list(tmp_path.iterdir()) == []


def test_a_map_output_waits_for_its_reducer_on_disk_and_is_read_back_equal(tmp_path):
    paths = engines._spill(partial(_pieces, 5), str(tmp_path / "m"))
    assert [Path(p).exists() for p in paths] == [True] * 4
    assert engines._unspill(partial(_joined, 2), [paths[2]]) == (2, [(5, 2)])
    assert not Path(paths[2]).exists() and Path(paths[0]).exists()
