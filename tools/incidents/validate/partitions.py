"""The layouts of a built package's Parquet tables: one file per table, or partitions (`incidents partition`:
files of about 100 MB, `<table>/part-00000.parquet`, optionally under Hive-style key folders such as
`<table>/year=2024/country=SYR/part-00000.parquet`), each a unit that validate/package.py checks on its own;
and the rule that each incident lies in the key folder named for it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from incidents import standard
from incidents.core.layout import Layout
from incidents.core.problems import Problem

PARTITIONED = "partitioned"  # data/tables/partitioned/<table>/[year=YYYY/country=XXX/]part-00000.parquet
PART_GLOB = "part-*.parquet"
INCIDENT_TABLES = ("incidents", "incident_actors", "incident_sources", "incident_citations", "revisions")
SHARED_TABLES = ("actors", "sources")  # not split: every partition's rows may refer to any of them


@dataclass(frozen=True)
class Unit:
    """What one task checks: one file per table, relative to the root (a partition, or the whole package)."""

    partition: str  # "part-00003", "year=2024/country=SYR/part-00000"; "" for single files and shared tables
    files: dict[str, str]


def units_of(root: Path) -> tuple[list[Unit], str]:
    """The units of work of the package at `root`, and the layout's name. The partitioned layout is read
    when `data/tables/partitioned/` exists, else the single files `data/tables/<table>.parquet`."""
    layout = Layout(root)
    folder = layout.tables / PARTITIONED
    if not folder.is_dir():
        files = {name: layout.rel(layout.tables / f"{name}.parquet") for name in standard.TABLES}
        return [Unit("", files)], "single files"
    partitions = sorted(
        {
            path.relative_to(folder / name).with_suffix("").as_posix()
            for name in INCIDENT_TABLES
            for path in (folder / name).rglob(PART_GLOB)
        }
    )
    units = [
        Unit(part, {name: layout.rel(folder / name / f"{part}.parquet") for name in INCIDENT_TABLES})
        for part in partitions
    ]
    units.append(Unit("", {name: layout.rel(folder / name / f"{part_file('', 0)}.parquet") for name in SHARED_TABLES}))
    return units, f"{len(partitions)} partitions under {layout.rel(folder)}"


def part_file(folder: str, index: int) -> str:
    """The name of a partition's file (without .parquet) inside a table's folder: `part-00003`, or under
    key folders `year=2024/country=SYR/part-00000`."""
    return f"{folder}/part-{index:05d}" if folder else f"part-{index:05d}"


_PARTITION = re.compile(r"^((year|country)=[^/]+/){0,2}part-[0-9]+$")


def partition_problems(unit: Unit, incidents: pa.Table) -> list[Problem]:
    """Each incident lies in the key folder named for its year and country, if any (so partitions are
    self-contained)."""
    path = unit.files["incidents"]
    if not _PARTITION.match(unit.partition):
        message = f"a partition file named {unit.partition!r}.parquet"
        return [
            Problem(
                file=path,
                message=message,
                expected="part-NNNNN.parquet files, under year=YYYY and/or country=XXX folders or none",
                code="partition",
            )
        ]
    folder = unit.partition.rpartition("/")[0]
    keys = dict(part.split("=", 1) for part in folder.split("/") if part)
    year = pc.cast(pc.year(incidents.column("date_start")), pa.string())
    actual = {"year": year, "country": incidents.column("country")}
    fields = {"year": "date_start", "country": "country"}
    ids = incidents.column("incident_id")
    problems = []
    for key, value in keys.items():
        found = pc.fill_null(actual[key], HIVE_NULL)
        for row in pc.indices_nonzero(pc.not_equal(found, value)).to_pylist():
            message = f"an incident of {key}={found[row].as_py()}"
            expected = f"only incidents of {folder} in this partition"
            problems.append(
                Problem(
                    file=path,
                    line=row + 2,
                    record=ids[row].as_py(),
                    field=fields[key],
                    message=message,
                    expected=expected,
                    code="partition",
                )
            )
    return problems


HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # Hive's name for the partition of empty values (no date_start)
