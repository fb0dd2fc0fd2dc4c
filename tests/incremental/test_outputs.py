"""A rebuild encodes again only the tables whose content changed (outputs, build.fingerprint), and gives
the bytes of a cold build; a table file changed on disk since the last build is never taken as it is."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from factories import TODAY, make_dataset, record, write_record
from incidents import build, standard, validate
from incidents.build import encode
from incidents.core.layout import Layout
from incidents.incremental import build_cache as cache
from incidents.incremental import kept_outputs as outputs

IDS = [f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}" for n in range(4)]


def files(layout: Layout) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [layout.descriptor, *sorted(layout.tables.glob("*"))]}


def cold(layout: Layout) -> dict[str, bytes]:
    """What a build with no cache at all writes."""
    shutil.rmtree(layout.cache)
    assert build.build(layout.root).problems == []
    return files(layout)


def encoded_tables(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the tables encoded from now on, by name."""
    std = standard.load()
    seen: list[str] = []
    original = encode.csv_bytes

    def spy(table: pa.Table) -> bytes:
        seen.extend(name for name in standard.TABLES if std.arrow_schema(name).names == table.column_names)
        return original(table)

    monkeypatch.setattr(encode, "csv_bytes", spy)
    return seen


@pytest.fixture
def built(tmp_path) -> Layout:
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    assert build.build(tmp_path).problems == []
    return layout


def test_an_edit_of_incident_fields_encodes_the_incidents_table_alone_and_gives_a_cold_builds_bytes(built, monkeypatch):
    write_record(built.root, record(IDS[1], summary="Rewritten after review."))
    seen = encoded_tables(monkeypatch)
    assert build.build(built.root).problems == []
    assert seen == ["incidents"]
    warm = files(built)
    assert b"Rewritten after review." in warm["incidents.csv"]
    assert warm == cold(built)


def test_an_edit_of_an_actor_list_encodes_that_table_again(built, monkeypatch):
    write_record(built.root, record(IDS[2], actors=[{"actor_id": record()["actors"][0]["actor_id"], "role": "side_a"}]))
    seen = encoded_tables(monkeypatch)
    assert build.build(built.root).problems == []
    assert "incident_actors" in seen and "sources" not in seen
    assert files(built) == cold(built)


def test_a_table_file_changed_on_disk_is_encoded_again_and_reported_until_then(built, monkeypatch):
    before = files(built)
    tampered = built.tables / "incident_actors.csv"
    tampered.write_bytes(tampered.read_bytes() + b"x")
    found = validate.validate(built.root, today=TODAY)
    assert [(p.file, p.code) for p in found] == [("data/tables/incident_actors.csv", "stale-build")]
    write_record(built.root, record(IDS[1], summary="Rewritten after review."))
    seen = encoded_tables(monkeypatch)
    assert build.build(built.root).problems == []
    assert sorted(seen) == ["incident_actors", "incidents"]
    assert files(built)["incident_actors.csv"] == before["incident_actors.csv"]


def test_a_note_from_another_encoder_is_not_trusted(built, monkeypatch):
    monkeypatch.setattr(outputs, "_stamp", lambda: "another pyarrow")
    seen = encoded_tables(monkeypatch)
    assert build.build(built.root).problems == []
    assert sorted(seen) == sorted(standard.TABLES)


def test_fingerprints_tell_tables_apart_by_values_and_by_schema_metadata():
    table = pa.table({"a": ["x", None, "z"]})
    assert build.fingerprint(table) == build.fingerprint(pa.table({"a": ["x", None, "z"]}))
    assert build.fingerprint(table) != build.fingerprint(pa.table({"a": ["x", "", "z"]}))
    assert build.fingerprint(table) != build.fingerprint(table.replace_schema_metadata({"version": "0.2.0"}))
    sliced = pa.table({"a": ["w", "x", None, "z"]}).slice(1)
    assert build.fingerprint(sliced) == build.fingerprint(table)


def noted(layout: Layout) -> dict:
    return json.loads((layout.cache / outputs.NAME).read_bytes())["tables"]


def test_a_stat_taken_as_the_files_were_written_is_not_noted(built):
    assert {fmt: entry[fmt]["stat"] for entry in noted(built).values() for fmt in outputs.FORMATS} == {
        "csv": None,
        "parquet": None,
    }


def test_files_kept_by_their_stat_are_not_read_again(built, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the stats noted at once
    assert build.build(built.root).problems == []
    assert all(entry["csv"]["stat"] for entry in noted(built).values())
    read: list[str] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or original(path))
    write_record(built.root, record(IDS[1], summary="Rewritten after review."))
    checked = validate.check_dataset(built, TODAY)
    assert sorted(p.name for p in checked.kept) == sorted(
        f"{name}.{fmt}" for name in standard.PUBLISHED_TABLES if name != "incidents" for fmt in outputs.FORMATS
    )
    assert not {p.name for p in checked.kept} & set(read)
    monkeypatch.undo()
    assert build.build(built.root).problems == []
    assert files(built) == cold(built)


def test_a_file_rewritten_with_its_size_and_mtime_is_still_seen(built, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    assert build.build(built.root).problems == []
    tampered = built.tables / "actors.csv"
    before, info = tampered.read_bytes(), tampered.stat()
    tampered.write_bytes(before.replace(b"a", b"b", 1))
    os.utime(tampered, ns=(info.st_atime_ns, info.st_mtime_ns))  # ctime moves on: no one can set it back
    assert tampered.stat().st_size == info.st_size and tampered.stat().st_mtime_ns == info.st_mtime_ns
    found = validate.validate(built.root, today=TODAY)
    assert [(p.file, p.code) for p in found] == [("data/tables/actors.csv", "stale-build")]
    assert build.build(built.root).problems == []
    assert tampered.read_bytes() == before
