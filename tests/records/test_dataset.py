"""Archived source texts as read for the evidence checks: each way a text can be wrong is one problem."""

from __future__ import annotations

import hashlib
import os

import pytest

from factories import SOURCE, TEXT, make_dataset
from incidents.records import dataset


def outcome(layout, source_id: str = SOURCE, archive_path: str | None = None) -> tuple[str | None, str | None]:
    """(the text read, or None; the code of the one problem, or None)."""
    meta = {"source_id": source_id, "archive_path": archive_path or f"data/sources/{source_id}.txt"}
    texts, problems = dataset.read_source_texts(layout, [meta], [f"data/sources/{source_id}.yaml"])
    assert len(texts) + len(problems) == 1
    return texts.get(source_id), problems[0].code if problems else None


def test_a_sound_archived_text_is_read(tmp_path):
    assert outcome(make_dataset(tmp_path)) == (TEXT, None)


def test_a_wrong_archive_path_is_named(tmp_path):
    assert outcome(make_dataset(tmp_path), archive_path="data/sources/other.txt") == (None, "archive-path")


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda path: path.unlink(), "missing-file"),
        (lambda path: (path.unlink(), path.mkdir()), "missing-file"),
        (
            lambda path: (path.rename(path.with_suffix(".bak")), path.symlink_to(path.with_suffix(".bak"))),
            "path-outside",
        ),
        (lambda path: path.write_text(TEXT + "edited"), "source-hash"),
    ],
    ids=["missing", "a folder", "a symlink", "edited"],
)
def test_a_text_that_is_not_a_regular_file_with_the_right_bytes_is_refused(tmp_path, spoil, code):
    layout = make_dataset(tmp_path)
    spoil(layout.source_text(SOURCE))
    assert outcome(layout) == (None, code)


def test_a_text_too_large_is_refused_unread_and_one_not_utf8_is_named(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path)
    monkeypatch.setattr(dataset, "MAX_SOURCE_BYTES", len(TEXT) - 1)
    assert outcome(layout) == (None, "too-large")
    monkeypatch.undo()
    latin = "Qamishli, ao\u00fbt".encode("latin-1")
    source_id = hashlib.sha256(latin).hexdigest()
    layout.source_text(source_id).write_bytes(latin)
    assert outcome(layout, source_id) == (None, "encoding")


def test_texts_in_a_sources_folder_outside_the_repository_are_refused(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    os.rename(layout.sources, tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", layout.sources)
    assert outcome(layout) == (None, "archive-path")  # its path is not shown under data/ then
    assert outcome(layout, archive_path=str(layout.source_text(SOURCE))) == (None, "path-outside")
