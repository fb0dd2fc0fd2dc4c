"""Build: records -> tables and descriptor; deterministic, atomic, and valid for frictionless."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import INCIDENT, make_dataset, record, write_record
from incidents.build import build, encode

REPO = Path(__file__).resolve().parents[2]


def snapshot(root: Path) -> dict[str, bytes]:
    files = [root / "datapackage.json", *sorted((root / "data/tables").glob("*"))]
    return {p.name: p.read_bytes() for p in files}


def test_build_writes_csv_parquet_and_descriptor(dataset):
    result = build(dataset.root)
    assert result.problems == []
    names = {p.name for p in result.written}
    assert {"incidents.csv", "incidents.parquet", "revisions.csv", "datapackage.json"} <= names
    table = pq.read_table(dataset.tables / "incidents.parquet")
    assert table.column("incident_id").to_pylist() == [INCIDENT]
    assert table.column("fatalities_best").to_pylist() == [2]
    assert table.schema.metadata[b"package_version"] == b"0.1.0"
    assert table.schema.field("summary").metadata[b"description"].startswith(b"A neutral description")
    assert pq.ParquetFile(dataset.tables / "incidents.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


def test_same_records_give_byte_identical_outputs(tmp_path):
    first = make_dataset(tmp_path / "a", record(), record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T05"))
    second = make_dataset(tmp_path / "b", record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T05"), record())
    assert build(first.root).problems == [] and build(second.root).problems == []
    once = snapshot(first.root)
    assert once == snapshot(second.root)
    build(first.root)
    assert once == snapshot(first.root)


def test_descriptor_lists_every_table_with_bytes_hash_and_foreign_keys(dataset):
    build(dataset.root)
    descriptor = json.loads(dataset.descriptor.read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["version"] == "0.1.0" and descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {r["name"]: r for r in descriptor["resources"]}
    incidents = resources["incidents"]
    content = (dataset.root / incidents["path"]).read_bytes()
    assert incidents["bytes"] == len(content) and incidents["hash"].startswith("sha256:")
    assert resources["incidents-parquet"]["format"] == "parquet"
    fks = resources["incident_actors"]["schema"]["foreignKeys"]
    assert {fk["reference"]["resource"] for fk in fks} == {"incidents", "actors"}
    event_type = next(f for f in incidents["schema"]["fields"] if f["name"] == "event_type")
    assert len(event_type["constraints"]["enum"]) == 6


def test_invalid_records_write_nothing(dataset):
    write_record(dataset.root, record(event_type="skirmish"))
    result = build(dataset.root)
    assert result.problems and result.written == []
    assert not dataset.descriptor.exists() and not dataset.tables.exists()


def test_failed_build_leaves_previous_outputs_untouched(dataset, monkeypatch):
    build(dataset.root)
    before = snapshot(dataset.root)
    write_record(dataset.root, record(summary="Corrected summary."))

    def fail(_table):
        raise OSError("disk full")

    monkeypatch.setattr(encode, "parquet_bytes", fail)
    with pytest.raises(OSError):
        build(dataset.root)
    assert snapshot(dataset.root) == before
    assert not list(dataset.tables.glob(".*tmp"))


def test_interrupted_write_leaves_no_partial_file(dataset, monkeypatch):
    from incidents.core import atomic

    build(dataset.root)
    before = snapshot(dataset.root)
    write_record(dataset.root, record(summary="Corrected summary."))
    calls = []
    real_replace = atomic.os.replace

    def interrupted(src, dst):
        calls.append(dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(dataset.root)
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert calls and snapshot(dataset.root) == before
    assert not [p for p in dataset.root.rglob("*.tmp")]


def test_second_build_while_locked_gets_a_clear_message(dataset):
    from filelock import FileLock

    with FileLock(dataset.lock):
        result = build(dataset.root)
    assert [p.code for p in result.problems] == ["locked"]
    assert "another build" in result.problems[0].message


def frictionless_report(root: Path) -> dict:
    """`frictionless validate --json datapackage.json` run on the package at `root`, as a user runs it."""
    run = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(run.stdout)


def test_frictionless_validates_the_built_package(dataset):
    """`frictionless validate datapackage.json`: the descriptor and every CSV table are valid. The Parquet
    resources are tables (Data Package v2), which frictionless 5 reads but cannot validate: it reads Parquet
    through pandas, so an empty integer cell comes back as NaN and a list cell as an array (type errors to it),
    and it counts no bytes of a Parquet file. Those, and only those, are its findings on them
    (docs/get-the-data.md says so and what to do); the day frictionless reads Parquet as typed, this fails."""
    build(dataset.root)
    report = frictionless_report(dataset.root)
    assert report["errors"] == [], report["errors"]
    descriptor = json.loads(dataset.descriptor.read_text(encoding="utf-8"))
    fields = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in descriptor["resources"]}
    for task in report["tasks"]:
        if not task["name"].endswith("-parquet"):
            assert task["valid"], task["errors"][:3]
            continue
        for error in task["errors"]:
            field = fields[task["name"]].get(error.get("fieldName"), {})
            kind = field.get("type")
            lost_in_pandas = kind == "list" or (kind == "integer" and str(error.get("cell")) in ("nan", ""))
            known = error["type"] == "byte-count" or (error["type"] == "type-error" and lost_in_pandas)
            assert known, error


def test_frictionless_catches_a_tampered_table(dataset):
    build(dataset.root)
    path = dataset.tables / "incidents.csv"
    path.write_bytes(path.read_bytes().replace(b"Khaleej", b"Khaleeg"))
    # The package as a whole is not valid to frictionless anyway (its Parquet findings): the tampered CSV's own
    # task must be the one that fails.
    tasks = {task["name"]: task for task in frictionless_report(dataset.root)["tasks"]}
    assert tasks["incidents"]["valid"] is False and tasks["actors"]["valid"] is True


def test_the_committed_seed_records_are_valid_and_the_committed_tables_hold_them_as_built(seed_root):
    """The repository's hand-coded records, the four Qamishli incidents, built on their own (not with the whole
    imported dataset): valid, and their rows in the committed tables are the rows their records build."""
    from incidents.validate import validate
    from seed import SEED_RECORDS

    assert validate(seed_root) == []
    table = pq.read_table(seed_root / "data/tables/incidents.parquet")
    assert table.num_rows == len(SEED_RECORDS)
    assert sorted(table.column("location").to_pylist()) == [
        "Alwahda Street, Qamishli",
        "Khaleej Street, Qamishli",
        "Qamishli",
        "Qamishli",
    ]
    assert sorted(x or 0 for x in table.column("fatalities_best").to_pylist()) == [0, 0, 0, 2]
    evidence = pq.read_table(seed_root / "data/tables/incident_sources.parquet")
    assert set(evidence.column("incident_id").to_pylist()) == set(table.column("incident_id").to_pylist())
    for name in ("incidents", "incident_sources"):
        built = pq.read_table(seed_root / f"data/tables/{name}.parquet").sort_by("incident_id")
        committed = pq.read_table(REPO / f"data/tables/{name}.parquet", filters=[("incident_id", "in", SEED_RECORDS)])
        rows = committed.sort_by("incident_id").to_pylist()
        assert rows == built.to_pylist(), f"data/tables/{name}.parquet: run `incidents build`"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(-62_135_596_800_000, 253_402_300_799_999)), max_size=50),
    st.sampled_from(["s", "ms", "us"]),
)
def test_csv_timestamps_are_written_as_strftime_writes_them(millis, unit):
    scale = {"s": 1 / 1000, "ms": 1, "us": 1000}[unit]
    values = [None if m is None else int(m * scale) for m in millis]
    column = pa.array(values, pa.timestamp(unit, tz="UTC"))
    expected = pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")
    assert encode.iso_utc(column).equals(expected)


def test_a_build_and_a_rebuild_never_import_pandas(tmp_path):
    """pyarrow imports pandas on its first conversion of a Python value (0.2-0.3 s of a rebuild's CPU); the
    build needs none of it. In a fresh process each, as the `incidents` command runs them."""
    make_dataset(tmp_path)
    script = (
        "import sys, pathlib\n"
        "from incidents.build import build\n"
        f"result = build(pathlib.Path({str(tmp_path)!r}))\n"
        "print(len(result.problems), len(result.written), 'pandas' in sys.modules)\n"
    )
    cold = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    write_record(tmp_path, record(summary="Rewritten after review."))
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert cold.stdout == again.stdout == "0 17 False\n"
