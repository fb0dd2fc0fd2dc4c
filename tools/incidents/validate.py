"""Anything -> a list of problems. Validation reports everything a contributor can get wrong, at once.

Layers, each run on whatever the previous one let through:
1. files: size, encoding, safe YAML (records.parse);
2. each file against its JSON Schema (derived from schemas/);
3. the dataset as tables: codelists, keys, cross-field rules, evidence (checks, column by column);
4. built tables and descriptor in step with the records (build.render compared with the files).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import build, checks, continuity, dataset, manifest, standard, tables
from .layout import Layout
from .problems import Problem
from .problems import sort as sort_problems
from .records import Loaded

KINDS = {"record": ("incident_id", "records"), "actor": ("actor_id", "actors"), "source": ("source_id", "sources")}


def _validators(std: standard.Standard) -> dict[str, Draft202012Validator]:
    return {
        kind: Draft202012Validator(std.json_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
        for kind in KINDS
    }


def _unwrap(error: ValidationError) -> ValidationError:
    """For an optional field (anyOf: [value, null]) the useful error is the one about the value."""
    if error.validator == "anyOf" and error.context:
        inner = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == 0]
        if inner:
            return inner[0]
    return error


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
    out = []
    seen: set[tuple[str | int, ...]] = set()
    for error in map(_unwrap, validator.iter_errors(loaded.data)):
        path, found, expected, code = _describe(error)
        if code == "required":  # an empty value is reported once, not once per keyword (type and enum)
            if tuple(path) in seen:
                continue
            seen.add(tuple(path))
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") or None
        out.append(Problem(loaded.path, loaded.line(*path), record, field, found, expected, code))
    stem = Path(loaded.path).stem
    if isinstance(record, str) and stem != record:
        out.append(
            Problem(
                loaded.path,
                loaded.line(id_field),
                record,
                id_field,
                f"the file is named {stem}.yaml",
                f"the file name {record}.yaml",
                "file-name",
            )
        )
    return out


def _in_data(layout: Layout, paths: Iterable[Path]) -> tuple[set[str], list[Problem]]:
    """Display paths of the files to report on; paths outside data/ are problems, never read."""
    data = layout.data.resolve()
    chosen: set[str] = set()
    problems = []
    for path in paths:
        resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not resolved.is_relative_to(data):
            problems.append(
                Problem(
                    str(path),
                    None,
                    None,
                    None,
                    "the path lies outside data/",
                    "a record, actor or source file under data/",
                    "path-outside",
                )
            )
        elif resolved.is_dir():
            chosen.update(layout.rel(p) for p in resolved.rglob("*.yaml"))
        elif not resolved.exists():
            problems.append(
                Problem(str(path), None, None, None, "no such file", "an existing file under data/", "missing-file")
            )
        else:
            chosen.add(layout.rel(resolved))
    return chosen, problems


def _locate(
    finding: checks.Finding, origins: list[tables.Origin], files: list[Loaded], ids: list[str | None]
) -> Problem:
    """Point a finding on a table row back at the file, line and field the row came from."""
    index, prefix = origins[finding.row]
    loaded = files[index]
    field = finding.field
    line = loaded.line(*prefix, field) if field else loaded.line(*prefix)
    label = f"{prefix[0]}[{prefix[1]}].{field}" if prefix else field
    return Problem(loaded.path, line, ids[index], label, finding.message, finding.expected, finding.code)


@dataclass
class Checked:
    """The dataset as read, the files that passed their schemas, and every problem found."""

    dataset: dataset.Dataset
    data: dict[str, list[dict[str, Any]]]
    problems: list[Problem]

    @property
    def package(self) -> dict[str, Any]:
        return self.dataset.package.data if self.dataset.package and not self.dataset.package.problems else {}


def check_dataset(layout: Layout, today: dt.date) -> Checked:
    """Layers 1-3 on the whole dataset: files, schemas, then the column checks on its tables."""
    std = standard.load()
    validators = _validators(std)
    ds = dataset.read(layout)
    problems: list[Problem] = [p for loaded in ds.files() for p in loaded.problems]
    good: dict[str, list[Loaded]] = {}
    for kind, (id_field, attr) in KINDS.items():
        good[kind] = []
        for loaded in getattr(ds, attr):
            if loaded.problems:
                continue
            record_id = loaded.data.get(id_field)
            found = check_file(validators[kind], loaded, id_field, record_id if isinstance(record_id, str) else None)
            problems.extend(found)
            if all(p.code == "file-name" for p in found):  # a misnamed file still counts for duplicate ids
                good[kind].append(loaded)
    data = {kind: [loaded.data for loaded in good[kind]] for kind in KINDS}
    built, origins = tables.from_records(std, data["record"], data["actor"], data["source"])
    texts, text_problems = dataset.read_source_texts(layout, data["source"], [s.path for s in good["source"]])
    metadata = {s.path: s for s in good["source"]}  # point each problem at its field's line in the .yaml
    problems.extend(p.with_location(p.file, metadata[p.file].line(p.field or "source_id")) for p in text_problems)
    files = {
        "incidents": good["record"],
        "incident_actors": good["record"],
        "incident_sources": good["record"],
        "revisions": good["record"],
        "actors": good["actor"],
        "sources": good["source"],
    }
    id_fields = {"actors": "actor_id", "sources": "source_id"}
    for finding in checks.check_all(std, built, texts, today):
        located = files[finding.table]
        ids = [f.data.get(id_fields.get(finding.table, "incident_id")) for f in located]
        problems.append(_locate(finding, origins[finding.table], located, ids))
    problems.extend(check_continuity(layout, ds, good["record"]))
    return Checked(ds, data, problems)


def check_continuity(layout: Layout, ds: dataset.Dataset, records: list[Loaded]) -> list[Problem]:
    """Nothing of the last release is lost or rewritten (continuity.check against its manifest)."""
    try:
        last = manifest.latest(layout)
        if last is None:
            return []
        return continuity.check(last, layout.rel(last.path), records, continuity.present_ids(ds.records))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return [
            Problem(
                layout.rel(layout.releases),
                None,
                None,
                None,
                f"the last release manifest cannot be read: {type(exc).__name__}: {exc}",
                "releases/vX.Y.Z.json as written by `incidents release`",
                "manifest-unreadable",
            )
        ]


def validate(root: Path, paths: list[Path] | None = None, today: dt.date | None = None) -> list[Problem]:
    """Every problem in the dataset at `root`; with `paths`, those in the given files and dataset-wide ones."""
    layout = Layout(root)
    checked = check_dataset(layout, today or dt.datetime.now(dt.UTC).date())
    problems = checked.problems
    if not problems and layout.descriptor.exists():
        problems = check_outputs_in_step(layout, checked)
    if paths is not None:
        chosen, path_problems = _in_data(layout, paths)
        folders = {folder for file in chosen for folder in _parents(file)}  # a stray folder holding a chosen file
        problems = [p for p in problems if p.file in chosen | folders or not p.file.startswith("data/")]
        problems += path_problems
    return sort_problems(problems)


def _parents(file: str) -> list[str]:
    parts = file.split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts))]


def check_outputs_in_step(layout: Layout, checked: Checked) -> list[Problem]:
    """The committed tables and descriptor are exactly what `incidents build` makes of the records."""
    expected = build.render(layout, checked.data, checked.package)
    problems = []
    for path, content in expected.items():
        display = layout.rel(path)
        if not path.exists():
            problems.append(
                Problem(
                    display,
                    None,
                    None,
                    None,
                    "the built file is missing",
                    "the output of `incidents build`",
                    "stale-build",
                )
            )
        elif path.read_bytes() != content:
            problems.append(
                Problem(
                    display,
                    None,
                    None,
                    None,
                    "the file differs from what the records build to",
                    "the output of `incidents build` (run it and commit the result)",
                    "stale-build",
                )
            )
    return problems
