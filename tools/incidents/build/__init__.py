"""Records and sources -> `data/tables/*.csv`, `*.parquet` and `datapackage.json`.

`build` validates first, then replaces the outputs as one set under a lock (core.output_set), so a failed,
killed or concurrent build leaves the previous outputs whole: readers find the old set or the new one. The
bytes themselves are made by `encode` (which validation uses too, to find a stale build): the build calls
validation, never the reverse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from incidents import validate
from incidents.build.encode import (
    Rendered,
    csv_bytes,
    csv_cell,
    descriptor,
    file_stats,
    fingerprint,
    neutralise_formulas,
    parquet_bytes,
    render,
    render_outputs,
    render_tables,
)
from incidents.core import output_set
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.core.problems import sort as sort_problems
from incidents.incremental import kept_outputs as outputs

__all__ = [
    "BuildResult",
    "Rendered",
    "build",
    "csv_bytes",
    "csv_cell",
    "descriptor",
    "file_stats",
    "fingerprint",
    "neutralise_formulas",
    "parquet_bytes",
    "render",
    "render_outputs",
    "render_tables",
]


def _holds(path: Path, content: bytes) -> bool:
    """Whether the file already holds exactly these bytes (then it is left alone, mtime and all)."""
    try:
        return path.stat().st_size == len(content) and path.read_bytes() == content
    except OSError:
        return False


@dataclass
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def build(root: Path, lock_timeout: float = 0) -> BuildResult:
    """Validate the records, then replace tables and descriptor as one set. Writes nothing if invalid."""
    layout = Layout(root)
    layout.data.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(layout.lock, timeout=lock_timeout):
            refused = output_set.settle(layout)  # a killed build's outputs, finished or undone first
            if refused:
                return BuildResult(refused)
            checked = validate.check_dataset(layout, dt.datetime.now(dt.UTC).date())
            if checked.problems:
                return BuildResult(sort_problems(checked.problems))
            files = checked.outputs  # files kept from the last build (checked.kept) already hold their bytes
            changed = {path: content for path, content in files.items() if not _holds(path, content)}
            if changed:
                output_set.replace(layout, changed)
            outputs.record(layout, checked.fingerprints, files)
            return BuildResult(written=sorted([*files, *checked.kept]))
    except Timeout:
        message = "another build holds the lock on this dataset"
        return BuildResult(
            [
                Problem(
                    file=layout.rel(layout.lock),
                    message=message,
                    expected="one build at a time: wait for the other to finish and run again (or pass --wait SECONDS)",
                    code="locked",
                )
            ]
        )
