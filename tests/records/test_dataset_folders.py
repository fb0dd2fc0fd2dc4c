"""The contributed folders are read as they lie in the repository: a folder reached through a symbolic link is
refused unread, and anything in them that would be silently ignored (a subfolder, another kind of file) is a
problem, so a record put in the wrong place is never taken for a valid dataset."""

from __future__ import annotations

import os
import shutil

from factories import TODAY, make_dataset, record, write_record
from incidents.validate import validate


def found(root):
    return [(p.file, p.code) for p in validate(root, today=TODAY)]


def test_a_records_folder_that_is_a_symbolic_link_is_refused_unread(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(layout.records, elsewhere)
    layout.records.symlink_to(elsewhere)
    assert found(layout.root) == [("data/records", "symlink")]


def test_a_data_folder_that_is_a_symbolic_link_is_refused_unread(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    shutil.move(layout.data, tmp_path / "elsewhere")
    layout.data.symlink_to(tmp_path / "elsewhere")
    assert {code for _, code in found(layout.root)} == {"symlink"}


def test_a_record_in_a_subfolder_is_reported_not_ignored(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    write_record(tmp_path / "other", record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T09", fatalities_best=-1))
    shutil.move(tmp_path / "other/data/records", layout.records / "batch")
    assert found(layout.root) == [("data/records/batch", "stray-file")]


def test_a_linked_folder_inside_records_is_reported_not_followed(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    (layout.records / "more").symlink_to(tmp_path)
    assert found(layout.root) == [("data/records/more", "stray-file")]


def test_a_file_of_another_kind_among_records_is_reported(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    (layout.records / "inc_01KAXQ8N5D4C3R6E0J2VWZ7T09.yml").write_text("incident_id: x\n")
    assert found(layout.root) == [("data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T09.yml", "stray-file")]


def test_a_folder_named_like_a_record_is_reported_not_read(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    (layout.records / "inc_01KAXQ8N5D4C3R6E0J2VWZ7T09.yaml").mkdir()
    assert found(layout.root) == [("data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T09.yaml", "stray-file")]


def test_a_file_whose_name_is_not_utf8_is_reported_with_its_bytes_escaped(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    with open(os.path.join(os.fsencode(layout.records), b"inc_\xff.yaml"), "wb") as handle:
        handle.write(b"incident_id: x\n")
    assert found(layout.root) == [("data/records/inc_\\xff.yaml", "encoding")]


def test_a_hidden_file_is_reported_and_archived_texts_are_left_alone(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    swap = f".{next(layout.records.glob('*.yaml')).name}.swp"
    (layout.records / swap).write_bytes(b"\x00swap")
    assert next(layout.sources.glob("*.txt"))
    assert found(layout.root) == [(f"data/records/{swap}", "hidden-file")]


def test_hidden_files_are_reported_once_each_whether_their_names_are_utf8_or_not(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    for name in (b".b.swp", b".\xff.yaml", b".a.yaml"):
        with open(os.path.join(os.fsencode(layout.records), name), "wb") as handle:
            handle.write(b"incident_id: x\n")
    assert found(layout.root) == [
        ("data/records/.\\xff.yaml", "hidden-file"),
        ("data/records/.a.yaml", "hidden-file"),
        ("data/records/.b.swp", "hidden-file"),
    ]


def test_validating_a_record_in_a_subfolder_names_the_subfolder(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    path = write_record(tmp_path / "other", record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T09"))
    shutil.move(path.parent, layout.records / "batch")
    chosen = layout.records / "batch" / path.name
    assert [(p.file, p.code) for p in validate(layout.root, [chosen], today=TODAY)] == [
        ("data/records/batch", "stray-file")
    ]
