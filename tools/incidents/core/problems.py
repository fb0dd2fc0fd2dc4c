"""An error is a value: where it is (file, line, record, field), what was found, what was expected.

Checks collect problems and return them; nothing stops at the first. This module also renders them for
people, for machines (JSON) and for GitHub workflow annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True, order=True, kw_only=True)
class Problem:
    """One problem, built with keywords: `Problem(file=..., message=..., code=...)` and, where known, `line`,
    `record`, `field` and `expected`; `code` is an entry of the catalogue (incidents.standard.error_codes)."""

    file: str
    line: int | None = None
    record: str | None = None
    field: str | None = None
    message: str
    expected: str | None = None
    code: str

    def with_location(self, file: str, line: int | None, record: str | None = None) -> Problem:
        return replace(self, file=file, line=line, record=record or self.record)


def sort(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.record or "", p.field or "", p.code, p.message))


def human(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        where = p.file + (f":{p.line}" if p.line else "")
        what = ": ".join(part for part in (p.record, p.field) if part)
        text = f"{where}: {what + ': ' if what else ''}{p.message}"
        if p.expected:
            text += f" (expected {p.expected})"
        lines.append(f"{text} [{p.code}]")
    return "\n".join(lines)


def as_json(problems: list[Problem]) -> str:
    return json.dumps({"valid": not problems, "problems": [asdict(p) for p in problems]}, indent=2, ensure_ascii=False)


def _escape(text: str, property_: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_ else text


def github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: each problem shows on its line in the pull request's diff."""
    out = []
    for p in problems:
        props = [f"file={_escape(p.file, True)}"]
        if p.line:
            props.append(f"line={p.line}")
        props.append(f"title={_escape(p.code, True)}")
        message = " ".join(part for part in (p.record, p.field and f"{p.field}:", p.message) if part)
        if p.expected:
            message += f" (expected {p.expected})"
        out.append(f"::error {','.join(props)}::{_escape(message)}")
    return "\n".join(out)


FORMATS = {"human": human, "json": as_json, "github": github}
