"""Release manifests, `releases/vX.Y.Z.json`: what a release published, file by file and record by record.

A manifest lists the sha256 and size of every file of the bundle, the state of every record (status,
revision, the hash of its history and of its values) and the shape of the standard. It is committed, so
that a downloaded bundle can be checked against it and the next release compared with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incidents.core.layout import Layout

VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = VERSION.match(text.strip())
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def format_version(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


def bumped(version: tuple[int, int, int], bump: str) -> tuple[int, int, int]:
    major, minor, patch = version
    if bump == "major":
        return (major + 1, 0, 0)
    if bump == "minor":
        return (major, minor + 1, 0)
    return (major, minor, patch + 1)


def _json(value: Any, depth: int, flat_at: int) -> str:
    """Indented down to depth `flat_at`, then one line per value."""
    if depth >= flat_at or not isinstance(value, dict | list) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, list):
        items = [inner + _json(v, depth + 1, flat_at) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    items = [f"{inner}{json.dumps(k)}: {_json(v, depth + 1, flat_at + (k == 'schema'))}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + f"\n{pad}}}"


def dumps(manifest: dict[str, Any]) -> bytes:
    """Indented JSON with one line per file, per record and per table or codelist, so that diffs and line
    numbers stay readable."""
    return (_json(manifest, 0, 2) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Release:
    """A manifest as read from disk, with the line of each record for error messages."""

    path: Path
    data: dict[str, Any]
    lines: dict[str, int]

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def tag(self) -> str:
        return f"v{self.version}"


def parse(path: Path, content: bytes) -> Release:
    data = json.loads(content)
    lines = {}
    for number, line in enumerate(content.decode("utf-8").splitlines(), start=1):
        found = re.search(r'"incident_id": "([^"]+)"', line)
        if found:
            lines[found[1]] = number
    return Release(path, data, lines)


def path_of(layout: Layout, version: str) -> Path:
    return layout.releases / f"v{version.removeprefix('v')}.json"


def versions(layout: Layout) -> list[tuple[int, int, int]]:
    """Released versions, oldest first."""
    if not layout.releases.is_dir():
        return []
    found = (parse_version(p.stem) for p in layout.releases.glob("v*.json"))
    return sorted(v for v in found if v)


def read(layout: Layout, version: str) -> Release:
    path = path_of(layout, version)
    return parse(path, path.read_bytes())


def latest(layout: Layout) -> Release | None:
    """The last release's manifest, or None before the first release."""
    released = versions(layout)
    return read(layout, format_version(released[-1])) if released else None
