"""Load and dump the YAML files contributors write: incident records, actors and source metadata.

Contributions are data, never code. Loading is safe YAML only, with limits on size and depth, no
anchors or aliases (which is what makes an alias bomb), no duplicated keys, and UTF-8 only. The line of
every value can be found, so that errors can point at it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from incidents.core.problems import Problem
from incidents.records import canonical, revisions
from incidents.records.ids import new_incident_id as new_incident_id  # for `incidents new`

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 12
MAX_INTEGER = 2**63 - 1  # the tables store integers as int64

try:  # libyaml is much faster; the pure-Python loader gives the same results.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that leaves dates and times as the strings the contributor wrote."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The tag of a plain scalar depends on its text alone (there are no path resolvers): remember the
        short ones, which recur in every file (keys, codes, counts)."""
        if kind is not yaml.ScalarNode or not implicit[0] or len(value) > 40:
            return super().resolve(kind, value, implicit)
        tag = _RESOLVED.get(value)
        if tag is None:
            if len(_RESOLVED) > 100_000:
                _RESOLVED.clear()
            tag = _RESOLVED[value] = super().resolve(kind, value, implicit)
        return tag


_RESOLVED: dict[str, str] = {}


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
    problems: list[Problem] = field(default_factory=list)
    # Lines are needed only to point at a problem, in few files: a file read without a check of each node
    # (_build) keeps its text instead, and its lines are found when first asked for (`lines`).
    _text: str | None = field(default=None, init=False, repr=False, compare=False)
    _lines: dict[Path_, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def lines(self) -> dict[Path_, int]:
        """The line of each value, by its path."""
        if self._text is not None:
            self._lines, self._text = _lines_of(self._text), None
        return self._lines

    def line(self, *path: str | int) -> int | None:
        """The line of the value at `path`, or of its nearest parent that has one."""
        lines = self.lines
        key: Path_ = tuple(path)
        while key:
            if key in lines:
                return lines[key]
            key = key[:-1]
        return lines.get((), 1)


class _Refused(Exception):
    def __init__(self, line: int | None, message: str, expected: str, code: str) -> None:
        super().__init__(message)
        self.line, self.message, self.expected, self.code = line, message, expected, code


class _Exotic(Exception):
    """A node `_plain` does not build (a tag other than the plain ones, a key that is not plain text or comes
    twice, nesting near the limit, a number no table holds): the file is then checked node by node, and
    built by PyYAML's constructor if need be, as it always was."""


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_SCALARS: dict[str, Any] = {
    f"tag:yaml.org,2002:{name}": getattr(yaml.SafeLoader, f"construct_yaml_{name}")
    for name in ("str", "int", "float", "bool", "null")
}


def _walk(node: yaml.Node, path: Path_, depth: int, seen: set[int], lines: dict[Path_, int], at: int = 1) -> None:
    """Check the node tree: no aliases, no duplicate keys, bounded depth; and note the line of each value.

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
            line = key_node.start_mark.line + 1
            if id(key_node) in seen or not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(line, "keys must be plain names", "a field name", "bad-key")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(line, "YAML merge keys ('<<') are not allowed", "plain keys", "yaml-alias")
            key = key_node.value
            if key in keys:
                raise _Refused(line, f"the key '{key}' appears twice", "each key once", "duplicate-key")
            keys.add(key)
            where = (*path, key)
            _walk(value_node, where, depth + 1, seen, lines, line)
            lines[where] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), depth + 1, seen, lines, at)


def _plain(loader: Any, node: yaml.Node, depth: int) -> Any:
    """The value of a tree of plain mappings, lists and scalars, as PyYAML's safe constructor builds it
    (see _SCALARS), in one walk; anything else raises _Exotic. It does not look for aliases (see _build)."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == _STR:  # most values: the text is the value
            return node.value
        make = _SCALARS.get(node.tag)
        if make is None:
            raise _Exotic
        try:
            value = make(loader, node)
        except Exception as exc:  # e.g. an integer of too many digits: PyYAML's constructor reports it
            raise _Exotic from exc
        if type(value) in (int, float) and not -MAX_INTEGER <= value <= MAX_INTEGER:  # NaN fails both bounds
            raise _Exotic
        return value
    if depth >= MAX_DEPTH:  # its items may lie too deep: _walk says
        raise _Exotic
    if kind is yaml.MappingNode and node.tag == _MAP:
        built: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR or key_node.value in built:
                raise _Exotic
            built[key_node.value] = _plain(loader, value_node, depth + 1)
        return built
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_plain(loader, item, depth + 1) for item in node.value]
    raise _Exotic


def _build(loader: Any, node: yaml.Node, text: str, lines: dict[Path_, int]) -> tuple[Any, tuple[Path_, Any] | None]:
    """The file's data, and the first number in it that no table can hold, with where it is.

    A text with no anchor has no alias: its nodes form a tree, which _plain builds straight away, leaving
    `lines` empty. Any other text, and any tree _plain does not take, is checked node by node first (_walk,
    which fills `lines`), then built by _plain or PyYAML."""
    if _no_anchor(text):
        try:
            return _plain(loader, node, 0), None
        except _Exotic:
            pass
    _walk(node, (), 0, set(), lines)
    try:
        return _plain(loader, node, 0), None
    except _Exotic:
        data = loader.construct_document(node)
        return data, _out_of_range(data, ())


_SCALAR_LOADER = _Loader("")
_VALUES: dict[str, Any] = {}


def _scalar(text: str) -> Any:
    """The value of a plain scalar, as _plain builds it; ValueError where _plain would raise _Exotic. Short
    texts recur (names, codes, counts) and their values are immutable: they are remembered."""
    value = _VALUES.get(text, _VALUES)
    if value is not _VALUES:
        return value
    tag = _SCALAR_LOADER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        value = text
    else:
        try:
            value = _plain(_SCALAR_LOADER, yaml.ScalarNode(tag, text), 0)
        except _Exotic as exc:
            raise ValueError(f"not a plain value: {text!r}") from exc
    if len(text) <= 40:
        if len(_VALUES) > 100_000:
            _VALUES.clear()
        _VALUES[text] = value
    return value


def _no_anchor(text: str) -> bool:
    """Whether the text can hold no anchor, which YAML marks with '&' alone (and an alias names an anchor)."""
    return "&" not in text


def _lines_of(text: str) -> dict[Path_, int]:
    """The line of each value of a text that parse read without checking each node: one it read without a
    problem, so it composes again and passes _walk."""
    lines: dict[Path_, int] = {}
    loader = _Loader(text)
    try:
        _walk(loader.get_single_node(), (), 0, set(), lines)
    finally:
        loader.dispose()
    return lines


def parse(text: bytes, path: str) -> Loaded:
    """Parse the bytes of one YAML file. Never raises: problems are returned in `Loaded.problems`."""
    loaded = Loaded(path)

    def refuse(line: int | None, message: str, expected: str, code: str, field: str | None = None) -> Loaded:
        loaded.problems.append(
            Problem(file=path, line=line, field=field, message=message, expected=expected, code=code)
        )
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
    if "\r" in decoded:  # one line ending everywhere keeps diffs and review readable
        line = decoded.split("\r")[0].count("\n") + 1
        return refuse(line, "the file has Windows (CRLF) or CR line endings", "Unix line endings (LF)", "line-endings")
    data = canonical.read(decoded, _scalar)
    if data is not None:  # the layout the tools write, read without PyYAML: lines are found if asked for
        loaded.data, loaded._text = data, decoded
        return loaded
    loader = _Loader(decoded)
    lines: dict[Path_, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return refuse(1, "the file is empty", "a YAML mapping of fields", "empty")
        loaded.data, out_of_range = _build(loader, node, decoded, lines)
    except _Refused as exc:
        return refuse(exc.line, exc.message, exc.expected, exc.code)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark and _tab_indented(decoded, mark.line):
            message = "YAML syntax error: a tab character where YAML expects spaces"
            return refuse(mark.line + 1, message, "spaces for indentation", "yaml-syntax")
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return refuse(mark.line + 1 if mark else None, f"YAML syntax error: {message}", "valid YAML", "yaml-syntax")
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: say which, and on which line
        line = decoded[: exc.position].count("\n") + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        expected = "printable text (tabs and line breaks are the only control characters)"
        return refuse(line, f"the file holds the control character {character}", expected, "encoding")
    except ValueError as exc:  # Python builds no integer of over 4,300 digits
        runs = "".join(c if c in "0123456789" else " " for c in decoded).split()
        digits = max(runs, key=len, default="")
        if len(digits) <= 4300:
            return refuse(None, f"YAML error: {exc}", "valid YAML", "yaml-syntax")
        line = decoded[: decoded.index(digits)].count("\n") + 1
        return refuse(line, f"a number of {len(digits):,} digits", NUMBER, "number-range")
    except (yaml.YAMLError, RecursionError) as exc:
        return refuse(None, f"YAML error: {exc}", "valid YAML", "yaml-syntax")
    finally:
        loader.dispose()
    if lines:
        loaded._lines = lines
    else:  # read without a check of each node: lines are found if asked for
        loaded._text = decoded
    if not isinstance(loaded.data, dict):
        kind = type(loaded.data).__name__
        loaded.data = None
        return refuse(1, f"the file holds a {kind}", "a YAML mapping of fields", "not-a-mapping")
    if out_of_range:
        at, value = out_of_range
        loaded.data = None
        return refuse(loaded.line(*at), f"found {value!r}", NUMBER, "number-range", _field(at))
    return loaded


def read(path: Path, display: str) -> Loaded:
    """Read and parse one file, refusing symlinks, special files and oversized files before opening them."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return Loaded(
            display,
            problems=[
                Problem(
                    file=display,
                    message="the file is a symbolic link",
                    expected="a regular file",
                    code="symlink",
                )
            ],
        )
    special = special_file(info, display)
    if special is not None:
        return Loaded(display, problems=[special])
    size = info.st_size
    if size > MAX_FILE_BYTES:
        return Loaded(
            display,
            problems=[
                Problem(
                    file=display,
                    message=f"the file is {size:,} bytes",
                    expected=f"at most {MAX_FILE_BYTES:,} bytes",
                    code="too-large",
                )
            ],
        )
    return parse(path.read_bytes(), display)


_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def special_kind(info: os.stat_result) -> str | None:
    """What a special file is (FIFO, socket, device), from its lstat; None for anything else. Opening a FIFO
    waits for a writer, and a device or socket is no file to read: they are refused before any open."""
    return _SPECIAL.get(stat.S_IFMT(info.st_mode))


def special_file(info: os.stat_result, display: str) -> Problem | None:
    kind = special_kind(info)
    if kind is None:
        return None
    return Problem(
        file=display,
        message=f"{kind}, not a regular file: it is never opened",
        expected="a regular file",
        code="special-file",
    )


NUMBER = f"a number between -{MAX_INTEGER:,} and {MAX_INTEGER:,} (not NaN or infinite)"


def _out_of_range(value: Any, path: Path_) -> tuple[Path_, Any] | None:
    """The first number no table can hold: NaN compares false with every bound (so `not within` catches it,
    and infinities), and numbers past int64 overflow the tables (JSON Schema takes 1e19 as an integer)."""
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return next((found for k, v in items if (found := _out_of_range(v, (*path, k)))), None)
    if isinstance(value, int | float) and not isinstance(value, bool) and not -MAX_INTEGER <= value <= MAX_INTEGER:
        return path, value
    return None


def _field(path: Path_) -> str | None:
    """A path as problems name fields: evidence[2].char_end."""
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") or None


def _tab_indented(text: str, index: int) -> bool:
    """Whether line `index` (0-based) is indented with a tab, which YAML forbids and editors hide."""
    lines = text.split("\n")
    line = lines[index] if index < len(lines) else ""
    return "\t" in line[: len(line) - len(line.lstrip())]


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the standard's order, long text folded for review in diffs."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never anchors and aliases: a value that appears twice is written twice (a reviewer reads each
        record whole); and not tracking shared objects makes a dump 15% faster."""
        return True


# The same dumper on libyaml's emitter: 5-6x faster, which is half of an import's time. Its text is the
# plain dumper's (tests/records/test_records.py holds it to that on random records) except where either escapes a
# character (libyaml escapes those beyond U+FFFF, NEL and the Unicode line separators): a text with a
# backslash is written again with the plain dumper.
# PyYAML built without libyaml has no CSafeDumper, and then the plain one is used.
class _CDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """_Dumper on libyaml."""

    ignore_aliases = _Dumper.ignore_aliases


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_CDumper.add_representer(str, _str)


def dump(data: dict[str, Any], dumper: type = _CDumper) -> str:
    """The canonical text of a record: what `incidents new` writes and bookkeeping commands rewrite."""
    text = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    # libyaml differs from PyYAML on an escape (or a backslash the values hold), and ends a document that held
    # a block kept with its final newlines (`|+`) with an explicit end marker, `...`: both are rare.
    if dumper is not _Dumper and ("\\" in text or text.endswith("\n...\n")):
        return dump(data, _Dumper)
    return text


def scaffold(standard_fields: list[str], incident_id: str, by: str, now: str, tool_version: str) -> dict[str, Any]:
    """A new record with every field of the standard present and empty, for a coder to fill in."""
    record: dict[str, Any] = {name: None for name in standard_fields}
    record.update(incident_id=incident_id, status="active", date_precision="day", geo_precision="exact_place", tags=[])
    record.update(
        actors=[],
        evidence=[],
        revisions=[revisions.entry(1, revisions.Stamp(by, now, tool_version), "First coding.", [])],
    )
    return record
