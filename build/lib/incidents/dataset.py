"""Read a dataset repository's contributed files from disk (the I/O edge of build and validate)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import records
from .layout import Layout
from .problems import Problem
from .records import Loaded

MAX_SOURCE_BYTES = 5_000_000


@dataclass
class Dataset:
    layout: Layout
    records: list[Loaded] = field(default_factory=list)
    actors: list[Loaded] = field(default_factory=list)
    sources: list[Loaded] = field(default_factory=list)
    package: Loaded | None = None

    def files(self) -> list[Loaded]:
        return [*self.records, *self.actors, *self.sources, *([self.package] if self.package else [])]


def _read_folder(layout: Layout, folder: Path) -> list[Loaded]:
    if not folder.is_dir():
        return []
    return [records.read(path, layout.rel(path)) for path in sorted(folder.glob("*.yaml"))]


def read(layout: Layout) -> Dataset:
    """Parse every record, actor and source metadata file. Parse problems stay with each file."""
    package = records.read(layout.package, layout.rel(layout.package)) if layout.package.exists() else None
    return Dataset(
        layout,
        _read_folder(layout, layout.records),
        _read_folder(layout, layout.actors),
        _read_folder(layout, layout.sources),
        package,
    )


def _source_text(layout: Layout, meta: dict[str, Any]) -> str | tuple[str, str, str, str]:
    """The archived text of one source, or (what was found, what was expected, code, field)."""
    source_id = meta["source_id"]
    expected_path = layout.rel(layout.source_text(source_id))
    if meta.get("archive_path") != expected_path:
        return f"found {meta.get('archive_path')!r}", repr(expected_path), "archive-path", "archive_path"
    path = layout.source_text(source_id)
    if path.is_symlink() or not path.resolve().is_relative_to(layout.root.resolve()):
        return (
            "the archived text is a symbolic link or lies outside the repository",
            "a regular file in data/sources/",
            "path-outside",
            "archive_path",
        )
    if not path.is_file():
        return (
            f"{expected_path} does not exist",
            "the archived text next to its metadata",
            "missing-file",
            "archive_path",
        )
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        return f"{expected_path} is {size:,} bytes", f"at most {MAX_SOURCE_BYTES:,} bytes", "too-large", "archive_path"
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != source_id:
        expected = "its sha256 to equal source_id: archived texts never change"
        return f"the archived text hashes to {digest}", expected, "source-hash", "source_id"
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return "the archived text is not UTF-8", "UTF-8 text", "encoding", "archive_path"


def read_source_texts(
    layout: Layout, sources: list[dict[str, Any]], files: list[str]
) -> tuple[dict[str, str], list[Problem]]:
    """Load each archived text once, checking it is a regular file inside the repository whose bytes hash
    to its id. Returns the texts by source id and the problems found."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for meta, display in zip(sources, files, strict=True):
        result = _source_text(layout, meta)
        if isinstance(result, str):
            texts[meta["source_id"]] = result
        else:
            message, expected, code, field_name = result
            problems.append(Problem(display, None, meta["source_id"], field_name, message, expected, code))
    return texts, problems
