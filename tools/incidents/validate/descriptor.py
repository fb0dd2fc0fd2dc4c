"""A built package's datapackage.json and the Arrow schema of each Parquet file, against the standard."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from incidents import standard
from incidents.build import encode, geoparquet
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.incremental import kept_outputs as outputs


def check_schema(std: standard.Standard, table: str, path: Path, display: str) -> list[Problem]:
    """A Parquet file's columns and types against the Table Schema: the rules need exactly these columns."""
    try:
        found = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        message = f"the file cannot be read as Parquet: {exc}"
        return [
            Problem(
                file=display,
                message=message,
                expected=f"the {table} table as Parquet",
                code="table-unreadable",
            )
        ]
    expected = std.arrow_schema(table)
    if table == geoparquet.TABLE:  # the Parquet file also holds the coordinates as a GeoParquet geometry
        expected = expected.append(geoparquet.FIELD)
    problems = []
    for spec in expected:
        if spec.name not in found.names:
            message = "the column is missing"
            problems.append(
                Problem(
                    file=display,
                    field=spec.name,
                    message=message,
                    expected=f"a column {spec.type}",
                    code="missing-column",
                )
            )
        elif not found.field(spec.name).type.equals(_as_stored(spec.type)):
            message = f"the column has type {found.field(spec.name).type}"
            problems.append(
                Problem(
                    file=display,
                    field=spec.name,
                    message=message,
                    expected=f"type {_as_stored(spec.type)} (schemas/tables)",
                    code="column-type",
                )
            )
    for name in found.names:
        if name not in expected.names:
            message = "a column the standard does not have"
            problems.append(
                Problem(
                    file=display,
                    field=name,
                    message=message,
                    expected="only the standard's columns",
                    code="extra-column",
                )
            )
    return problems


def file_stats(path: Path) -> dict[str, object]:
    """A file's `bytes` and `hash` as a resource records them, read in blocks (not held whole in memory)."""
    with path.open("rb") as file:
        return encode.file_stats(outputs.Kept(path.stat().st_size, hashlib.file_digest(file, "sha256").hexdigest()))


def _as_stored(arrow_type: pa.DataType) -> pa.DataType:
    """The type a column reads back from Parquet as: Parquet has no seconds, so timestamps come back in ms."""
    if pa.types.is_timestamp(arrow_type) and arrow_type.unit == "s":
        return pa.timestamp("ms", tz=arrow_type.tz)
    return arrow_type


def check_descriptor(std: standard.Standard, root: Path, single_files: bool) -> list[Problem]:
    """datapackage.json is the one `incidents build` writes: its resources, their paths and schemas as in
    schemas/ (encode.descriptor), and with the single-file layout the Parquet files' sizes and hashes."""
    layout = Layout(root)
    display = layout.rel(layout.descriptor)
    expected_text = "the datapackage.json `incidents build` writes"
    try:
        descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [
            Problem(
                file=display,
                message="the descriptor is missing",
                expected=expected_text,
                code="descriptor",
            )
        ]
    except (OSError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return [
            Problem(
                file=display,
                line=line,
                message=f"the descriptor cannot be read: {exc}",
                expected=expected_text,
                code="descriptor",
            )
        ]
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return [
            Problem(
                file=display,
                message="no list of resources",
                expected=expected_text,
                code="descriptor",
            )
        ]
    empty = {name: {"csv": b"", "parquet": b""} for name in standard.PUBLISHED_TABLES}
    wanted = encode.descriptor(std, {}, empty, descriptor.get("sources", []))["resources"]
    found = {r.get("name"): (i, r) for i, r in enumerate(descriptor["resources"]) if isinstance(r, dict)}
    problems = []
    for resource in wanted:
        name = resource["name"]
        if name not in found:
            problems.append(
                Problem(
                    file=display,
                    field="resources",
                    message=f"no resource {name!r}",
                    expected=expected_text,
                    code="descriptor",
                )
            )
            continue
        index, have = found[name]
        for key, value in resource.items():
            if key not in ("bytes", "hash") and have.get(key) != value:
                where = f"resources[{index}].{key}"
                message = f"{name}: {key} differs from schemas/" if key == "schema" else f"found {have.get(key)!r}"
                problems.append(
                    Problem(
                        file=display,
                        field=where,
                        message=message,
                        expected=f"{value!r}"[:200],
                        code="descriptor",
                    )
                )
        path = layout.root / resource["path"]  # the file the build writes, whatever the descriptor says
        if single_files and resource["format"] == "parquet" and path.is_file():
            for key, value in file_stats(path).items():
                if have.get(key) != value:
                    message = f"{layout.rel(path)} has {key} {value}"
                    where = f"resources[{index}].{key}"
                    problems.append(
                        Problem(
                            file=display,
                            field=where,
                            message=message,
                            expected=f"{have.get(key)}",
                            code="descriptor",
                        )
                    )
    names = {r["name"] for r in wanted}
    for name, (index, _) in found.items():
        if name not in names:
            message = f"a resource {name!r} the build does not write"
            problems.append(
                Problem(
                    file=display,
                    field=f"resources[{index}]",
                    message=message,
                    expected=expected_text,
                    code="descriptor",
                )
            )
    return problems
