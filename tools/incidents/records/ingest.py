"""A report's text -> an archived source under `data/sources/`, content-addressed by sha256.

The archived text is the evidentiary copy: its bytes are never changed, so every evidence offset stays
true. The same bytes twice is a no-op; a changed text is a new source with a new id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from incidents import records
from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.records.dataset import MAX_SOURCE_BYTES


class IngestError(ValueError):
    """The text or its metadata cannot be archived; the message says why and what is expected."""


@dataclass(frozen=True)
class Ingested:
    source_id: str
    created: bool
    metadata: dict[str, Any]


def source_metadata(
    content: bytes,
    layout: Layout,
    *,
    url: str | None,
    publisher: str,
    published: dt.date | None,
    retrieved: dt.datetime,
    title: str | None = None,
    language: str | None = None,
    source_scale: str | None = None,
    media_type: str = "text/plain",
) -> dict[str, Any]:
    """The metadata record of a source, in the field order of schemas/tables/sources.json."""
    if len(content) > MAX_SOURCE_BYTES:
        raise IngestError(f"the text is {len(content):,} bytes; expected at most {MAX_SOURCE_BYTES:,}")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"the text is not UTF-8 (byte {exc.start}); expected UTF-8 text: convert it first") from None
    if not publisher.strip():
        raise IngestError("the publisher is empty; expected the name of who published the text")
    source_id = hashlib.sha256(content).hexdigest()
    return {
        "source_id": source_id,
        "url": url or None,
        "publisher": publisher.strip(),
        "title": title,
        "language": language,
        "published_at": published.isoformat() if published else None,
        "published_precision": "day" if published else "unknown",
        "retrieved_at": retrieved.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "archive_path": layout.rel(layout.source_text(source_id)),
        "media_type": media_type,
        "source_scale": source_scale,
    }


def ingest(layout: Layout, content: bytes, **metadata: Any) -> Ingested:
    """Archive `content` with its metadata unless the same bytes are already archived."""
    meta = source_metadata(content, layout, **metadata)
    source_id = meta["source_id"]
    text_path, meta_path = layout.source_text(source_id), layout.source_meta(source_id)
    if text_path.exists() and meta_path.exists():
        return Ingested(source_id, False, meta)
    atomic.write_all({text_path: content, meta_path: records.dump(meta).encode("utf-8")})
    return Ingested(source_id, True, meta)
