from __future__ import annotations

import subprocess

import pyarrow as pa
import rebuild_floor
import run


def _rebuilt(tmp_path):
    """A small records repository, built, ten records changed and committed, and built again: the tables
    that rebuild wrote."""
    root = run.records_repo(tmp_path, 60, 1)
    build = [run.INCIDENTS, "--root", str(root), "build"]
    subprocess.run(build, check=True, capture_output=True)
    run.commit_changes(root)
    before = rebuild_floor.written_by(root)
    subprocess.run(build, check=True, capture_output=True)
    return root, rebuild_floor.rewritten(before, root)


def test_the_floor_writes_again_the_very_bytes_the_rebuild_wrote_and_a_different_encoding_is_said(
    tmp_path, monkeypatch
):
    root, altered = _rebuilt(tmp_path)
    assert "incidents" in altered and "revisions" in altered and "actors" not in altered
    built = rebuild_floor.digests(root, altered)
    floor, note = run.measure_floor(root, tmp_path, altered, repeat=1)
    assert floor.finished and floor.code == 0 and note == ""
    assert rebuild_floor.digests(root, altered) == built

    staged_as_built = rebuild_floor.stage

    def one_row_short(root_, staged, names):  # a floor that would encode something else than the build
        staged_as_built(root_, staged, names)
        path = staged / "incidents.arrow"
        table = pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()  # not mapped: rewritten below
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table.slice(1))

    monkeypatch.setattr(rebuild_floor, "stage", one_row_short)
    _, note = run.measure_floor(root, tmp_path, altered, repeat=1)
    assert note == "not comparable: it wrote other bytes than the build"
