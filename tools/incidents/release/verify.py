"""Check a downloaded release: every file against the manifest, the descriptor, the tables against schemas.

Names every file that does not match: changed (hash), wrong size, missing, or extra. The manifest inside a
bundle can be tampered with along with the files; pass the committed `releases/vX.Y.Z.json` (`--manifest`)
to check a bundle against the repository's record of the release: without it, only self-consistency is
checked. Only the bundle is read, never the network (incidents.release.verify_offline), within bounds on its size
(incidents.release.bundle).
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from incidents.core.problems import Problem
from incidents.core.problems import sort as sort_problems
from incidents.records.fingerprints import sha256
from incidents.release import bundle, manifest, verify_offline

RELEASED = "a file as released (run `incidents bundle` on the release's commit, or download it again)"


def check_files(files: dict[str, bytes], entries: list[dict[str, Any]]) -> list[Problem]:
    """Every file of the manifest present, with its size and sha256; nothing else but the manifest."""
    problems = []
    listed = {e["path"] for e in entries}
    for entry in entries:
        path = entry["path"]
        if path not in files:
            problems.append(
                Problem(
                    file=path,
                    message="the file is missing",
                    expected=RELEASED,
                    code="verify-missing",
                )
            )
            continue
        content = files[path]
        if len(content) != entry["bytes"]:
            message = f"the file is {len(content):,} bytes"
            problems.append(
                Problem(
                    file=path,
                    message=message,
                    expected=f"{entry['bytes']:,} bytes",
                    code="verify-size",
                )
            )
        elif sha256(content) != entry["sha256"]:
            message = f"the file's sha256 is {sha256(content)}"
            problems.append(
                Problem(
                    file=path,
                    message=message,
                    expected=f"sha256 {entry['sha256']}",
                    code="verify-changed",
                )
            )
    for path in sorted(set(files) - listed - {bundle.MANIFEST}):
        message = "the file is not in the release manifest"
        problems.append(
            Problem(
                file=path,
                message=message,
                expected="only the files the manifest lists",
                code="verify-extra",
            )
        )
    return problems


def check_descriptor(files: dict[str, bytes]) -> list[Problem]:
    """frictionless validation of the descriptor and its CSV tables (schemas, types, keys, hashes), offline;
    not run when the descriptor names anything outside the bundle. The Parquet tables are left to
    `check_parquet` (frictionless_readable says why)."""
    import frictionless

    if "datapackage.json" not in files:
        return []
    try:
        descriptor = json.loads(files["datapackage.json"])
        outside = verify_offline.references(descriptor)
    except ValueError:
        descriptor, outside = None, []  # not JSON: frictionless says so
    if outside:
        return outside
    with tempfile.TemporaryDirectory() as folder, verify_offline.no_network():
        for path, content in files.items():
            target = Path(folder) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if isinstance(descriptor, dict):
            readable = json.dumps(frictionless_readable(descriptor)).encode("utf-8")
            (Path(folder) / "datapackage.json").write_bytes(readable)
        report = frictionless.validate(str(Path(folder) / "datapackage.json")).to_descriptor()
    problems = []
    for error in report.get("errors", []):
        problems.append(_frictionless("datapackage.json", error))
    for task in report.get("tasks", []):
        place = str(task.get("place", task.get("name", "")))
        for error in task.get("errors", []):
            problems.append(_frictionless(place.removeprefix(folder + "/"), error))
    return problems


def frictionless_readable(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor without its Parquet resources, which frictionless 5 cannot check: it reads Parquet
    through pandas, which gives an empty integer cell as NaN and a list cell as a NumPy array (both type
    errors to it), and it counts no bytes of a Parquet file (a byte-count error). The CSV resources hold the
    same rows."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return descriptor  # frictionless says what is wrong
    kept = [r for r in resources if not (isinstance(r, dict) and r.get("format") == "parquet")]
    return {**descriptor, "resources": kept}


def _frictionless(file: str, error: dict[str, Any]) -> Problem:
    return Problem(
        file=file,
        line=error.get("rowNumber"),
        field=error.get("fieldName"),
        message=f"{error.get('title', error.get('type'))}: {error.get('note') or error.get('message')}",
        expected="a valid Data Package whose tables match their Table Schemas",
        code=f"verify-{error.get('type', 'frictionless')}",
    )


def _parquet(path: str, message: str, expected: str) -> Problem:
    return Problem(file=path, message=message, expected=expected, code="verify-parquet")


def _parquet_tables(descriptor: Any) -> list[tuple[str, str, list[str]]]:
    """Each Parquet resource's path and column names (its Table Schema's), with the path of the CSV of the
    same table beside it. A descriptor of another shape gives none: frictionless reports it."""
    try:
        resources = descriptor["resources"]
        csv_paths = {str(r["path"]) for r in resources if r.get("format") == "csv"}
        found = []
        for resource in resources:
            path = str(resource["path"])
            csv_path = path.removesuffix(".parquet") + ".csv"
            if resource.get("format") == "parquet" and csv_path in csv_paths:
                names = [str(f["name"]) for f in resource["schema"]["fields"]]
                found.append((path, csv_path, names))
        return found
    except (KeyError, TypeError, AttributeError):
        return []


def check_parquet(files: dict[str, bytes], version: str) -> list[Problem]:
    """Each Parquet file: the descriptor's columns in order, the CSV's row count, the release's version."""
    try:
        descriptor = json.loads(files["datapackage.json"])
    except (KeyError, ValueError):
        return []
    problems = []
    for path, csv_path, names in _parquet_tables(descriptor):
        if path not in files or csv_path not in files:
            continue
        try:
            parquet = pq.read_table(io.BytesIO(files[path]), use_threads=False)
        except (pa.ArrowException, OSError) as exc:
            problems.append(_parquet(path, f"not a readable Parquet file: {exc}", "a Parquet file"))
            continue
        if parquet.column_names != names:
            message = f"columns {', '.join(parquet.column_names)}"
            problems.append(_parquet(path, message, f"columns {', '.join(names)}"))
            continue
        try:
            rows = csv_rows(files[csv_path], names)
        except pa.ArrowException as exc:
            problems.append(_parquet(csv_path, f"not readable as CSV: {exc}", "a CSV file with a header row"))
            continue
        if parquet.num_rows != rows:
            message = f"{parquet.num_rows} rows"
            problems.append(_parquet(path, message, f"{rows} rows, as in {csv_path}"))
        found = (parquet.schema.metadata or {}).get(b"package_version", b"").decode()
        if found != version:
            message = f"package_version {found!r} in the Parquet metadata"
            problems.append(_parquet(path, message, f"package_version {version!r}"))
    return problems


def csv_rows(content: bytes, names: list[str], block_size: int = 1 << 20) -> int:
    """The rows of a table's CSV, every column read as text. Values may hold line breaks (notes, quotes):
    without saying so, Arrow splits a large file into blocks at line breaks inside quoted values."""
    return pacsv.read_csv(
        io.BytesIO(content),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=block_size),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
    ).num_rows


@dataclass(frozen=True)
class Verification:
    """What `verify` found, and the version the bundle's manifest names (to suggest the manifest to check
    it against)."""

    problems: list[Problem]
    version: str | None = None


def self_consistency_only(version: str | None) -> str:
    """What a check without `--manifest` shows: a bundle rewritten with its hashes agrees with itself too."""
    parsed = manifest.parse_version(version or "")
    release_manifest = f"releases/v{manifest.format_version(parsed)}.json" if parsed else "releases/vX.Y.Z.json"
    return (
        "only self-consistency was checked: the bundle agrees with itself, but anyone could have rewritten it with"
        f" its hashes; pass --manifest {release_manifest} (from the repository) to verify it is the release"
    )


def _entries(entries: Any) -> list[dict[str, Any]]:
    """The manifest's file entries, each with its path, size and sha256 (a hostile manifest may hold others)."""
    shape = {"path": str, "bytes": int, "sha256": str}
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and all(isinstance(e.get(k), t) for k, t in shape.items()) for e in entries
    ):
        raise TypeError("'files' must list each file's path, bytes and sha256")
    return entries


def verify(path: Path, manifest_path: Path | None = None) -> Verification:
    """Every problem with a release bundle (zip or unpacked folder)."""
    try:
        files = bundle.read(path)
    except bundle.BundleTooLarge as exc:
        expected = f"at most {bundle.MAX_BUNDLE_BYTES:,} bytes unpacked, each entry at most {bundle.MAX_RATIO} to 1"
        return Verification([Problem(file=str(path), message=str(exc), expected=expected, code="verify-too-large")])
    except (bundle.BundleError, OSError) as exc:
        expected = "a release bundle (zip or folder)"
        return Verification([Problem(file=str(path), message=str(exc), expected=expected, code="verify-unreadable")])
    problems = []
    content = manifest_path.read_bytes() if manifest_path else files.get(bundle.MANIFEST)
    if content is None:
        message = f"the bundle has no {bundle.MANIFEST}"
        expected = "a bundle made by `incidents release`, or --manifest releases/vX.Y.Z.json"
        return Verification(
            [Problem(file=bundle.MANIFEST, message=message, expected=expected, code="verify-no-manifest")]
        )
    if manifest_path and bundle.MANIFEST in files and files[bundle.MANIFEST] != content:
        message = f"the bundle's manifest differs from {manifest_path}"
        problems.append(
            Problem(
                file=bundle.MANIFEST,
                message=message,
                expected="the same manifest",
                code="verify-changed",
            )
        )
    try:
        release_manifest = json.loads(content)
        entries, version = _entries(release_manifest["files"]), str(release_manifest["version"])
    except (ValueError, KeyError, TypeError) as exc:
        message = f"the manifest cannot be read: {exc}"
        return Verification(
            [Problem(file=bundle.MANIFEST, message=message, expected="a release manifest", code="verify-no-manifest")]
        )
    problems += check_files(files, entries)
    problems += check_descriptor(files)
    problems += check_parquet(files, version)
    return Verification(sort_problems(problems), version)
