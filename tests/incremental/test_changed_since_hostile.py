"""`incidents validate --changed-since REF` under hostile contributions: the file layer's refusals hold in
this mode too (special files, hidden files, files in data/sources/ no metadata names), and a revision that
git would take for an option never reaches git."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import INCIDENT, SOURCE, TODAY, git, make_dataset
from incidents.cli import cli
from incidents.incremental import changed_since
from incidents.validate import validate
from limits import time_limit

SECONDS = 10
OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
BLOB = "ab" * 32


def committed(root: Path) -> Path:
    """The valid dataset committed on main."""
    make_dataset(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def changed(root: Path) -> list[tuple[str, str]]:
    with time_limit(SECONDS):
        return [(p.file, p.code) for p in validate(root, changed_since="main", today=TODAY)]


def test_a_fifo_record_is_refused_though_git_never_lists_it(tmp_path):
    root = committed(tmp_path / "repo")
    os.mkfifo(root / "data/records" / f"{OTHER}.yaml")
    assert changed(root) == [(f"data/records/{OTHER}.yaml", "special-file")]


def test_a_tracked_record_replaced_by_a_fifo_is_refused(tmp_path):
    root = committed(tmp_path / "repo")
    path = root / "data/records" / f"{INCIDENT}.yaml"
    path.unlink()
    os.mkfifo(path)
    assert changed(root) == [(f"data/records/{INCIDENT}.yaml", "special-file")]


def test_a_fifo_archived_text_is_refused(tmp_path):
    root = committed(tmp_path / "repo")
    path = root / "data/sources" / f"{SOURCE}.txt"
    path.unlink()
    os.mkfifo(path)
    assert changed(root) == [
        (f"data/sources/{SOURCE}.txt", "special-file"),
        (f"data/sources/{SOURCE}.yaml", "special-file"),
    ]


def test_a_hidden_file_added_is_reported(tmp_path):
    root = committed(tmp_path / "repo")
    (root / "data/records/.x.yaml").write_text("incident_id: [", encoding="utf-8")
    assert changed(root) == [("data/records/.x.yaml", "hidden-file")]


def test_an_orphan_blob_added_is_reported(tmp_path):
    root = committed(tmp_path / "repo")
    (root / "data/sources" / f"{BLOB}.txt").write_bytes(os.urandom(6_000_000))
    assert changed(root) == [(f"data/sources/{BLOB}.txt", "orphan-file")]


def test_a_text_left_when_its_metadata_is_deleted_is_reported(tmp_path):
    root = committed(tmp_path / "repo")
    (root / "data/sources" / f"{SOURCE}.yaml").unlink()
    found = changed(root)
    assert (f"data/sources/{SOURCE}.txt", "orphan-file") in found


def test_a_cached_file_replaced_by_a_fifo_is_refused(tmp_path):
    """The cache knew the file as it was: a FIFO in its place is refused, never read for its hash."""
    layout = make_dataset(tmp_path / "repo")
    with time_limit(SECONDS):
        assert validate(layout.root, today=TODAY) == []
        path = layout.records / f"{INCIDENT}.yaml"
        path.unlink()
        os.mkfifo(path)
        found = validate(layout.root, today=TODAY)
    assert [(p.file, p.code) for p in found] == [(f"data/records/{INCIDENT}.yaml", "special-file")]


@pytest.mark.parametrize("form", ["--changed-since={}", "--changed-since {}"])
@pytest.mark.parametrize("revision", ["--output={out}", "-o{out}", "--end-of-options"])
def test_an_option_like_revision_never_reaches_git(tmp_path, form, revision):
    root = committed(tmp_path / "repo")
    out = tmp_path / "x"
    value = revision.format(out=out)
    args = ["--root", str(root), "validate", *form.format(value).split(" ", 1)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert f"--changed-since {value}: a revision cannot start with '-'" in result.output
    assert not out.exists()


def test_an_empty_revision_is_a_usage_error(tmp_path):
    root = committed(tmp_path / "repo")
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--changed-since="])
    assert result.exit_code == 2, result.output
    assert "--changed-since : a revision cannot be empty" in result.output


def test_changed_paths_refuses_an_option_like_revision(tmp_path):
    root = committed(tmp_path / "repo")
    with pytest.raises(changed_since.ChangedSinceError, match="cannot start with '-'"):
        changed_since.changed_paths(root, "--output=x")
