"""The build cache: a rebuild re-checks only new and changed files, gives the bytes of a cold build, finds
the same problems, and never trusts a cache that is damaged or from another version."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa

from factories import ACTOR_B, TODAY, make_dataset, record, write_record
from incidents import standard, validate
from incidents.build import build
from incidents.core.layout import Layout
from incidents.incremental import build_cache as cache
from incidents.validate import files as filecheck

IDS = [f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}" for n in range(6)]


def outputs(layout: Layout) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [layout.descriptor, *sorted(layout.tables.glob("*"))]}


def cold_outputs(layout: Layout) -> dict[str, bytes]:
    shutil.rmtree(layout.cache)
    assert build(layout.root).problems == []
    return outputs(layout)


def checked_files(monkeypatch) -> list[str]:
    """Record the files that get parsed and schema-checked from now on."""
    seen: list[str] = []
    original = filecheck.check_chunk

    def spy(items, fingerprints=True):
        seen.extend(display for _, _, display in items)
        return original(items, fingerprints)

    monkeypatch.setattr(filecheck, "check_chunk", spy)
    return seen


def test_a_rebuild_checks_only_changed_files_and_gives_the_bytes_of_a_cold_build(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    assert build(layout.root).problems == []
    write_record(layout.root, record(IDS[0], summary="Militia fighters attacked a patrol; two were killed."))
    (layout.records / f"{IDS[1]}.yaml").unlink()
    added = write_record(layout.root, record("inc_01KAXQ8N5D4C3R6E0J2VWZ0099"))
    seen = checked_files(monkeypatch)
    assert build(layout.root).problems == []
    assert sorted(seen) == sorted(layout.rel(p) for p in (layout.records / f"{IDS[0]}.yaml", added))
    warm = outputs(layout)
    assert b"two were killed" in warm["incidents.csv"] and IDS[1].encode() not in warm["incidents.csv"]
    assert warm == cold_outputs(layout)


def test_successive_small_changes_add_segments_then_the_cache_is_written_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(cache, "LARGE_CHANGE", 0.5)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written just before are trusted by their stat
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    assert build(layout.root).problems == []
    counts = []
    for number, incident_id in enumerate(IDS[:4]):
        write_record(layout.root, record(incident_id, injured=number + 3))
        if number == 2:
            (layout.records / f"{IDS[5]}.yaml").unlink()
        assert build(layout.root).problems == []
        loaded = cache.load(layout, standard.load(), False)
        assert loaded is not None
        counts.append(len(loaded.segments))
    assert counts == [2, 3, 1, 2]
    assert outputs(layout) == cold_outputs(layout)


def test_a_change_that_keeps_size_and_mtime_is_still_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written just before are trusted by their stat
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    assert build(layout.root).problems == []
    path = layout.records / f"{IDS[2]}.yaml"
    before = path.stat()
    path.write_text(path.read_text().replace("two attackers", "two assailers"))  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert build(layout.root).problems == []
    assert b"two assailers" in outputs(layout)["incidents.csv"]
    assert outputs(layout) == cold_outputs(layout)


def test_a_damaged_or_foreign_cache_is_ignored_and_rebuilt(tmp_path):
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    assert build(layout.root).problems == []
    std = standard.load()
    assert cache.load(layout, std, False) is not None
    expected = outputs(layout)
    table = layout.cache / "0-incidents.arrow"
    table.write_bytes(table.read_bytes()[:-40] + b"\0" * 40)  # same size, other bytes
    assert cache.load(layout, std, False) is None
    assert build(layout.root).problems == [] and outputs(layout) == expected
    assert cache.load(layout, std, False) is not None  # rebuilt by that build
    meta = json.loads((layout.cache / "meta.json").read_text())
    (layout.cache / "meta.json").write_text(json.dumps({**meta, "stamp": "another version"}))
    assert cache.load(layout, std, False) is None
    (layout.cache / "meta.json").write_text("{not json")
    assert cache.load(layout, std, False) is None
    assert cache.load(layout, std, True) is None  # taken without continuity's fingerprints
    assert build(layout.root).problems == [] and outputs(layout) == expected


def test_problems_on_cached_rows_name_file_and_line_as_without_the_cache(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    assert build(layout.root).problems == []
    (layout.actors / f"{ACTOR_B}.yaml").unlink()  # every cached record now points at a missing actor
    seen = checked_files(monkeypatch)
    warm = validate.check_dataset(layout, TODAY).problems
    assert seen == []
    cold = validate.check_dataset(layout, TODAY, use_cache=False).problems
    assert sorted(warm) == sorted(cold)
    dangling = [p for p in warm if p.code == "dangling-reference"]
    assert len(dangling) == len(IDS) and all(p.line and p.file.startswith("data/records/") for p in dangling)


def test_files_checked_in_parallel_give_what_one_process_gives(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path, *(record(i) for i in IDS))
    items = [("record", str(layout.records / f"{i}.yaml"), f"data/records/{i}.yaml") for i in IDS]
    one = filecheck.check_files(items, jobs=1)
    monkeypatch.setattr(filecheck, "PARALLEL_FROM", 2)
    monkeypatch.setattr(filecheck, "CHUNK", 4)
    shared = filecheck.check_files(items, jobs=2)
    assert shared.files.equals(one.files) and shared.problems == one.problems
    assert all(shared.rows[name].equals(one.rows[name]) for name in one.rows)


def test_the_cache_is_ignored_by_git(tmp_path):
    layout = make_dataset(tmp_path)
    assert build(layout.root).problems == []
    assert (layout.cache / ".gitignore").read_text() == "*\n"
    assert ".incidents-cache/" in (Path(__file__).parents[2] / ".gitignore").read_text().split()


def test_a_cached_file_replaced_by_a_symlink_to_the_same_bytes_is_refused(tmp_path):
    layout = make_dataset(tmp_path / "repo", *(record(i) for i in IDS))
    assert build(layout.root).problems == []
    path = layout.records / f"{IDS[0]}.yaml"
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)
    warm = validate.check_dataset(layout, TODAY).problems
    assert [p.code for p in warm] == ["symlink"]
    assert warm == validate.check_dataset(layout, TODAY, use_cache=False).problems


def test_a_cached_file_counts_as_unchanged_only_where_git_gives_its_recorded_object_id():
    recorded = pa.table(
        {"path": ["a.yaml", "b.yaml", "c.yaml", "d.yaml"], "object_id": ["1" * 40, "2" * 40, "3" * 40, None]}
    )
    vouched = pa.table(
        {"path": ["d.yaml", "b.yaml", "a.yaml", "e.yaml"], "object_id": ["4" * 40, "9" * 40, "1" * 40, "5" * 40]}
    )
    # a: the same id; b: another id (its bytes changed); c: git does not vouch for it; d: no id recorded
    assert cache.same_objects(recorded, vouched).to_pylist() == ["a.yaml"]
