"""A build's outputs change all at once: a build killed between any two of its writes leaves the old set or
a journal the next command finishes, and no temporary file; after the next command the outputs are exactly
the old set or exactly the new one (core.output_set)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import (
    ACTOR_A,
    SOURCE,
    actor,
    built_package,
    git,
    make_dataset,
    record,
    source_meta,
    spread_records,
    write_yaml,
)
from incidents.build import build, partition
from incidents.cli import cli, main
from incidents.core import atomic, output_set
from incidents.core.layout import Layout
from incidents.validate.partitions import PARTITIONED

INCIDENTS = Path(sys.executable).with_name("incidents")
SECOND = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
CITED = [{"publisher": "SOHR", "published_at": "2024-03-07", "title": "Clashes in Qamishli"}]


def outputs(root: Path) -> dict[str, bytes]:
    """The build's outputs on disk: the descriptor and every file in data/tables/."""
    files = [root / "datapackage.json", *sorted((root / "data/tables").iterdir())]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.name.endswith(".tmp"))


def change_everything(layout: Layout) -> None:
    """Edit the dataset so that every table and the descriptor build to other bytes."""
    day = "2023-03-07"  # another incident, not a duplicate of the first
    write_yaml(layout.records / f"{SECOND}.yaml", record(SECOND, date_start=day, date_end=day, citations=CITED))
    write_yaml(layout.actors / f"{ACTOR_A}.yaml", actor(ACTOR_A, "Local militia"))
    write_yaml(layout.source_meta(SOURCE), {**source_meta(), "title": "Clashes in Qamishli, updated"})


@pytest.fixture
def old_and_new(tmp_path: Path) -> tuple[Layout, dict[str, bytes], dict[str, bytes]]:
    """A dataset built once (the old outputs), then changed (the outputs a clean build of it gives: new)."""
    old = make_dataset(tmp_path / "old")
    assert build(old.root).problems == []
    new = make_dataset(tmp_path / "new")
    change_everything(new)
    assert build(new.root).problems == []
    before, after = outputs(old.root), outputs(new.root)
    assert before.keys() == after.keys() and len(before) == 17
    assert [name for name in before if before[name] == after[name]] == []  # every output changes
    return old, before, after


def killed_build(root: Path, at: int) -> bool:
    """`incidents build` in a child process that kills itself (SIGKILL) at its `at`th write, rename or
    removal; True if it was killed, False if it finished first. Forked, not started afresh: a new interpreter
    would take most of a second to import, for each of the dozens of points."""
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        os.environ[atomic.KILL_AT] = str(at)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        sys.argv = ["incidents", "--root", str(root), "build"]
        try:
            main()
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0
    return False


def test_a_build_killed_between_any_two_writes_leaves_the_old_or_the_new_outputs_whole(tmp_path, old_and_new):
    old, before, after = old_and_new
    root = tmp_path / "repo"
    staging = output_set.staging(Layout(root))
    journal = staging / output_set.JOURNAL
    at, committed = 0, []
    while True:
        at += 1
        fresh_copy(old, root)
        if not killed_build(root, at):
            break
        if journal.exists():  # committed: the next command finishes the renames
            committed.append(at)
            expected = after
        else:  # not committed, or finished: whole either way
            expected = before if outputs(root) == before else after
            assert outputs(root) == expected, f"killed at step {at}: a mix of old and new outputs"
        result = CliRunner().invoke(cli, ["--root", str(root), "validate"])  # the next command
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert outputs(root) == expected, f"killed at step {at}"
        assert not staging.exists() and leftovers(root) == [], f"killed at step {at}"
    assert outputs(root) == after and not staging.exists() and leftovers(root) == []
    assert len(committed) > len(after)  # a kill before each rename of the swap and before removing the journal
    assert at > 2 * len(after)  # and before each staged write

    # The same hook through the installed command: killed after its journal and one rename (a mix of old and
    # new files on disk), the build is finished by the next command.
    fresh_copy(old, root)
    env = {**os.environ, atomic.KILL_AT: str(committed[0] + 1)}
    done = subprocess.run([INCIDENTS, "--root", str(root), "build"], env=env, capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL and journal.exists() and outputs(root) not in (before, after)
    subprocess.run([INCIDENTS, "--root", str(root), "validate"], capture_output=True, check=False)
    assert outputs(root) == after and leftovers(root) == [] and not staging.exists()


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_partitioning_killed_at_any_step_leaves_the_old_or_the_new_folder_whole(tmp_path):
    layout = built_package(tmp_path / "repo", spread_records(1))
    folder = layout.tables / PARTITIONED
    before = folder_files(partition.partition(layout.root, ("year",)))
    after = folder_files(partition.partition(layout.root, ("year", "country")))
    assert before != after
    at = 0
    while True:
        at += 1
        partition.partition(layout.root, ("year",))
        pid = os.fork()
        if pid == 0:
            os.environ[atomic.KILL_AT] = str(at)
            try:
                partition.partition(layout.root, ("year", "country"))
            finally:
                os._exit(0 if folder_files(folder) == after else 1)
        _, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            assert os.WEXITSTATUS(status) == 0
            break
        assert output_set.recover(layout) == []
        assert folder_files(folder) in (before, after), f"killed at step {at}"
        assert not output_set.staging(layout).exists() and leftovers(layout.root) == []
    assert at > len(after) and folder_files(folder) == after


def fresh_copy(old: Layout, root: Path) -> None:
    """The old outputs and the cache of the build that wrote them, with the dataset changed since."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(old.root, root)
    change_everything(Layout(root))


def test_an_older_versions_temp_files_are_removed_and_a_strangers_reported(tmp_path):
    layout = make_dataset(tmp_path)
    assert build(layout.root).problems == []
    ours = [layout.tables / ".incidents.csv.k2_9x0ab.tmp", layout.root / ".datapackage.json.ab12cd34.tmp"]
    dead = layout.cache / f".meta.json.{2**22 + 7}.abcdefgh.tmp"  # a pid no process has
    stranger = layout.tables / "incidents.csv.tmp"
    for path in [*ours, dead, stranger]:
        path.write_bytes(b"half a file")
    old_partitions = layout.tables / ".partitioned.x1y2z3/partitioned/incidents/part-0.parquet"
    old_partitions.parent.mkdir(parents=True)
    old_partitions.write_bytes(b"half a folder")
    ours.append(layout.tables / ".partitioned.x1y2z3")
    result = CliRunner().invoke(cli, ["--root", str(layout.root), "validate", "--format", "json"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)["problems"]
    assert [(p["file"], p["code"]) for p in found] == [("data/tables/incidents.csv.tmp", "stray-temp-file")]
    assert not any(path.exists() for path in [*ours, dead]) and stranger.exists()


def test_a_live_writers_temp_file_is_left_alone(tmp_path):
    layout = make_dataset(tmp_path)
    writing = layout.root / f".CHANGES.md.{os.getpid()}.abcdefgh.tmp"  # this process is alive
    writing.write_bytes(b"being written")
    assert output_set.recover(layout) == [] and writing.exists()


def test_a_staging_folder_without_journal_is_rolled_back(tmp_path):
    layout = make_dataset(tmp_path)
    assert build(layout.root).problems == []
    before = outputs(layout.root)
    staged = output_set.staging(layout) / "data/tables/incidents.csv"
    staged.parent.mkdir(parents=True)
    staged.write_bytes(b"not committed")
    assert output_set.recover(layout) == []
    assert outputs(layout.root) == before and not output_set.staging(layout).exists()


def test_a_journal_naming_a_file_outside_the_repository_is_not_followed(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    folder = output_set.staging(layout)
    (folder / "data").mkdir(parents=True)
    (folder / "data/x").write_bytes(b"planted")
    (folder / output_set.JOURNAL).write_text(json.dumps(["../outside", "data/x"]), encoding="utf-8")
    assert output_set.recover(layout) == []
    assert not (tmp_path / "outside").exists() and not (layout.data / "x").exists() and not folder.exists()


def test_a_staging_folder_committed_to_git_is_neither_used_nor_removed_and_is_reported(tmp_path):
    layout = make_dataset(tmp_path)
    assert build(layout.root).problems == []
    before = outputs(layout.root)
    folder = output_set.staging(layout)
    (folder / "data/tables").mkdir(parents=True)
    (folder / "data/tables/incidents.csv").write_bytes(b"chosen by a contribution")
    (folder / output_set.JOURNAL).write_text(json.dumps(["data/tables/incidents.csv"]), encoding="utf-8")
    git(layout.root, "init", "-q")
    git(layout.root, "add", "-A", "-f")
    git(layout.root, "commit", "-q", "-m", "a contribution")
    found = output_set.recover(layout)
    assert [(p.file, p.code) for p in found] == [("data/.build-staging", "committed-staging")]
    assert outputs(layout.root) == before and (folder / output_set.JOURNAL).exists()
    assert [p.code for p in build(layout.root).problems] == ["committed-staging"]
