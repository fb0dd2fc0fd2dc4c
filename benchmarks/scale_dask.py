"""`incidents validate --tables` beyond one process: the local engine against Dask at 1, 2 and 4 workers.

    .venv/bin/python benchmarks/scale_dask.py [--incidents 10M] [--work /tmp/scale-work] [--workers 1,2,4]
                                              [--target-mb 100] [--copies N] [--keep]

One command: it makes a synthetic built package of N incidents under `--work` (make_synthetic.py, chunk by
chunk, in bounded memory; reused while the size and seed are the same; above BASE incidents, as copies of
one of N / copies, with new ids and dates: make_synthetic.write_copies), partitions it with
`incidents partition --target-mb`, plants errors whose finding needs rows of two partitions (the same id in
two partitions, an actor and a source that do not exist, a merged record pointing at a tombstone in another
partition and one at an id that exists nowhere, a revision moved to another incident's partition, and a
revision numbered twice), then runs `incidents validate --tables --format json` with `--engine local` and
with `--engine dask --workers W` (a LocalCluster of W processes of one thread each; more workers than cores
are simulated on one machine) and prints one table: seconds, CPU seconds and the load average at the start
(the machine may be shared), rows/s, peak memory of the whole process tree (run.py's wrapper), the number
of problems, whether they are exactly the local engine's, and how many of
the planted errors were found at their file and row; each row also goes to stderr as its run ends. The
dataset is removed at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import make_synthetic
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import run as run_py

from incidents.build import encode
from incidents.validate.partitions import INCIDENT_TABLES, PARTITIONED

HERE = Path(__file__).resolve().parent
MISSING_ACTOR = "act_" + "0" * 26
MISSING_SOURCE = "0" * 64
MISSING_INCIDENT = "inc_" + "0" * 26
BASE = 1_250_000  # incidents made from records at most; a larger package is copies of one of this size or less


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
        raise SystemExit(f"{len(incidents)} partition(s): use more incidents or a smaller --target-mb")
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


HEAD = ("engine", "seconds", "CPU s", "load", "rows/s", "peak GiB", "problems", "same as local", "planted found")


def cells(
    label: str,
    measured: run_py.Run,
    cpu: float,
    load: float,
    rows: int,
    count: int,
    same: bool,
    hits: int,
    planted: list[Planted],
) -> tuple[str, ...]:
    """One row of the table (HEAD): CPU is user + sys of the finished process tree (every process reaped,
    Dask's workers included), load the 1-minute load average when the run started (the machine is shared)."""
    seconds = measured.seconds or float("nan")
    return (
        label,
        f"{seconds:,.1f}",
        f"{cpu:,.1f}",
        f"{load:,.1f}",
        f"{rows / seconds:,.0f}",
        f"{(measured.peak or 0) / run_py.GiB:,.2f}",
        f"{count:,}",
        "yes" if same else "no",
        f"{hits} of {len(planted)}",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=make_synthetic.size, default=10_000_000, help="e.g. 1M, 10M")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale-work"), help="where the dataset is made")
    parser.add_argument("--workers", default="1,2,4", help="Dask worker processes to measure, e.g. 1,2,4")
    parser.add_argument("--target-mb", type=float, default=100.0, help="incidents partition --target-mb")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--copies", type=int, help=f"copies of a package of N / copies (default: N / {BASE:,} rounded up)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the dataset under --work afterwards")
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    command = "benchmarks/scale_dask.py " + " ".join(argv if argv is not None else sys.argv[1:])
    copies = args.copies or -(-args.incidents // BASE)
    if args.incidents % copies:
        parser.error(f"--copies {copies} does not divide --incidents {args.incidents:,}: give --copies")
    root = args.work / f"scale-{args.incidents}"
    base = args.work / f"base-{args.incidents // copies}"
    started = dt.datetime.now(dt.UTC)
    run_py.compile_toolkit()
    host = run_py.machine()
    try:
        if not make_synthetic.made(root, args.incidents, args.seed, as_records=False, copies=copies):
            print(f"making {args.incidents:,} synthetic incidents in {root} ...", file=sys.stderr, flush=True)
            clock = time.perf_counter()
            make_synthetic.make(root, args.incidents, args.seed, as_records=False, copies=copies, base=base)
            print(f"  made in {time.perf_counter() - clock:,.0f} s", file=sys.stderr, flush=True)
        scratch = args.work / "scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        cli = [run_py.INCIDENTS, "--root", str(root)]
        part = run_py.measure([*cli, "partition", "--target-mb", str(args.target_mb)], root, scratch)
        files = partition_files(root, "incidents")
        sizes = sorted(p.stat().st_size for name in INCIDENT_TABLES for p in partition_files(root, name))
        planted = plant(root)
        rows = sum(pq.read_metadata(p).num_rows for name in INCIDENT_TABLES for p in partition_files(root, name))
        rows += sum(pq.read_metadata(root / f"data/tables/{n}.parquet").num_rows for n in ("actors", "sources"))
        runs: list[tuple[str, list[str]]] = [("local", [])] + [
            (f"dask, {w} worker{'s' * (w > 1)}", ["--engine", "dask", "--workers", str(w)]) for w in workers
        ]
        results = []
        reference: list[tuple[str, ...]] | None = None
        for label, extra in runs:
            print(f"  {label} ...", file=sys.stderr, flush=True)
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            measured = run_py.measure([*cli, "validate", "--tables", "--format", "json", *extra], root, scratch)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            problems = json.loads(measured.output)["problems"] if measured.output.strip() else []
            keys = sorted(key(p) for p in problems)
            reference = keys if reference is None else reference
            hits = found_planted(problems, planted)
            results.append(cells(label, measured, cpu, load, rows, len(problems), keys == reference, hits, planted))
            print("  | " + " | ".join(results[-1]) + " |", file=sys.stderr, flush=True)  # kept if a later run stops
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(base, ignore_errors=True)
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print(f"`{command.strip()}` on {started:%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or '?'}")
    print(f"machine: {host}")
    copied = f" ({copies} copies of {args.incidents // copies:,}, new ids and dates)" if copies > 1 else ""
    print(
        f"{args.incidents:,} incidents{copied}, {rows:,} rows; `incidents partition --target-mb {args.target_mb:g}`: "
        f"{len(files)} partitions, {len(sizes)} files of the incident tables (largest {sizes[-1] / 1e6:,.0f} MB, "
        f"median {sizes[len(sizes) // 2] / 1e6:,.0f} MB), in {part.seconds or 0:,.0f} s, "
        f"peak {(part.peak or 0) / run_py.GiB:,.2f} GiB; {len(planted)} errors planted across partitions"
    )
    print()
    print("| " + " | ".join(HEAD) + " |")
    print("| " + " | ".join("---" for _ in HEAD) + " |")
    for row in results:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
