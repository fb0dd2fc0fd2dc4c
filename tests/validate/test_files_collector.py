"""check_chunk turns Python's cyclic garbage collector off while it parses (it would walk every value kept, again
and again, for nothing): it must turn it back on, whatever happens, and leave it off if it was off."""

from __future__ import annotations

import gc
from pathlib import Path
from unittest import mock

import pytest

from factories import INCIDENT, record, write_yaml
from incidents import records
from incidents.validate import files as filecheck


def items(tmp_path: Path) -> list[filecheck.Item]:
    path = write_yaml(tmp_path / f"{INCIDENT}.yaml", record())
    return [("record", str(path), f"data/records/{path.name}")]


def test_the_collector_is_off_while_files_are_parsed_and_on_again_after(tmp_path):
    seen: list[bool] = []
    parse = records.parse

    def watched(text: bytes, path: str) -> records.Loaded:
        seen.append(gc.isenabled())
        return parse(text, path)

    assert gc.isenabled()
    with mock.patch.object(records, "parse", watched):
        batch = filecheck.check_chunk(items(tmp_path), False)
    assert seen == [False] and gc.isenabled()
    assert batch.problems == [] and batch.files.column("rows").to_pylist() == [True]


def test_the_collector_is_on_again_after_a_failure(tmp_path):
    with mock.patch.object(records, "parse", side_effect=MemoryError), pytest.raises(MemoryError):
        filecheck.check_chunk(items(tmp_path), False)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(tmp_path):
    gc.disable()
    try:
        filecheck.check_chunk(items(tmp_path), False)
        assert not gc.isenabled()
    finally:
        gc.enable()
