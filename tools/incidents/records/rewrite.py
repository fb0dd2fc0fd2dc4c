"""Write a changed record back as a minimal edit of the file it came from.

A contributor's file keeps its own look: unquoted dates, lines wrapped by hand, comments. A bookkeeping command
(correct, withdraw, merge, quotes fill) replaces only the top-level fields whose values changed, each with its
canonical text (records.dump), and appends items appended to a list after the list's last line, so a new
revision leaves the earlier ones byte-identical. The result is parsed back and compared with what was meant to
be written; whenever the file cannot be mapped safely (a flow-style mapping, a value that reads differently
in place) the field, and failing that the whole file, is written in its canonical form instead.

ruamel.yaml's round-trip mode was weighed and not used: it re-emits the whole file through its own emitter,
which re-indents lists and re-wraps long lines, and it would be a second YAML library beside PyYAML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from incidents import records

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class _Field:
    first: int  # the line of its key (0-based)
    last: int  # the last line of its value
    dash: int | None  # a block list's column of '-'; None for any other value


def rewrite(original: str, new: dict[str, Any]) -> str:
    """`original` edited so that it holds `new`, every line of an unchanged field kept as it was."""
    loaded = records.parse(original.encode("utf-8"), "original")
    fields = _fields(original) if not loaded.problems else None
    if fields is None or list(fields) != list(loaded.data):
        return records.dump(new)
    old = loaded.data
    lines = original.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    edits: list[tuple[int, int, str]] = []  # (first line, how many lines replaced, new text), in file order
    previous = -1  # the last line of the field before the one in hand, where a new field goes
    for key, value in new.items():
        where = fields.get(key)
        if where is None:
            edits.append((previous + 1, 0, _canonical(key, value)))
            continue
        previous = where.last
        if _same(old[key], value):
            continue
        appended = _appended(old[key], value, where)
        if appended is not None:
            edits.append((where.last + 1, 0, appended))
        else:
            edits.append((where.first, where.last - where.first + 1, _canonical(key, value)))
    edits += [(fields[key].first, fields[key].last - fields[key].first + 1, "") for key in old.keys() - new.keys()]
    text = _apply(lines, edits)
    done = records.parse(text.encode("utf-8"), "rewritten")
    return text if not done.problems and _same(done.data, new) else records.dump(new)


def _apply(lines: list[str], edits: list[tuple[int, int, str]]) -> str:
    """The lines with each edit made; edits at one line keep their order (an append, then a new field)."""
    out: list[str] = []
    at = 0
    for first, replaced, text in sorted(edits, key=lambda edit: edit[0]):
        out += lines[at:first]
        out.append(text)
        at = max(at, first + replaced)
    return "".join(out + lines[at:])


def _canonical(key: str, value: Any) -> str:
    return records.dump({key: value})


def _appended(old: Any, new: Any, where: _Field) -> str | None:
    """The text of the items `new` appends to the block list `old`, indented as the file's list is."""
    if where.dash is None or not isinstance(old, list) or not isinstance(new, list) or len(new) <= len(old):
        return None
    if not old or not _same(new[: len(old)], old):
        return None
    items = records.dump({"_": new[len(old) :]}).split("\n", 1)[1]
    return "".join(" " * where.dash + line if line.strip() else line for line in items.splitlines(keepends=True))


def _fields(text: str) -> dict[str, _Field] | None:
    """Where each top-level field of a block mapping lies; None for a file of another shape."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    lines = text.split("\n")
    found: dict[str, _Field] = {}
    for key, value in node.value:
        if key.start_mark.column != 0 or not isinstance(key.value, str):
            return None
        end = _end(value)
        last = end.line if end.column > 0 else end.line - 1
        while last > key.start_mark.line and not lines[last].strip():
            last -= 1
        block_list = isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value
        found[key.value] = _Field(key.start_mark.line, last, value.start_mark.column if block_list else None)
    return found


def _end(node: yaml.Node) -> Any:
    """Where a value's text ends: a block collection's own end mark lies at the next key, past any comment
    between, so it is its last item's end."""
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end(last[1] if isinstance(last, tuple) else last)
    return node.end_mark


def _same(a: Any, b: Any) -> bool:
    """Equal as YAML values, types included (1, 1.0 and true are three values)."""
    return json.dumps(a, sort_keys=True, default=repr) == json.dumps(b, sort_keys=True, default=repr)
