"""What the dataset already holds, as an import needs it: records by external id, actors by name and alias.

An import of one row into a dataset of 16,566 imported records needs only to find that row's record, and a
re-import of an unchanged export only to see that each record still quotes its row. Parsing every record
file for that was most of the time of both (0.6 ms a file). So each record file is first indexed from its
text: the few lines `incidents` itself writes (incident_id, status, external_ids and each evidence item's
source and offsets) are read with patterns, and a file is parsed in full only when it is needed or when
those lines are not in the shape the toolkit writes. `tests/importers/test_import_known.py` holds the index to the
parsed values on random records.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incidents import records
from incidents.core.layout import Layout
from incidents.core.problems import Problem

# records.dump writes the fields in the standard's order: a record's text starts with these two lines.
_HEAD = re.compile(rb"\Aincident_id: (inc_[0-9A-HJKMNP-TV-Z]{26})\nstatus: (active|withdrawn|merged)\n")
_HEAD_KEYS = re.compile(rb"^(?:incident_id|status):", re.MULTILINE)
_IDS_BLOCK = re.compile(rb"^external_ids:(?: (\[\]|null))?\n((?:- [^\n]*\n)*)", re.MULTILINE)
_IDS_KEY = re.compile(rb"^external_ids:", re.MULTILINE)
_ID_LINE = re.compile(rb"- ([a-z][a-z0-9-]*:[A-Za-z0-9_.-]+)\n")
_ITEM_START = re.compile(rb"^- source_id: ", re.MULTILINE)
_ITEM = re.compile(
    rb"^- source_id: ([0-9a-f]{64})\n(?:(?:  [^\n]*)?\n)*?  char_start: (\d+)\n  char_end: (\d+)\n", re.MULTILINE
)

Span = tuple[str, int, int]  # an evidence item's source id, char_start, char_end


@dataclass(frozen=True)
class Indexed:
    """A record file's identifying lines, read from its text."""

    incident_id: str
    status: str
    external_ids: tuple[str, ...]


def index(text: bytes) -> Indexed | None:
    """The identifying lines of a record as `records.dump` writes them; None when any of them is in another
    shape (flow style, quoted values, a hand-made layout), so that the caller parses the file instead."""
    head = _HEAD.match(text)
    blocks = list(_IDS_BLOCK.finditer(text))
    keys = len(_IDS_KEY.findall(text))
    if not head or len(_HEAD_KEYS.findall(text)) != 2 or len(blocks) != keys or keys > 1:
        return None
    lines = blocks[0].group(2) if blocks else b""
    ids = _ID_LINE.findall(lines)
    if (blocks and blocks[0].group(1) and lines) or b"".join(b"- " + i + b"\n" for i in ids) != lines:
        return None
    return Indexed(head.group(1).decode(), head.group(2).decode(), tuple(i.decode() for i in ids))


def spans(text: bytes) -> frozenset[Span] | None:
    """Each evidence item's source and offsets, as `records.dump` writes them; None in another shape."""
    items = _ITEM.findall(text)
    if len(items) != len(_ITEM_START.findall(text)):
        return None
    return frozenset((source.decode(), int(start), int(end)) for source, start, end in items)


@dataclass
class Known:
    """One record of the dataset: indexed from its text, parsed when its values are needed."""

    path: Path
    display: str
    incident_id: str
    status: str
    _spans: frozenset[Span] | None = None
    _data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = records.read(self.path, self.display).data or {}
        return self._data

    def quotes(self, span: Span) -> bool:
        """Whether an evidence item quotes exactly this span of this archived text (read from the file's
        text when it is in the toolkit's shape, else from its parsed values)."""
        if self._spans is None:
            text = _text(self.path)
            self._spans = spans(text) if text is not None else None
        if self._spans is None:
            self._spans = _spans_of(self.data)
        return span in self._spans


@dataclass
class Existing:
    records: dict[str, Known] = field(default_factory=dict)  # external id -> its record
    actors: dict[str, str] = field(default_factory=dict)  # casefolded name or alias -> actor id
    problems: list[Problem] = field(default_factory=list)

    def remember(self, external_id: str, path: Path, display: str, data: dict[str, Any]) -> None:
        """A record as an import just wrote it: its values are read again from its file if needed, so that
        an import's memory does not grow with the records it writes."""
        self.records[external_id] = Known(path, display, data["incident_id"], str(data.get("status")), _spans_of(data))


def _spans_of(data: dict[str, Any]) -> frozenset[Span]:
    evidence = data.get("evidence") if isinstance(data.get("evidence"), list) else []
    return frozenset(
        (e.get("source_id"), e.get("char_start"), e.get("char_end"))  # type: ignore[misc]
        for e in evidence or []
        if isinstance(e, dict)
    )


def _known(path: Path, display: str, data: dict[str, Any]) -> Known:
    return Known(path, display, data["incident_id"], str(data.get("status")), _spans_of(data), data)


def _text(path: Path) -> bytes | None:
    """The bytes of a regular file small enough to be a record; None for anything records.read must judge."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > records.MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def read_existing(layout: Layout) -> Existing:
    """Records by their external ids and actors by name and alias. Unreadable files are reported."""
    found = Existing()
    for path in sorted(layout.records.glob("*.yaml")) if layout.records.is_dir() else []:
        display = layout.rel(path)
        text = _text(path)
        indexed = index(text) if text is not None else None
        if indexed is not None:
            known = Known(path, display, indexed.incident_id, indexed.status)
            for external_id in indexed.external_ids:
                found.records[external_id] = known
            continue
        loaded = records.read(path, display)
        found.problems.extend(loaded.problems)
        data = loaded.data or {}
        ids = data.get("external_ids")
        if isinstance(data.get("incident_id"), str) and isinstance(ids, list):
            for external_id in ids:
                found.records[str(external_id)] = _known(path, display, data)
    for path in sorted(layout.actors.glob("*.yaml")) if layout.actors.is_dir() else []:
        loaded = records.read(path, layout.rel(path))
        found.problems.extend(loaded.problems)
        data = loaded.data or {}
        aliases: list[Any] = data["aliases"] if isinstance(data.get("aliases"), list) else []
        for name in [data.get("name"), *aliases]:
            if isinstance(name, str) and isinstance(data.get("actor_id"), str):
                found.actors.setdefault(name.casefold(), data["actor_id"])
    return found
