"""In a git checkout, git names the files whose bytes may have changed (worktree.vouched), and a rebuild
takes the rest from the cache by their object id without a stat: what it finds must be what a check of
everything finds, whatever git was told."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factories import ACTOR_A, ACTOR_B, SOURCE, TODAY, git, make_dataset, record, write_record
from incidents import records, validate
from incidents.core import git_tracked as worktree
from incidents.core.layout import Layout
from incidents.incremental import build_cache as cache
from incidents.records import dataset

IDS = [f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}" for n in range(6)]
FOLDERS = ["data/records", "data/actors", "data/sources"]


def committed(root: Path) -> Layout:
    layout = make_dataset(root, *(record(i) for i in IDS))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "records")
    return layout


def vouched(root: Path) -> dict[str, str]:
    table = worktree.vouched(root, FOLDERS)
    assert table is not None
    return dict(zip(table.column("path").to_pylist(), table.column("object_id").to_pylist(), strict=True))


def rel(n: int) -> str:
    return f"data/records/{IDS[n]}.yaml"


@pytest.mark.parametrize("content", [b"", b"incident_id: x\n", "Qamişlo \u00e9\n".encode(), bytes(range(256)) * 40])
def test_object_ids_are_those_git_gives(tmp_path, content):
    path = tmp_path / "file"
    path.write_bytes(content)
    assert worktree.object_id(content) == git(tmp_path, "hash-object", str(path)).strip()


def test_git_vouches_only_for_tracked_regular_files_holding_their_index_bytes(tmp_path):
    layout = committed(tmp_path)
    (layout.root / rel(0)).write_text("edited\n")  # modified, not staged
    (layout.root / rel(1)).write_text("staged\n")
    git(tmp_path, "add", rel(1))  # staged: the index holds these bytes
    (layout.root / rel(2)).write_text("staged, then edited\n")
    git(tmp_path, "add", rel(2))
    (layout.root / rel(2)).write_text("staged, then edited again\n")
    git(tmp_path, "update-index", "--assume-unchanged", rel(3))
    (layout.root / rel(3)).write_text("edited behind git's back\n")
    git(tmp_path, "update-index", "--skip-worktree", rel(4))
    (layout.root / rel(5)).unlink()
    (layout.records / "inc_new.yaml").write_text("untracked\n")
    actor = layout.actors / f"{ACTOR_A}.yaml"
    actor.unlink()
    actor.symlink_to(layout.source_meta(SOURCE))
    untouched = [layout.source_meta(SOURCE), layout.source_text(SOURCE), layout.actors / f"{ACTOR_B}.yaml"]
    assert vouched(tmp_path) == {
        rel(1): worktree.object_id(b"staged\n"),
        **{layout.rel(path): worktree.object_id(path.read_bytes()) for path in untouched},
    }


def test_git_cannot_vouch_outside_the_top_of_a_work_tree(tmp_path, monkeypatch):
    assert worktree.vouched(tmp_path, FOLDERS) is None  # not a repository
    committed(tmp_path / "repo")
    inner = tmp_path / "repo" / "data"
    assert worktree.vouched(inner, ["records"]) is None  # a folder inside one: its paths would not be ours
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # a hook's environment does not redirect the question
    assert len(vouched(tmp_path / "repo")) == 6 + 2 + 2


def test_a_rebuild_in_a_git_checkout_stats_only_the_files_git_cannot_vouch_for(tmp_path, monkeypatch):
    layout = committed(tmp_path)
    assert validate.check_dataset(layout, TODAY).problems == []
    write_record(tmp_path, record(IDS[0], summary="Rewritten after review."))
    write_record(tmp_path, record("inc_01KAXQ8N5D4C3R6E0J2VWZ0099"))
    stat_ed: list[str] = []
    original = dataset._lstat
    monkeypatch.setattr(dataset, "_lstat", lambda path: stat_ed.append(path) or original(path))
    checked = validate.check_dataset(layout, TODAY)
    assert checked.problems == []
    assert sorted(layout.rel(Path(p)) for p in stat_ed) == [rel(0), "data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ0099.yaml"]
    summaries = checked.tables["incidents"].column("summary").to_pylist()
    assert "Rewritten after review." in summaries and len(summaries) == 7


def _edit(layout: Layout, n: int, **changes: object) -> None:
    path = layout.root / rel(n)
    if path.is_file() and not path.is_symlink():
        data = records.read(path, "x").data
        data.update(changes)
        write_record(layout.root, data)


def _same_size_same_mtime(layout: Layout, n: int) -> None:
    """A change that keeps the size and the mtime: only the ctime (and git's racy check) can tell."""
    path = layout.root / rel(n)
    if path.is_file() and not path.is_symlink():
        info = path.stat()
        text = path.read_text()
        path.write_text(text.replace("fatalities_best: 2", "fatalities_best: 9"))
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _git_quietly(layout: Layout, *args: str) -> None:
    try:
        git(layout.root, *args)
    except Exception:  # noqa: BLE001 - e.g. nothing to commit, a path git no longer has: the state stands
        pass


def _symlinked(layout: Layout, n: int) -> None:
    path = layout.root / rel(n)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(layout.root / rel((n + 1) % 6))


OPERATIONS = {
    "edit (valid)": lambda layout, n: _edit(layout, n, summary=f"Edited {n}."),
    "edit (broken range)": lambda layout, n: _edit(layout, n, fatalities_low=5),
    "edit keeping size and mtime": _same_size_same_mtime,
    "delete": lambda layout, n: (layout.root / rel(n)).unlink(missing_ok=True),
    "add untracked": lambda layout, n: write_record(layout.root, record(f"inc_01KAXQ8N5D4C3R6E0J2VWZ9{n:03d}")),
    "replace by a symlink": _symlinked,
    "stage all": lambda layout, n: _git_quietly(layout, "add", "-A"),
    "commit all": lambda layout, n: _git_quietly(layout, "commit", "-qam", "edit"),
    "restore from HEAD": lambda layout, n: _git_quietly(layout, "checkout", "HEAD", "--", rel(n)),
    "assume unchanged": lambda layout, n: _git_quietly(layout, "update-index", "--assume-unchanged", rel(n)),
    "skip worktree": lambda layout, n: _git_quietly(layout, "update-index", "--skip-worktree", rel(n)),
    "untrack": lambda layout, n: _git_quietly(layout, "rm", "-q", "--cached", rel(n)),
}


@example(steps=[[("assume unchanged", 0), ("edit (broken range)", 0)]])
@example(steps=[[("skip worktree", 1), ("edit keeping size and mtime", 1)]])
@example(steps=[[("edit keeping size and mtime", 2), ("stage all", 0)], [("restore from HEAD", 2)]])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.lists(st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(0, 5)), max_size=4), max_size=3)
)
def test_checks_in_a_git_checkout_find_what_a_check_of_everything_finds(tmp_path_factory, monkeypatch, steps):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the stat shortcut as trusting as it can be: git must not need it
    layout = committed(tmp_path_factory.mktemp("worktree"))
    assert validate.check_dataset(layout, TODAY).problems == []
    for operations in steps:  # a check after each group of operations, each with the cache the last one left
        for name, n in operations:
            OPERATIONS[name](layout, n)
        cached = validate.check_dataset(layout, TODAY)
        full = validate.check_dataset(layout, TODAY, use_cache=False)
        assert cached.problems == full.problems
        assert {n: t.drop_columns(["_file", "_pos"]) for n, t in cached.tables.items()} == {
            n: t.drop_columns(["_file", "_pos"]) for n, t in full.tables.items()
        }


def test_a_git_that_does_not_answer_in_time_leaves_the_question_to_the_stat(tmp_path, monkeypatch):
    committed(tmp_path)
    original = worktree._argv
    monkeypatch.setattr(worktree, "TIMEOUT_S", 1)
    monkeypatch.setattr(
        worktree, "_argv", lambda root, argv: ["sleep", "30"] if argv[0] == "diff-files" else original(root, argv)
    )
    assert worktree.vouched(tmp_path, FOLDERS) is None
