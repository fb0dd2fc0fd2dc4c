"""Layer 2: each parsed file against its JSON Schema (derived from schemas/), in a contributor's words.

The Python `jsonschema` validator gives the detailed messages but costs about a millisecond a record;
`jsonschema-rs` (Rust) decides valid or not in a fraction of that. Files it accepts have no schema error
(it is at least as strict: it also checks date-time formats and reads `$` as the end of the text), so only
the files it rejects are run through the Python validator, whose messages are reported. Both get the same
JSON Schema, with format validation on.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from incidents import standard
from incidents.core.problems import Problem
from incidents.records import Loaded
from incidents.validate import left_out

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

KINDS = {"record": ("incident_id", "records"), "actor": ("actor_id", "actors"), "source": ("source_id", "sources")}


def _validators(std: standard.Standard) -> dict[str, Draft202012Validator]:
    from jsonschema import Draft202012Validator  # only for files the fast gate rejects: 0.1 s to import

    return {
        kind: Draft202012Validator(std.json_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
        for kind in KINDS
    }


def _about_the_value(error: ValidationError) -> list[ValidationError]:
    """An error, or for an optional field (anyOf: [value, null]) each error about the value (two bad items
    of a list, say: one is reported, both are left out)."""
    if error.validator == "anyOf" and error.context:
        inner = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == 0]
        if inner:
            return inner
    return [error]


def _describe(error: ValidationError) -> tuple[list[str | int], str, str, str]:
    """(path, what was found, what was expected, problem code) for one JSON Schema error, in a contributor's words."""
    code = f"schema-{error.validator}"
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if error.validator == "required":
        name = re.findall(r"'([^']+)'", error.message)[0]
        return [*path, name], f"the field '{name}' is missing", "every required field", code
    if error.validator == "additionalProperties":
        extra = sorted(set(value) - set(schema.get("properties", {})), key=str)  # a key may be null (`: x`)
        return (
            [*path, extra[0]],
            f"unknown field(s) {', '.join(map(repr, extra))}",
            "only the fields of the standard",
            code,
        )
    if value is None and error.validator in ("type", "enum"):
        return path, "the value is empty", "a value: this field is required", "required"
    if error.validator == "enum":
        codes = error.validator_value
        codelist = schema.get("x-codelist")
        listed = f"a code from {codelist}" if codelist and len(codes) > 12 else f"one of {', '.join(map(str, codes))}"
        return path, f"found {value!r}", listed, code
    if error.validator == "type":
        return path, f"found {value!r} ({type(value).__name__})", f"a value of type {error.validator_value}", code
    if error.validator == "pattern":
        return path, f"found {value!r}", f"a value matching {error.validator_value}", code
    if error.validator == "format":
        shape = "YYYY-MM-DD" if error.validator_value == "date" else "YYYY-MM-DDTHH:MM:SSZ, in UTC"
        return (
            path,
            f"{value!r} is not a real {error.validator_value}",
            f"a valid {error.validator_value} ({shape})",
            code,
        )
    if error.validator in ("minimum", "maximum", "minLength", "maxLength", "minItems", "uniqueItems"):
        return (
            path,
            f"found {value!r}" if not isinstance(value, str) or len(value) < 80 else "the text",
            f"{error.validator} {error.validator_value}",
            code,
        )
    return path, error.message, "a value allowed by the JSON Schema", code


def check_file(validator: Draft202012Validator, loaded: Loaded, id_field: str, record: str | None) -> list[Problem]:
    """One parsed file against its JSON Schema, plus: the file is named for its id."""
    return failures(validator, loaded, record)[0] + file_name(loaded, id_field, record)


def failures(
    validator: Draft202012Validator, loaded: Loaded, record: str | None
) -> tuple[list[Problem], list[tuple[str | int, ...]]]:
    """The problems of a parsed file against its JSON Schema, and where each value that fails it is (for
    left_out)."""
    out = []
    where = []
    seen: set[tuple[str | int, ...]] = set()
    for raw in validator.iter_errors(loaded.data):
        errors = _about_the_value(raw)
        where += [tuple(_describe(error)[0]) for error in errors]
        path, found, expected, code = _describe(errors[0])
        if code == "required":  # an empty value is reported once, not once per keyword (type and enum)
            if tuple(path) in seen:
                continue
            seen.add(tuple(path))
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") or None
        out.append(
            Problem(
                file=loaded.path,
                line=loaded.line(*path),
                record=record,
                field=field,
                message=found,
                expected=expected,
                code=code,
            )
        )
    return out, where


def file_name(loaded: Loaded, id_field: str, record: str | None) -> list[Problem]:
    """The file is named for its id (so two files can never hold one id)."""
    stem = Path(loaded.path).stem
    if not isinstance(record, str) or stem == record:
        return []
    return [
        Problem(
            file=loaded.path,
            line=loaded.line(id_field),
            record=record,
            field=id_field,
            message=f"the file is named {stem}.yaml",
            expected=f"the file name {record}.yaml",
            code="file-name",
        )
    ]


class Schemas:
    """The JSON Schemas of the three kinds of file, each with its fast gate and its detailed validator."""

    def __init__(self, std: standard.Standard) -> None:
        self.std = std
        self.fast = {kind: jsonschema_rs.validator_for(std.json_schema(kind), validate_formats=True) for kind in KINDS}

    @cached_property
    def detailed(self) -> dict[str, Draft202012Validator]:
        return _validators(self.std)

    def check(self, kind: str, loaded: Loaded) -> list[Problem]:
        """`check_file` for a file of `kind`, calling the Python validator only on files the gate rejects."""
        problems, _ = self.check_values(kind, loaded)
        return problems

    def check_values(self, kind: str, loaded: Loaded) -> tuple[list[Problem], dict[str, Any] | None]:
        """`check`, and the file's data with the values that failed left out (left_out.leave_out), or None
        when it has no value to leave out (or nothing of it can be kept)."""
        id_field = KINDS[kind][0]
        record_id = loaded.data.get(id_field)
        record = record_id if isinstance(record_id, str) else None
        if self.passes(kind, loaded.data):
            return file_name(loaded, id_field, record), None
        problems, failed = failures(self.detailed[kind], loaded, record)
        kept = left_out.leave_out(loaded.data, failed, id_field, Path(loaded.path).stem)
        return problems + file_name(loaded, id_field, record), kept

    def passes(self, kind: str, data: Any) -> bool:
        """Whether the fast validator accepts `data`; values it cannot take (non-text keys, sets) are not."""
        try:
            return bool(self.fast[kind].is_valid(data))
        except Exception:  # noqa: BLE001 - anything it cannot judge goes to the detailed validator
            return False
