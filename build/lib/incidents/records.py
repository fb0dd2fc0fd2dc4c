"""Load and dump the YAML files contributors write: incident records, actors and source metadata.

Contributions are data, never code. Loading is safe YAML only, with limits on size and depth, no
anchors or aliases (which is what makes an alias bomb), no duplicated keys, and UTF-8 only. Every value
keeps the line it came from, so that errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 12

try:  # libyaml is much faster; the pure-Python loader gives the same results.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that leaves dates and times as the strings the contributor wrote."""


_Loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _BaseLoader.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
}

Path_ = tuple[str | int, ...]


@dataclass
class Loaded:
    """One YAML file read from disk: its data, or the problems that kept it from being read."""

    path: str
    data: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, *path: str | int) -> int | None:
        """The line of the value at `path`, or of its nearest parent that has one."""
        key: Path_ = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


class _Refused(Exception):
    def __init__(self, line: int | None, message: str, expected: str, code: str) -> None:
        super().__init__(message)
        self.line, self.message, self.expected, self.code = line, message, expected, code


def _walk(node: yaml.Node, path: Path_, depth: int, seen: set[int], lines: dict[Path_, int], at: int = 1) -> None:
    """Check the node tree before building values: no aliases, no duplicate keys, bounded depth.

    `at` is the line where the node is used, which for an alias differs from where it was defined."""
    if id(node) in seen:
        raise _Refused(at, "YAML anchors and aliases are not allowed", "plain values", "yaml-alias")
    seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise _Refused(
            node.start_mark.line + 1, f"values nested deeper than {MAX_DEPTH} levels", "a flat record", "too-deep"
        )
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if id(key_node) in seen or not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node.start_mark.line + 1, "keys must be plain names", "a field name", "bad-key")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(
                    key_node.start_mark.line + 1, "YAML merge keys ('<<') are not allowed", "plain keys", "yaml-alias"
                )
            if key_node.value in keys:
                raise _Refused(
                    key_node.start_mark.line + 1,
                    f"the key '{key_node.value}' appears twice",
                    "each key once",
                    "duplicate-key",
                )
            keys.add(key_node.value)
            _walk(value_node, (*path, key_node.value), depth + 1, seen, lines, key_node.start_mark.line + 1)
            lines[(*path, key_node.value)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), depth + 1, seen, lines, at)


def parse(text: bytes, path: str) -> Loaded:
    """Parse the bytes of one YAML file. Never raises: problems are returned in `Loaded.problems`."""
    loaded = Loaded(path)

    def refuse(line: int | None, message: str, expected: str, code: str) -> Loaded:
        loaded.problems.append(Problem(path, line, None, None, message, expected, code))
        return loaded

    if len(text) > MAX_FILE_BYTES:
        return refuse(None, f"the file is {len(text):,} bytes", f"at most {MAX_FILE_BYTES:,} bytes", "too-large")
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        return refuse(1, "the file is UTF-16 encoded", "UTF-8 without a byte-order mark", "encoding")
    if text.startswith(b"\xef\xbb\xbf"):
        return refuse(1, "the file starts with a byte-order mark", "UTF-8 without a byte-order mark", "encoding")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text[: exc.start].count(b"\n") + 1
        return refuse(line, f"byte 0x{text[exc.start]:02x} is not valid UTF-8", "UTF-8 text", "encoding")
    if "\x00" in decoded:
        return refuse(decoded.split("\x00")[0].count("\n") + 1, "the file holds a NUL character", "text", "encoding")
    loader = _Loader(decoded)
    try:
        node = loader.get_single_node()
        if node is None:
            return refuse(1, "the file is empty", "a YAML mapping of fields", "empty")
        _walk(node, (), 0, set(), loaded.lines)
        loaded.data = loader.construct_document(node)
    except _Refused as exc:
        return refuse(exc.line, exc.message, exc.expected, exc.code)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return refuse(mark.line + 1 if mark else None, f"YAML syntax error: {message}", "valid YAML", "yaml-syntax")
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return refuse(None, f"YAML error: {exc}", "valid YAML", "yaml-syntax")
    finally:
        loader.dispose()
    if not isinstance(loaded.data, dict):
        loaded.data = None
        return refuse(1, f"the file holds a {type(loaded.data).__name__}", "a YAML mapping of fields", "not-a-mapping")
    return loaded


def read(path: Path, display: str) -> Loaded:
    """Read and parse one file, refusing symlinks and oversized files before reading them."""
    if path.is_symlink():
        return Loaded(
            display,
            problems=[Problem(display, None, None, None, "the file is a symbolic link", "a regular file", "symlink")],
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return Loaded(
            display,
            problems=[
                Problem(
                    display,
                    None,
                    None,
                    None,
                    f"the file is {size:,} bytes",
                    f"at most {MAX_FILE_BYTES:,} bytes",
                    "too-large",
                )
            ],
        )
    return parse(path.read_bytes(), display)


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the standard's order, long text folded for review in diffs."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    """The canonical text of a record: what `incidents new` writes and bookkeeping commands rewrite."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def new_incident_id() -> str:
    """A fresh opaque id: never derived from the record's values, so corrections never change it."""
    from ulid import ULID

    return f"inc_{ULID()}"


def scaffold(standard_fields: list[str], incident_id: str, by: str, now: str, tool_version: str) -> dict[str, Any]:
    """A new record with every field of the standard present and empty, for a coder to fill in."""
    record: dict[str, Any] = {name: None for name in standard_fields}
    record.update(incident_id=incident_id, status="active", date_precision="day", geo_precision="exact_place", tags=[])
    record.update(
        actors=[],
        evidence=[],
        revisions=[
            {
                "revision": 1,
                "changed_at": now,
                "changed_by": by,
                "method": "manual",
                "tool_version": tool_version,
                "reason": "First coding.",
                "fields_changed": [],
            }
        ],
    )
    return record
