"""Two builds of one dataset at once, in separate processes: the lock lets one write, the other is told why
it stopped (or waits with --wait), and the outputs are never a mix of the two."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from factories import make_dataset, record
from incidents.build import build

INCIDENTS = Path(sys.executable).with_name("incidents")
HOLD_LOCK = """
import sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def outputs(root: Path) -> dict[str, bytes]:
    files = [root / "datapackage.json", *sorted((root / "data/tables").glob("*"))]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.exists()}


def start_build(root: Path, *options: str) -> subprocess.Popen[str]:
    command = [str(INCIDENTS), "--root", str(root), "build", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def dataset(root: Path):
    ids = [f"inc_01KAXQ8N5D4C3R6E0J2VWZ7T{n:02d}" for n in range(30)]
    return make_dataset(root, *(record(incident_id) for incident_id in ids))


def test_a_build_while_another_process_holds_the_lock_stops_with_a_clear_message(tmp_path):
    layout = dataset(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(layout.lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        second = start_build(layout.root)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 1
        assert "data/.build.lock" in out and "another build holds the lock" in out and "--wait" in out
        assert "Traceback" not in out + err
        assert outputs(layout.root) == {}
        waiting = start_build(layout.root, "--wait", "60")
    finally:
        holder.communicate("release\n", timeout=60)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, out + err
    assert "datapackage.json" in outputs(layout.root)


def test_two_builds_started_at_once_leave_the_outputs_one_build_makes(tmp_path):
    reference = dataset(tmp_path / "reference")
    assert build(reference.root).problems == []
    layout = dataset(tmp_path / "repo")
    builds = [start_build(layout.root), start_build(layout.root)]
    results = [(process.wait(timeout=120), *process.communicate()) for process in builds]
    assert any(code == 0 for code, _, _ in results), results
    for code, out, err in results:
        assert code == 0 or (code == 1 and "another build holds the lock" in out), (code, out, err)
        assert "Traceback" not in out + err
    assert outputs(layout.root) == outputs(reference.root)
    assert not list(layout.root.rglob("*.tmp"))


def test_two_waiting_builds_at_once_both_succeed_one_after_the_other(tmp_path):
    layout = dataset(tmp_path / "repo")
    builds = [start_build(layout.root, "--wait", "60"), start_build(layout.root, "--wait", "60")]
    for process in builds:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, out + err
    reference = dataset(tmp_path / "reference")
    assert build(reference.root).problems == []
    assert outputs(layout.root) == outputs(reference.root)
