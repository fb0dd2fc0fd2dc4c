"""Ingest: archive a text content-addressed by sha256; same text is a no-op, a changed one a new source."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from incidents.core.layout import Layout
from incidents.records import parse
from incidents.records.ingest import IngestError, ingest

WHEN = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def test_ingest_archives_text_and_metadata(tmp_path):
    layout = Layout(tmp_path)
    result = ingest(layout, b"Report text.\n", url=None, publisher="K24", published=None, retrieved=WHEN)
    assert result.created and result.source_id == hashlib.sha256(b"Report text.\n").hexdigest()
    assert layout.source_text(result.source_id).read_bytes() == b"Report text.\n"
    meta = parse(layout.source_meta(result.source_id).read_bytes(), "m").data
    assert meta["published_at"] is None and meta["published_precision"] == "unknown"
    assert meta["retrieved_at"] == "2026-11-25T00:00:00Z"
    assert meta["archive_path"] == f"data/sources/{result.source_id}.txt"


def test_same_content_twice_is_a_no_op(tmp_path):
    layout = Layout(tmp_path)
    first = ingest(
        layout, b"Same.\n", url="https://a.example", publisher="A", published=dt.date(2024, 1, 2), retrieved=WHEN
    )
    before = layout.source_meta(first.source_id).read_bytes()
    again = ingest(layout, b"Same.\n", url="https://b.example", publisher="B", published=None, retrieved=WHEN)
    assert not again.created and again.source_id == first.source_id
    assert layout.source_meta(first.source_id).read_bytes() == before


def test_changed_text_is_a_new_source(tmp_path):
    layout = Layout(tmp_path)
    a = ingest(layout, b"Version 1.\n", url=None, publisher="A", published=None, retrieved=WHEN)
    b = ingest(layout, b"Version 2.\n", url=None, publisher="A", published=None, retrieved=WHEN)
    assert a.source_id != b.source_id and len(list(layout.sources.glob("*.txt"))) == 2


def test_non_utf8_text_is_refused(tmp_path):
    with pytest.raises(IngestError, match="not UTF-8"):
        ingest(Layout(tmp_path), "café".encode("latin-1"), url=None, publisher="A", published=None, retrieved=WHEN)
    assert not (tmp_path / "data").exists()


def test_ingested_source_validates(tmp_path):
    from factories import make_dataset
    from incidents.validate import validate

    layout = make_dataset(tmp_path)
    ingest(layout, b"Another report.\n", url=None, publisher="A", published=None, retrieved=WHEN, language="en")
    assert validate(layout.root, today=dt.date(2026, 11, 25)) == []
