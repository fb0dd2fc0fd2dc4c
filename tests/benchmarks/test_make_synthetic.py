"""The synthetic generator: valid records, a fast path that writes what `incidents build` writes, the same
bytes for the same size and seed, and planted errors that both our checks and frictionless find."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import make_synthetic
import pyarrow.parquet as pq
import pytest
import run as run_py

from incidents import standard
from incidents.build import build
from incidents.validate import package as tablecheck
from incidents.validate import validate

N, SEED = 150, 3  # three blocks of incidents


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    make_synthetic.make(folder / "records", N, SEED, as_records=True)
    make_synthetic.make(folder / "tables", N, SEED, as_records=False, chunk_blocks=1)  # three chunks, concatenated
    return folder


def test_records_validate_and_build(made: Path) -> None:
    root = made / "records"
    assert len(list((root / "data/records").glob("*.yaml"))) == N
    assert validate(root) == []
    assert build(root).problems == []
    assert validate(root) == []  # the built tables are in step with the records


def test_the_fast_path_writes_what_build_writes(made: Path) -> None:
    """The built package written directly is byte for byte what `incidents build` makes of the records."""
    build(made / "records")
    built = {k: v for k, v in files(made / "records").items() if k.startswith(("data/tables/", "datapackage"))}
    direct = files(made / "tables")
    assert set(built) == {k for k in direct if k.startswith(("data/tables/", "datapackage"))}
    assert len(built) == 2 * len(standard.PUBLISHED_TABLES) + 1  # CSV and Parquet of each table, and the descriptor
    for path, content in built.items():
        assert direct[path] == content, path
    texts = {k: v for k, v in files(made / "records").items() if k.endswith(".txt")}
    assert texts == {k: v for k, v in direct.items() if k.endswith(".txt")}


def test_same_size_and_seed_give_the_same_bytes(made: Path, tmp_path: Path) -> None:
    make_synthetic.make(tmp_path / "again", N, SEED, as_records=False)  # one chunk: chunking changes no byte
    make_synthetic.make(tmp_path / "other", N, SEED + 1, as_records=False)
    assert files(tmp_path / "again") == files(made / "tables")
    assert (
        files(tmp_path / "other")["data/tables/incidents.parquet"]
        != files(made / "tables")["data/tables/incidents.parquet"]
    )
    assert make_synthetic.made(tmp_path / "again", N, SEED, as_records=False)
    assert not make_synthetic.made(tmp_path / "again", N + 1, SEED, as_records=False)


def test_the_mix_is_skewed_and_realistic(made: Path) -> None:
    incidents = pq.read_table(made / "tables/data/tables/incidents.parquet").to_pylist()
    countries = [r["country"] for r in incidents]
    top = max(set(countries), key=countries.count)
    assert countries.count(top) > 3 * N / len(set(countries))  # a few countries hold most events
    assert {r["status"] for r in incidents} >= {"active"}
    evidence = pq.read_table(made / "tables/data/tables/incident_sources.parquet")
    assert evidence.num_rows > N  # several sources per incident
    actors = pq.read_table(made / "tables/data/tables/actors.parquet").to_pylist()
    assert len(actors) == make_synthetic.actor_count(N) and any(a["aliases"] for a in actors)


def test_injected_errors_are_found_by_our_checks_and_frictionless(tmp_path: Path) -> None:
    root = tmp_path / "errors"
    make_synthetic.make(root, N, SEED, as_records=False, errors=True)
    planted = {(p["table"], p["row"], p["field"]) for p in json.loads((root / "injected.json").read_text())}
    assert {p["kind"] for p in json.loads((root / "injected.json").read_text())} == {
        "bad code",
        "missing required value",
        "duplicated id",
        "dangling foreign key",
        "out of range",
        "malformed date",
    }
    report = tablecheck.validate_tables(root, today=dt.date(2026, 1, 1))
    ours = {(Path(p.file).name.split(".")[0], p.line - 2, p.field) for p in report.problems if p.line}
    assert planted <= ours
    run = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = run_py.frictionless_findings(run.stdout)  # as benchmarks/run.py reads frictionless
    assert found == {(table, "csv", row, field) for table, row, field in planted}  # it reads the CSV files only


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("copies") / "base"
    make_synthetic.write_tables(root, N, SEED, chunk_blocks=1, streamed=True)
    return root


def test_one_copy_of_a_package_is_its_bytes(streamed: Path, tmp_path: Path) -> None:
    make_synthetic.write_copies(tmp_path / "one", streamed, 1)
    assert files(tmp_path / "one") == files(streamed)


def test_copies_are_a_valid_package_of_new_incidents(streamed: Path, tmp_path: Path) -> None:
    make_synthetic.make(tmp_path / "three", 3 * N, SEED, as_records=False, copies=3, base=streamed.parent / "made")
    assert make_synthetic.made(tmp_path / "three", 3 * N, SEED, as_records=False, copies=3)
    assert not make_synthetic.made(tmp_path / "three", 3 * N, SEED, as_records=False)
    three = tmp_path / "three"
    base = pq.read_table(streamed / "data/tables/incidents.parquet")
    copied = pq.read_table(three / "data/tables/incidents.parquet")
    assert copied.num_rows == 3 * base.num_rows
    ids = copied.column("incident_id").to_pylist()
    assert ids == sorted(set(ids))  # unique, in the build's order
    second = copied.slice(base.num_rows, base.num_rows)
    days = make_synthetic.SHIFT_DAYS
    dated = [d for d in base.column("date_start").to_pylist() if d]
    assert [d for d in second.column("date_start").to_pylist() if d] == [d - dt.timedelta(days) for d in dated]
    undated = [i for i, d in enumerate(base.column("date_start").to_pylist()) if d is None]
    assert undated  # their points move instead
    assert all(second.column("latitude")[i] != base.column("latitude")[i] for i in undated)
    for name in tablecheck.INCIDENT_TABLES:  # every child row points at an incident of its copy
        child = pq.read_table(three / f"data/tables/{name}.parquet", columns=["incident_id"]).column(0)
        assert (
            set(child.to_pylist()) <= set(ids)
            and len(child) == 3 * pq.read_metadata(streamed / f"data/tables/{name}.parquet").num_rows
        )
    assert tablecheck.validate_tables(three).problems == []
