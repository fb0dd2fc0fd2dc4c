"""The file layer under hostile contributions: special files (FIFOs, sockets, devices) are refused without
being opened, hidden files are reported rather than skipped, and every file under data/sources/ is
accounted for by a source's metadata. Each test runs under a time limit: opening a FIFO would block."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from factories import INCIDENT, SOURCE, TEXT, TODAY, make_dataset, source_meta, write_yaml
from incidents import build, records
from incidents.core.layout import Layout
from incidents.validate import archived_texts, validate
from incidents.validate import files as filecheck
from limits import time_limit

SECONDS = 10
OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
BLOB = "ab" * 32  # a sha256-like name


def fifo(path: Path) -> None:
    os.mkfifo(path)


def unix_socket(path: Path) -> None:
    with contextlib.chdir(path.parent), socket.socket(socket.AF_UNIX) as bound:  # short path: a socket's limit
        bound.bind(path.name)


def device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("making a device node needs privileges this run does not have")


MAKERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "fifo": (fifo, "a FIFO (named pipe)"),
    "socket": (unix_socket, "a socket"),
    "device": (device, "a character device"),
}


def checked(layout: Layout) -> list[tuple[str, str, str]]:
    with time_limit(SECONDS):
        found = validate(layout.root, today=TODAY)
    return [(p.file, p.code, p.message) for p in found]


@pytest.mark.parametrize("kind", MAKERS)
@pytest.mark.parametrize("where", ["records", "actors", "sources"])
def test_a_special_file_named_like_a_contributed_file_is_refused_unopened(tmp_path, kind, where):
    layout = make_dataset(tmp_path / "repo")
    name = {"records": f"{OTHER}.yaml", "actors": "act_01KAXQ8N5D4C3R6E0J2VWZ7TCC.yaml", "sources": "cd" * 32 + ".yaml"}
    path = layout.data / where / name[where]
    make, what = MAKERS[kind]
    make(path)
    assert checked(layout) == [
        (f"data/{where}/{name[where]}", "special-file", f"{what}, not a regular file: it is never opened")
    ]


def test_a_fifo_as_an_archived_text_is_refused_unopened(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    text = layout.source_text(SOURCE)
    text.unlink()
    os.mkfifo(text)
    assert checked(layout) == [
        (f"data/sources/{SOURCE}.txt", "special-file", "a FIFO (named pipe), not a regular file: it is never opened"),
        (
            f"data/sources/{SOURCE}.yaml",
            "special-file",
            f"data/sources/{SOURCE}.txt is a FIFO (named pipe), not a regular file",
        ),
    ]


def test_reading_a_fifo_directly_refuses_it_unopened(tmp_path):
    path = tmp_path / "inc.yaml"
    os.mkfifo(path)
    with time_limit(SECONDS):
        loaded = records.read(path, "data/records/inc.yaml")
        batch = filecheck.check_chunk([("record", str(path), "data/records/inc.yaml")])
        texts = archived_texts.source_texts(tmp_path, [path.stem])
    assert [p.code for p in loaded.problems] == ["special-file"]
    assert [p.code for p in batch.problems] == ["special-file"]
    assert texts == {}


def test_archived_texts_of_the_built_package_skip_a_fifo(tmp_path):
    os.mkfifo(tmp_path / f"{BLOB}.txt")
    (tmp_path / f"{SOURCE}.txt").write_text(TEXT, encoding="utf-8")
    with time_limit(SECONDS):
        assert archived_texts.source_texts(tmp_path, [BLOB, SOURCE]) == {SOURCE: TEXT.encode("utf-8")}


def test_build_refuses_a_fifo_record_without_hanging(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    os.mkfifo(layout.records / f"{OTHER}.yaml")
    with time_limit(SECONDS):
        result = build.build(layout.root)
    assert [(p.file, p.code) for p in result.problems] == [(f"data/records/{OTHER}.yaml", "special-file")]
    assert not layout.descriptor.exists()


@pytest.mark.parametrize("where", ["records", "actors", "sources"])
def test_a_hidden_file_is_reported_not_skipped(tmp_path, where):
    layout = make_dataset(tmp_path / "repo")
    (layout.data / where / ".draft.yaml").write_text("incident_id: [", encoding="utf-8")
    assert checked(layout) == [
        (f"data/{where}/.draft.yaml", "hidden-file", "a hidden file (its name starts with a dot): it is never read")
    ]


def test_other_unexpected_files_in_records_are_reported(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    (layout.records / "notes.txt").write_text("to do", encoding="utf-8")
    (layout.records / f"{OTHER}.yml").write_text("incident_id: x", encoding="utf-8")
    (layout.records / "drafts").mkdir()
    assert [(file, code) for file, code, _ in checked(layout)] == [
        ("data/records/drafts", "stray-file"),
        (f"data/records/{OTHER}.yml", "stray-file"),
        ("data/records/notes.txt", "stray-file"),
    ]


ORPHAN_MESSAGE = "no source's metadata names this file (its <id>.yaml is missing): it is never read"


def test_every_file_in_sources_is_accounted_for_by_metadata(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    (layout.sources / f"{BLOB}.txt").write_text("an orphan text", encoding="utf-8")
    (layout.sources / f"{BLOB}.pdf").write_bytes(b"%PDF-1.7")
    (layout.sources / "old").mkdir()
    assert checked(layout) == [
        (f"data/sources/{BLOB}.pdf", "stray-file", "a subfolder or a file of another kind: it is never read"),
        (f"data/sources/{BLOB}.txt", "orphan-file", ORPHAN_MESSAGE),
        ("data/sources/old", "stray-file", "a subfolder or a file of another kind: it is never read"),
    ]


def test_an_orphan_blob_is_refused_without_being_opened(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path / "repo")
    blob = layout.source_text(BLOB)
    blob.write_bytes(os.urandom(1_000_000))  # small enough that it would be hashed, were it listed
    opened: list[str] = []

    def spy(real: Callable[..., object]) -> Callable[..., object]:
        return lambda file, *args, **kwargs: opened.append(str(file)) or real(file, *args, **kwargs)

    for module, name in ((io, "open"), (builtins, "open"), (os, "open")):
        monkeypatch.setattr(module, name, spy(getattr(module, name)))
    found = checked(layout)
    monkeypatch.undo()
    assert found == [(f"data/sources/{BLOB}.txt", "orphan-file", ORPHAN_MESSAGE)]
    assert str(blob) not in opened
    assert any(path.endswith(f"{INCIDENT}.yaml") for path in opened)  # the spy saw the files that are read


def test_an_archived_text_holding_a_nul_byte_is_refused(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    text = TEXT.replace("Thursday", "Thurs\0day")
    meta = source_meta(text)
    layout.source_text(meta["source_id"]).write_text(text, encoding="utf-8")
    write_yaml(layout.source_meta(meta["source_id"]), meta)
    shown = f"data/sources/{meta['source_id']}.yaml"
    assert checked(layout) == [(shown, "encoding", "the archived text holds a NUL byte")]
