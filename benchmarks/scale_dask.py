"""`incidents validate --tables` beyond one process: the local engine against Dask at 1, 2 and 4 workers.

    .venv/bin/python benchmarks/scale_dask.py [--incidents 10M] [--work /tmp/scale-work] [--workers 1,2,4]
                                              [--target-mb 100] [--copies N] [--timeout S] [--keep]

One command: it makes a synthetic built package of N incidents under `--work` (make_synthetic.py, chunk by
chunk, in bounded memory; reused while the size and seed are the same; above BASE incidents, as copies of
one of N / copies, with new ids and dates: make_synthetic.write_copies), partitions it with
`incidents partition --target-mb`, plants errors whose finding needs rows of two partitions (the same id in
two partitions, an actor and a source that do not exist, a merged record pointing at a tombstone in another
partition and one at an id that exists nowhere, a revision moved to another incident's partition, and a
revision numbered twice), then runs `incidents validate --tables --format json` with `--engine local` and
with `--engine dask --workers W` (a LocalCluster of W processes of one thread each; more workers than cores
are simulated on one machine) and prints one table: seconds, CPU seconds and the load average at the start
(the machine may be shared), rows/s, peak memory of the whole process tree (harness.py's wrapper), the
number of problems, whether they are exactly the local engine's, and how many of the planted errors were
found at their file and row; each row also goes to stderr as its run ends. The dataset is removed at the end
unless `--keep`.

`run.py --dask-size N` runs the same measures (`package`, `engines`) in its own run, adds their rows to its
table and judges issue 24's two targets on them (`partition_target`, `engines_target`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import make_synthetic
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from harness import INCIDENTS, GiB, Results, Row, Run, Target, compile_toolkit, machine, measure

from incidents import standard
from incidents.build import encode
from incidents.validate.partitions import INCIDENT_TABLES, PARTITIONED

HERE = Path(__file__).resolve().parent
MISSING_ACTOR = "act_" + "0" * 26
MISSING_SOURCE = "0" * 64
MISSING_INCIDENT = "inc_" + "0" * 26
BASE = 1_250_000  # incidents made from records at most; a larger package is copies of one of this size or less
MiB = 1024**2  # the unit of `incidents partition --target-mb`
# Issue 24's "files of about 100 MB", as a rule on each partition's size (its largest file, what --target-mb
# sizes): none above 1.5 times it, and the median partition at least half of it (not many small files).
TARGET_MB, MOST, LEAST = 100.0, 1.5, 0.5
AT_SCALE = 10_000_000  # the engines target is for 10M incidents


@dataclass(frozen=True)
class Planted:
    """An error planted in a partition file, and the problem that should name it."""

    file: str  # relative to the dataset root
    line: int  # the row + 2, as problems name it
    code: str
    what: str


def partition_files(root: Path, table: str) -> list[Path]:
    return sorted((root / "data/tables" / PARTITIONED / table).rglob("part-*.parquet"))


def _rewrite(path: Path, table: pa.Table) -> None:
    path.write_bytes(encode.parquet_bytes(table))


def _set(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    index = table.schema.get_field_index(column)
    values = table.column(column).to_pylist()
    values[row] = value
    return table.set_column(index, table.schema.field(index), pa.array(values, table.schema.field(index).type))


def plant(root: Path) -> list[Planted]:
    """Errors whose finding needs rows of two partitions (or a table read whole), in the partition files."""

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix()

    incidents = partition_files(root, "incidents")
    if len(incidents) < 2:
        raise ValueError(f"{len(incidents)} partition(s): plant needs 2 (more incidents or a smaller --target-mb)")
    first, last = incidents[0], incidents[-1]
    planted = []
    # the same id in two partitions: the first incident of the first partition, copied at the end of the last
    head = pq.read_table(first)
    tail = pq.read_table(last)
    tail = pa.concat_tables([tail, head.slice(0, 1).cast(tail.schema)])
    planted += [
        Planted(rel(first), 2, "duplicate-id", "an id in two partitions (the first)"),
        Planted(rel(last), tail.num_rows + 1, "duplicate-id", "an id in two partitions (the copy)"),
    ]
    # merged records pointing across partitions: at a tombstone, and at an id that exists nowhere
    status = head.column("status")
    merged = pc.indices_nonzero(pc.fill_null(pc.equal(status, "merged"), False)).to_pylist()
    active = pc.indices_nonzero(pc.fill_null(pc.equal(tail.column("status"), "active"), False)).to_pylist()
    if merged and len(active) >= 2:
        target = head.column("incident_id")[merged[0]].as_py()
        for row, value, code in ((active[0], target, "tombstone"), (active[1], MISSING_INCIDENT, "dangling-reference")):
            tail = _set(tail, "status", row, "merged")
            tail = _set(tail, "status_reason", row, "duplicate")
            tail = _set(tail, "merged_into", row, value)
            planted.append(Planted(rel(last), row + 2, code, f"merged into {value[:12]}... across partitions"))
    _rewrite(last, tail)
    # references to the shared tables that exist nowhere
    middle = len(incidents) // 2
    for table, column, value in (
        ("incident_actors", "actor_id", MISSING_ACTOR),
        ("incident_sources", "source_id", MISSING_SOURCE),
    ):
        path = partition_files(root, table)[middle]
        rows = pq.read_table(path)
        _rewrite(path, _set(rows, column, rows.num_rows // 2, value))
        planted.append(Planted(rel(path), rows.num_rows // 2 + 2, "dangling-reference", f"a {column} nowhere"))
    # history: a revision moved to the second partition, and a revision numbered twice
    revisions = partition_files(root, "revisions")
    here, there = revisions[0], revisions[1]
    rows_here, rows_there = pq.read_table(here), pq.read_table(there)
    moved = rows_here.slice(rows_here.num_rows - 1, 1)
    _rewrite(here, rows_here.slice(0, rows_here.num_rows - 1))
    _rewrite(there, pa.concat_tables([rows_there, moved]))
    planted.append(Planted(rel(there), rows_there.num_rows + 2, "partition", "a revision in another partition"))
    again = revisions[-1]
    rows_again = pq.read_table(again)
    numbers = rows_again.column("revision")
    twice = pc.indices_nonzero(pc.greater(numbers, 1)).to_pylist()
    if twice:
        _rewrite(again, _set(rows_again, "revision", twice[0], 1))
        incident = rows_again.column("incident_id")[twice[0]].as_py()
        planted.append(Planted(rel(incidents[-1]), 0, "revision-sequence", f"{incident} numbered 1 twice"))
    return planted


def found_planted(problems: list[dict[str, object]], planted: list[Planted]) -> int:
    """How many planted errors a run reported at their file and row (line 0: the file and code alone)."""
    at = {(p["file"], p["line"], p["code"]) for p in problems}
    by_file = {(p["file"], p["code"]) for p in problems}
    return sum(((x.file, x.line, x.code) in at) if x.line else ((x.file, x.code) in by_file) for x in planted)


def key(problem: dict[str, object]) -> tuple[str, ...]:
    return tuple(str(problem[k]) for k in ("file", "line", "record", "field", "code", "message"))


# The package, and what each engine finds on it ----------------------------------------------------------


def worker_counts(text: str) -> list[int]:
    """'1,2,4' -> [1, 2, 4]: the Dask runs to measure (an argparse type)."""
    return [int(w) for w in text.split(",") if w.strip()]


def copies_for(incidents: int, copies: int | None = None) -> int:
    """How many copies of a smaller package make `incidents` (default: of BASE or less)."""
    copies = copies or -(-incidents // BASE)
    if incidents % copies:
        raise ValueError(f"{incidents:,} incidents are not {copies} copies of one package: give a multiple of {copies}")
    return copies


def folders(work: Path, incidents: int, copies: int) -> tuple[Path, Path]:
    """Where the package and the base it is copied from are made under `work`."""
    return work / f"scale-{incidents}", work / f"base-{incidents // copies}"


def package(work: Path, incidents: int, seed: int, copies: int) -> Path:
    """The built package of `incidents` under `work`, made once and reused while its size, seed and copies are
    the same (its partitions are written again by each run, so errors planted by an earlier run are gone)."""
    root, base = folders(work, incidents, copies)
    if not make_synthetic.made(root, incidents, seed, as_records=False, copies=copies):
        print(f"  making {incidents:,} synthetic incidents in {root} ...", file=sys.stderr, flush=True)
        clock = time.perf_counter()
        make_synthetic.make(root, incidents, seed, as_records=False, copies=copies, base=base)
        print(f"  made in {time.perf_counter() - clock:,.0f} s", file=sys.stderr, flush=True)
    return root


@dataclass
class EngineRun:
    """One run of `validate --tables` on the partitioned package."""

    workers: int | None  # None: the local engine
    run: Run
    cpu: float  # user + sys seconds of the finished process tree (every process reaped, Dask's workers too)
    load: float  # the 1-minute load average when it started (the machine may be shared)
    keys: list[tuple[str, ...]] | None  # its problems, sorted; None: no report (it failed or timed out)
    hits: int  # planted errors it reported at their file and row

    @property
    def label(self) -> str:
        return "local" if self.workers is None else f"dask, {self.workers} worker{'s' * (self.workers > 1)}"


@dataclass
class Scaled:
    """What `engines` measured on one package: the partitioning, then the local engine and each Dask run."""

    incidents: int
    rows: int  # of all the tables
    copies: int
    target_mb: float
    timeout: float | None
    partition: Run
    sizes: list[int]  # each partition's bytes (its largest file of the incident tables), ascending
    files: list[int]  # the bytes of every file of the incident tables, ascending
    planted: list[Planted]
    not_planted: str  # why nothing was planted ("" when errors were)
    runs: list[EngineRun]  # the local engine first

    @property
    def partitioned(self) -> bool:
        return self.partition.finished and self.partition.code == 0


def counted(items: list, word: str) -> str:
    return f"{len(items):,} {word}{'s' * (len(items) != 1)}"


def failure(run: Run, timeout: float | None) -> str:
    return f"timed out after {timeout or 0:,.0f} s" if not run.finished else f"exited {run.code}"


def partition_sizes(root: Path) -> tuple[list[int], list[int]]:
    """Each partition's size, that of its largest file over the incident tables (what --target-mb sizes), and
    every file's, ascending; a partition's files share their name under each table's folder."""
    largest: dict[str, int] = {}
    files = []
    for name in INCIDENT_TABLES:
        folder = root / "data/tables" / PARTITIONED / name
        for path in partition_files(root, name):
            files.append(path.stat().st_size)
            part = path.relative_to(folder).as_posix()
            largest[part] = max(largest.get(part, 0), files[-1])
    return sorted(largest.values()), sorted(files)


def problems_of(output: str) -> list[dict[str, object]] | None:
    """The problems of `validate --format json`, or None when its output is not such a report."""
    try:
        problems = json.loads(output)["problems"]
    except (ValueError, KeyError, TypeError):
        return None
    return problems if isinstance(problems, list) else None


def engines(
    root: Path, scratch: Path, workers: list[int], target_mb: float, timeout: float | None, copies: int = 1
) -> Scaled:
    """Partition the package, plant the errors across partitions, then validate it with the local engine and
    with Dask at each number of `workers`, each command in harness.py's wrapper (given up after `timeout`)."""
    tables = root / "data/tables"
    rows = sum(pq.read_metadata(tables / f"{name}.parquet").num_rows for name in standard.TABLES)
    incidents = pq.read_metadata(tables / "incidents.parquet").num_rows
    cli = [INCIDENTS, "--root", str(root)]
    print(f"  incidents partition --target-mb {target_mb:g} ...", file=sys.stderr, flush=True)
    part = measure([*cli, "partition", "--target-mb", f"{target_mb:g}"], root, scratch, timeout)
    scaled = Scaled(incidents, rows, copies, target_mb, timeout, part, [], [], [], "", [])
    if not scaled.partitioned:  # a folder an earlier run left is not this run's
        scaled.not_planted = f"incidents partition {failure(part, timeout)}"
        return scaled
    scaled.sizes, scaled.files = partition_sizes(root)
    try:
        scaled.planted = plant(root)
    except ValueError as error:
        scaled.not_planted = str(error)
    for count in [None, *workers]:
        extra = [] if count is None else ["--engine", "dask", "--workers", str(count)]
        print(f"  validate --tables {' '.join(extra) or '(local engine)'} ...", file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        measured = measure([*cli, "validate", "--tables", "--format", "json", *extra], root, scratch, timeout)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        keys, hits = None, 0
        if measured.finished and measured.code in (0, 1):  # 1: problems found, the answer expected here
            problems = problems_of(measured.output)  # None: exit 1 without a report (Python's for an exception)
            if problems is not None:
                keys, hits = sorted(key(p) for p in problems), found_planted(problems, scaled.planted)
        scaled.runs.append(EngineRun(count, measured, cpu, load, keys, hits))
        print("  | " + " | ".join(cells(scaled, scaled.runs[-1])) + " |", file=sys.stderr, flush=True)
    return scaled


# The targets of issue 24's point 4, and the tables ---------------------------------------------------------

PARTITION_TARGET = (
    f"incidents partition writes files of about {TARGET_MB:g} MB (a partition's size is its largest file: the "
    f"largest <= {MOST * TARGET_MB:g} MiB, the median >= {LEAST * TARGET_MB:g} MiB)"
)
ENGINES_TARGET = (
    f"validate --tables --engine dask on {AT_SCALE // 1_000_000}M incidents: time against 1, 2 and more workers, "
    "the local engine's problems, every planted error found"
)


def partition_target(scaled: Scaled) -> Target:
    """Files of about 100 MB (TARGET_MB, MOST, LEAST), from the partition files this run wrote."""
    if not scaled.partitioned:
        return Target(PARTITION_TARGET, False, f"incidents partition {failure(scaled.partition, scaled.timeout)}")
    if not scaled.sizes:
        return Target(PARTITION_TARGET, False, "no partition files written")
    largest, middle = max(scaled.sizes), statistics.median(scaled.sizes)
    met = largest <= MOST * TARGET_MB * MiB and middle >= LEAST * TARGET_MB * MiB
    detail = (
        f"{counted(scaled.sizes, 'partition')} of {scaled.incidents:,} incidents (--target-mb {scaled.target_mb:g}): "
        f"largest {largest / MiB:,.1f} MiB, median {middle / MiB:,.1f} MiB"
    )
    return Target(PARTITION_TARGET, met, detail)


def engines_target(scaled: Scaled) -> Target:
    """Met only at AT_SCALE incidents or more, with Dask at 1, 2 and more workers, each run finished with the
    local engine's problems and every planted error found; else missed, with each reason."""
    missed = []
    if scaled.incidents < AT_SCALE:
        missed.append(f"measured at {scaled.incidents:,} incidents, not {AT_SCALE:,}")
    counts = {r.workers for r in scaled.runs if r.workers is not None}
    if not ({1, 2} <= counts and max(counts) > 2):
        missed.append(f"Dask at {', '.join(map(str, sorted(counts))) or 'no'} workers, where 1, 2 and more are asked")
    if not scaled.planted:
        missed.append(f"no errors planted: {scaled.not_planted}")
    local = scaled.runs[0] if scaled.runs else None
    for r in scaled.runs:
        if r.keys is None:
            missed.append(f"{r.label}: {failure(r.run, scaled.timeout)}")
        elif local is not None and r is not local and r.keys != local.keys:
            theirs = "none from the local engine" if local.keys is None else f"the local engine {len(local.keys):,}"
            missed.append(f"{r.label}: {len(r.keys):,} problems, not the local engine's ({theirs})")
        elif scaled.planted and r.hits < len(scaled.planted):
            missed.append(f"{r.label}: {r.hits} of {len(scaled.planted)} planted errors found")
    times = ", ".join(f"{r.label} {r.run.seconds:,.1f} s" for r in scaled.runs if r.run.seconds is not None)
    detail = f"{scaled.incidents:,} incidents: {times or 'no engine finished'}"
    if missed:
        return Target(ENGINES_TARGET, False, detail + "; missed: " + "; ".join(missed))
    assert local is not None and local.keys is not None
    found = f"{counted(local.keys, 'problem')} by each engine, the same; every planted error ({len(scaled.planted)})"
    return Target(ENGINES_TARGET, True, f"{detail}; {found} found by each")


HEAD = ("engine", "seconds", "CPU s", "load", "rows/s", "peak GiB", "problems", "same as local", "planted found")


def cells(scaled: Scaled, r: EngineRun) -> tuple[str, ...]:
    """One row of the table (HEAD)."""
    seconds, local = r.run.seconds, scaled.runs[0].keys
    return (
        r.label,
        f"{seconds:,.1f}" if seconds is not None else "timeout",
        f"{r.cpu:,.1f}",
        f"{r.load:,.1f}",
        f"{scaled.rows / seconds:,.0f}" if seconds else "-",
        f"{(r.run.peak or 0) / GiB:,.2f}",
        f"{len(r.keys):,}" if r.keys is not None else failure(r.run, scaled.timeout),
        "yes" if r.keys is not None and r.keys == local else "no",
        f"{r.hits} of {len(scaled.planted)}",
    )


def summary(scaled: Scaled) -> str:
    """The package and its partitions, in a line."""
    copies = scaled.copies
    copied = f" ({copies} copies of {scaled.incidents // copies:,}, new ids and dates)" if copies > 1 else ""
    line = f"{scaled.incidents:,} incidents{copied}, {scaled.rows:,} rows; "
    line += f"`incidents partition --target-mb {scaled.target_mb:g}`: "
    if not scaled.partitioned or not scaled.sizes:
        return line + (scaled.not_planted or "no partition files written")
    sizes, files, part = scaled.sizes, scaled.files, scaled.partition
    largest, middle, file_middle = (x / MiB for x in (max(sizes), statistics.median(sizes), statistics.median(files)))
    planted = f"{len(scaled.planted)} errors planted across partitions" if scaled.planted else ""
    return line + (
        f"{counted(sizes, 'partition')} (largest {largest:,.0f} MiB, median {middle:,.0f} MiB: each its largest "
        f"file), {len(files)} files of the incident tables (median {file_middle:,.0f} MiB), in "
        f"{part.seconds or 0:,.0f} s, peak {(part.peak or 0) / GiB:,.2f} GiB; "
        f"{planted or 'no errors planted: ' + scaled.not_planted}"
    )


def table(scaled: Scaled) -> str:
    """The summary line and the table of the engines, as docs/scale.md pastes them."""
    out = [summary(scaled), "", "| " + " | ".join(HEAD) + " |", "| " + " | ".join("---" for _ in HEAD) + " |"]
    out += ["| " + " | ".join(cells(scaled, r)) + " |" for r in scaled.runs]
    return "\n".join(out)


def report(results: Results, scaled: Scaled) -> None:
    """The partitioning and each engine as rows of run.py's table (Dask's ratio against the local engine), and
    the two targets."""
    n, rows, part = scaled.incidents, scaled.rows, scaled.partition
    note = (
        f"{counted(scaled.sizes, 'partition')}, {len(scaled.files)} files" if scaled.partitioned else scaled.not_planted
    )
    results.rows.append(Row(f"incidents partition --target-mb {scaled.target_mb:g}", n, rows, part, note=note))
    local = scaled.runs[0] if scaled.runs else None
    for r in scaled.runs:
        c = dict(zip(HEAD, cells(scaled, r), strict=True))
        name = "incidents validate --tables --engine " + (
            "local (partitioned)" if r.workers is None else f"dask --workers {r.workers}"
        )
        ratio = ""
        if local and r is not local and local.run.seconds and r.run.seconds:
            ratio = f"{r.run.seconds / local.run.seconds:.2f}x local"
        found = f"{c['problems']} problems" if r.keys is not None else c["problems"]  # else why there is none
        found += "" if r is local else f", the local engine's: {c['same as local']}"
        note = f"CPU {c['CPU s']} s, load average {c['load']}; {found}; planted found {c['planted found']}"
        results.rows.append(Row(name, n, rows, r.run, ratio, note))
    results.targets += [partition_target(scaled), engines_target(scaled)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=make_synthetic.size, default=10_000_000, help="e.g. 1M, 10M")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale-work"), help="where the dataset is made")
    parser.add_argument(
        "--workers", type=worker_counts, default="1,2,4", help="Dask worker processes to measure, e.g. 1,2,4"
    )
    parser.add_argument("--target-mb", type=float, default=TARGET_MB, help="incidents partition --target-mb")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--copies", type=int, help=f"copies of a package of N / copies (default: N / {BASE:,} rounded up)"
    )
    parser.add_argument("--timeout", type=float, help="seconds before giving up on a command (default: none)")
    parser.add_argument("--keep", action="store_true", help="keep the dataset under --work afterwards")
    args = parser.parse_args(argv)
    command = "benchmarks/scale_dask.py " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        copies = copies_for(args.incidents, args.copies)
    except ValueError as error:
        parser.error(f"{error} (or --copies)")
    root, base = folders(args.work, args.incidents, copies)
    started = dt.datetime.now(dt.UTC)
    compile_toolkit()
    host = machine()
    try:
        package(args.work, args.incidents, args.seed, copies)
        scratch = args.work / "scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        scaled = engines(root, scratch, args.workers, args.target_mb, args.timeout, copies)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(base, ignore_errors=True)
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print(f"`{command.strip()}` on {started:%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or '?'}")
    print(f"machine: {host}")
    print(table(scaled))


if __name__ == "__main__":
    main()
