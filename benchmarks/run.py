"""What each tool costs at 10k, 100k and 1M incidents, against frictionless, the DuckDB SQL of the same table
rules (duckdb_rules.py) and the bare Parquet read.

    .venv/bin/python benchmarks/run.py [--sizes 10k,100k,1M] [--work benchmarks/.work] [--write-doc docs/scale.md]

One command, one printed table (rows, seconds, rows/s, peak memory, ratio), issue 24's targets, each met,
missed or not measured, and which planted errors each validator found at their rows: the two blocks
docs/scale.md pastes (`--write-doc` pastes them). Every figure is a run of the CLI as a user runs it, in a
fresh wrapper process that times it; the validations, their floors and the rebuild after ten changed
records are run `--repeat` times (alternating round by round, so that a slow spell of the machine hits
every side of a ratio; frictionless in the first `--frictionless-repeat` rounds) and the median is shown,
with the range in the note. Peak memory is the larger of the largest process's peak resident set
(`getrusage(RUSAGE_CHILDREN)`) and the whole process tree's resident set sampled from /proc every 50 ms
(pages shared by forked workers are counted in each). The synthetic datasets (`make_synthetic.py`) are made
once under `--work` and reused while the size and seed are the same. Beside the rebuild, its floor
(rebuild_floor.py): the tables it wrote, encoded and written again alone, nothing listed or checked. A
command the toolkit does not have yet is shown as "not available". With `--dask-size N` (issue 24's point
4, at 10M; default 0, skipped) the same run partitions a package of N incidents and validates it with the
local engine and with Dask at `--dask-workers`, by scale_dask.py's functions: their rows join the table, the
two targets are judged on them, and scale_dask.py's own table is a third block (`<!-- run.py dask -->` in
docs/scale.md). The wrapper, the rows and the targets are harness.py's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import subprocess
import sys
from pathlib import Path

import make_synthetic
import pyarrow.parquet as pq
import rebuild_floor
import scale_dask
from harness import (
    BIN,
    INCIDENTS,
    GiB,
    Results,
    Row,
    Run,
    Target,
    _exit,
    _seconds,
    compile_toolkit,
    machine,
    measure,
    median,
    render,
    render_targets,
)

from incidents import standard

HERE = Path(__file__).resolve().parent
FRICTIONLESS = str(BIN / "frictionless")
READ_ALL = "import sys, pyarrow.parquet as pq\nfor path in sys.argv[1:]: pq.read_table(path)"
DUCKDB_RULES = HERE / "duckdb_rules.py"
FRICTIONLESS_RUN = [FRICTIONLESS, "validate", "--json", "datapackage.json"]
FLOOR = "pyarrow read_table, all Parquet tables (floor)"
DUCKDB = "DuckDB SQL, the same table rules, CSV and Parquet (floor)"
OURS = "incidents validate --tables"
FRICTIONLESS_ROW = "frictionless validate datapackage.json"


def available() -> dict[str, bool]:
    """Which of the issue's commands this toolkit has, from `incidents validate --help`."""
    text = subprocess.run([INCIDENTS, "validate", "--help"], capture_output=True, text=True).stdout
    return {"tables": "--tables" in text, "changed_since": "--changed-since" in text}


def table_rows(root: Path) -> int:
    return sum(pq.read_metadata(root / f"data/tables/{name}.parquet").num_rows for name in standard.TABLES)


def dataset(work: Path, incidents: int, seed: int, records: bool = False, errors: bool = False) -> Path:
    kind = "records" if records else "errors" if errors else "tables"
    out = work / f"{kind}-{incidents}-s{seed}"
    if not make_synthetic.made(out, incidents, seed, records, errors):
        print(f"  making {out} ...", file=sys.stderr, flush=True)
        make_synthetic.make(out, incidents, seed, records, errors)
    return out


# Validation of the built package ----------------------------------------------------------------------


def bench_tables(results: Results, work: Path, n: int, seed: int, args: argparse.Namespace, has: dict) -> None:
    """The bare read, ours, the DuckDB rules and frictionless on the same valid package, alternating: each
    round runs each once (frictionless in the first `--frictionless-repeat` rounds only), so that a slow spell
    of the machine hits every side of a ratio; the median of each is shown."""
    root = dataset(work, n, seed)
    rows = table_rows(root)
    parquet = [str(root / f"data/tables/{name}.parquet") for name in standard.TABLES]
    skip_theirs = args.skip_frictionless_over is not None and n > args.skip_frictionless_over
    floors: list[Run] = []
    runs: list[Run] = []
    duck: list[Run] = []
    friction: list[Run] = []
    for round_ in range(args.repeat):
        floors.append(measure([sys.executable, "-c", READ_ALL, *parquet], root, work))
        if has["tables"]:
            runs.append(measure([INCIDENTS, "--root", str(root), "validate", "--tables"], root, work))
        duck.append(measure([sys.executable, str(DUCKDB_RULES), str(root)], root, work))
        if not skip_theirs and round_ < args.frictionless_repeat and all(r.finished for r in friction):
            friction.append(measure(FRICTIONLESS_RUN, root, work, args.frictionless_timeout))
    floor = median(floors)
    results.rows.append(Row(FLOOR, n, rows, floor, note=floor.spread))
    floor_sql = median(duck)
    note = floor_sql.spread if floor_sql.code == 0 else f"exit {floor_sql.code}: the valid package was reported invalid"
    results.rows.append(Row(DUCKDB, n, rows, floor_sql, note=note))
    ours = None
    if has["tables"]:
        ours = median(runs)
        ratios = [f"{ours.seconds / floor.seconds:.1f}x read"] if ours.seconds is not None and floor.seconds else []
        if ours.seconds is not None and floor_sql.seconds:
            ratios.append(f"{ours.seconds / floor_sql.seconds:.2f}x DuckDB")
        note = ours.spread if ours.code == 0 else f"exit {ours.code}: the valid package was reported invalid"
        results.rows.append(Row(OURS, n, rows, ours, ", ".join(ratios), note))
    else:
        results.rows.append(Row(OURS, n, rows, None, note="not available on this branch"))
    if skip_theirs or not friction:
        note = "not run: --frictionless-repeat 0"
        if skip_theirs:
            note = f"not run: it did not finish within {args.frictionless_timeout:.0f} s at a smaller size"
        results.rows.append(Row(FRICTIONLESS_ROW, n, rows, None, note=note))
        return
    theirs = median(friction)
    note = theirs.spread
    if not theirs.finished:
        note = f"timed out after {args.frictionless_timeout:.0f} s"
        args.skip_frictionless_over = n
    elif theirs.code != 0:
        note = f"exit {theirs.code}" + _csv_tasks_valid(theirs.output) + (f"; {note}" if note else "")
    ratio = ""
    if theirs.seconds is not None and ours and ours.seconds:
        ratio = f"took {theirs.seconds / ours.seconds:.0f}x ours"
    results.rows.append(Row(FRICTIONLESS_ROW, n, rows, theirs, ratio, note))


Finding = tuple[str, str, int, str | None]  # (table, "csv" or "parquet", 0-based row, field)


def _where(path: str) -> tuple[str, str]:
    name = Path(path).name
    table, _, fmt = name.partition(".")
    return table, fmt


def table_findings(output: str) -> set[Finding]:
    """(table, format, 0-based row, field) of each problem `incidents validate --tables --format json` reports
    on a table file: it gives the row's line in the CSV (header = line 1), in the CSV or the Parquet file."""
    found = set()
    for problem in json.loads(output or "{}").get("problems", []):
        if problem["file"].startswith("data/tables/") and problem["line"]:
            table, fmt = _where(problem["file"])
            found.add((table, fmt, problem["line"] - 2, problem["field"]))
    return found


def duckdb_findings(output: str) -> set[Finding]:
    """The same from `duckdb_rules.py --json` (rows counted from 0)."""
    return {(*_where(f["file"]), f["row"], f["field"]) for f in json.loads(output or "[]")}


def frictionless_findings(output: str) -> set[Finding]:
    """The same from `frictionless validate --json` (rowNumber counts the header as row 1). A primary-key
    error names no field: it is given the field `incidents validate` names for a repeated key. Its tasks on
    the Parquet resources are left out: frictionless reads Parquet through pandas and reports type errors the
    files do not have (docs/get-the-data.md); the CSV resources hold the same rows."""
    std = standard.load()
    found = set()
    for task in json.loads(output).get("tasks", []):
        if task["name"].endswith("-parquet"):
            continue
        for error in task["errors"]:
            if "rowNumber" in error:
                name = error.get("fieldName") or (error.get("fieldNames") or [None])[0]
                if error["type"] == "primary-key" and name is None:
                    name = std.tables[task["name"]]["primaryKey"][-1] if task["name"] != "incidents" else "incident_id"
                found.add((task["name"], "csv", error["rowNumber"] - 2, name))
    return found


def _csv_tasks_valid(output: str) -> str:
    """Why frictionless said invalid on a valid package: its tasks on the Parquet resources fail (it reads
    them through pandas), while those on the CSV files pass."""
    try:
        tasks = json.loads(output).get("tasks", [])
    except ValueError:
        return ""
    csv = [t for t in tasks if not t["name"].endswith("-parquet")]
    if csv and all(t["valid"] for t in csv):
        return " (its CSV tasks all valid; its Parquet tasks, read through pandas, not)"
    return ""


# What each tool reads of the package with planted errors, for the note under the found/missed table.
READS = {
    "ours": "CSV and Parquet (a CSV row equal to its Parquet twin is reported once, at the Parquet)",
    "DuckDB": "CSV and Parquet",
    "frictionless": "CSV and Parquet; its CSV tasks count (it reads Parquet through pandas: type errors everywhere)",
}


def found_table(planted: list[dict], tools: dict[str, set[Finding] | None]) -> list[str]:
    """One row per planted error: in which files each tool reported it at its row and field, or missed."""
    names = list(tools)
    out = ["| planted error | table | row | field | " + " | ".join(names) + " |"]
    out.append("| --- | --- | --- | --- | " + " | ".join("---" for _ in names) + " |")
    for p in planted:
        cells = []
        for name in names:
            found = tools[name]
            if found is None:
                cells.append("not run")
                continue
            where = sorted(fmt for fmt in ("csv", "parquet") if (p["table"], fmt, p["row"], p["field"]) in found)
            cells.append("found (" + ", ".join(where) + ")" if where else "**missed**")
        out.append(f"| {p['kind']} | {p['table']} | {p['row']} | {p['field']} | " + " | ".join(cells) + " |")
    out.append("")
    out += [f"- {name} reads {READS[name]}." for name in names]
    return out


def located(planted: dict, found: set[Finding]) -> bool:
    return any((planted["table"], fmt, planted["row"], planted["field"]) in found for fmt in ("csv", "parquet"))


def bench_errors(results: Results, work: Path, n: int, seed: int, args: argparse.Namespace, has: dict) -> None:
    """Every tool on one package with planted errors (each kind in both its CSV and Parquet files): each must
    find every one at its row."""
    root = dataset(work, n, seed, errors=True)
    planted = json.loads((root / make_synthetic.INJECTED).read_text())
    tools: dict[str, set[Finding] | None] = {"ours": None, "DuckDB": None, "frictionless": None}
    if has["tables"]:
        ours = measure([INCIDENTS, "--root", str(root), "validate", "--tables", "--format", "json"], root, work)
        tools["ours"] = table_findings(ours.output) if ours.finished else None
    duck = measure([sys.executable, str(DUCKDB_RULES), str(root), "--json"], root, work)
    tools["DuckDB"] = duckdb_findings(duck.output) if duck.finished else None
    theirs = measure(FRICTIONLESS_RUN, root, work, args.frictionless_timeout)
    tools["frictionless"] = frictionless_findings(theirs.output) if theirs.finished else None
    kinds = len({p["kind"] for p in planted})
    results.found = found_table(planted, tools)
    for name, found in tools.items():
        text = f"{name} finds every planted error at its row ({kinds} kinds, in CSV and Parquet, {n:,} incidents)"
        if found is None:
            results.targets.append(Target(text, None, "not available" if name == "ours" else "did not finish"))
            continue
        missed = [p["kind"] for p in planted if not located(p, found)]
        detail = f"{len(planted) - len(missed)}/{len(planted)}" + (f"; missed: {', '.join(missed)}" if missed else "")
        results.targets.append(Target(text, not missed, detail))


# Build and pull requests on record files --------------------------------------------------------------


def git(root: Path, *argv: str) -> str:
    return subprocess.run(["git", "-C", str(root), *argv], capture_output=True, text=True, check=True).stdout


def records_repo(work: Path, n: int, seed: int) -> Path:
    """The record files as a git repository whose first commit is tagged `synthetic` (made once)."""
    root = dataset(work, n, seed, records=True)
    if not (root / ".git").exists():
        print(f"  committing {root} to git ...", file=sys.stderr, flush=True)
        git(root, "init", "-q")
        git(root, "add", "-A")
        ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.org"]
        git(root, *ident, "commit", "-q", "-m", "synthetic records")
        git(root, "tag", "synthetic")
    # A fresh repository of 128k loose objects starts `git gc --auto` in the background at its next commit,
    # which ran for 13 minutes beside the measured rebuilds: the benchmark times the build, not git's upkeep.
    git(root, "config", "gc.auto", "0")
    git(root, "reset", "-q", "--hard", "synthetic")
    git(root, "clean", "-q", "-fdx")  # built tables and the build cache: every run starts cold
    return root


def change_records(root: Path, count: int, round_: int = 0) -> list[Path]:
    """Edit `count` records as a contributor would (a note added, and its revision recorded with `incidents
    correct`), spread over the dataset; each round other records."""
    paths = sorted((root / "data/records").glob("*.yaml"))
    spread = paths[round_ :: max(1, len(paths) // (count * 3))]
    chosen = [p for p in spread if "\nnotes: null\n" in p.read_text()][:count]
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nnotes: null\n", "\nnotes: Checked again against the sources.\n"), "utf-8")
        correct = [INCIDENTS, "--root", str(root), "correct", path.stem, "--by", "bench", "--reason", "Checked again."]
        subprocess.run(correct, check=True, capture_output=True)
    return chosen


def commit_changes(root: Path, round_: int = 0) -> list[Path]:
    """Ten records changed and committed, as a merged pull request would leave them."""
    changed = change_records(root, 10, round_)
    git(root, "add", *[str(p) for p in changed])
    git(root, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "ten changes")
    return changed


def bench_pull_request(results: Results, work: Path, n: int, seed: int, repeat: int) -> None:
    """`validate --changed-since` of ten changed records against `n` record files, with no build before it:
    it parses only the changed files and takes the rest from git and the file names."""
    root = records_repo(work, n, seed)
    changed = commit_changes(root)
    runs = [
        measure([INCIDENTS, "--root", str(root), "validate", "--changed-since", "HEAD~1"], root, work)
        for _ in range(repeat)
    ]
    run = median(runs)
    note = _exit(run) or run.spread
    results.rows.append(Row(f"incidents validate --changed-since ({len(changed)} records)", n, n, run, note=note))
    git(root, "reset", "-q", "--hard", "synthetic")


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def read_files(folder: Path) -> None:
    """Read every file under `folder` once, as a fresh clone leaves them: in the OS page cache."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            path.read_bytes()


def drop_page_cache() -> bool:
    """Empty the OS page cache (Linux, as root), so that the next command reads its files from the disk: the
    state after a reboot, or after other work has pushed them out. False where that is not allowed."""
    try:
        subprocess.run(["sync"], check=True)
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def build_targets(n: int, changes: int) -> tuple[str, ...]:
    """What the build must do: cold from `n` record files in both page-cache states, and a rebuild."""
    return (
        f"cold build from {n:,} record files <= 20 s (the files in the page cache, as a fresh clone leaves them)",
        f"cold build from {n:,} record files <= 20 s (the page cache dropped: read from the disk)",
        f"rebuild after {changes} changed records <= 1 s",
    )


def bench_build(results: Results, work: Path, n: int, seed: int, has: dict, repeat: int = 1) -> None:
    """A cold build (no build cache) twice: with the record files in the OS page cache, as a fresh clone
    leaves them, and with the page cache dropped, read from the disk; then a build with nothing changed,
    rebuilds after ten changes, and the validation of a pull request."""
    root = records_repo(work, n, seed)
    cmd = [INCIDENTS, "--root", str(root), "build"]
    read_files(root / "data")
    cold = measure(cmd, root, work)
    results.rows.append(Row("incidents build (no build cache; files cached)", n, n, cold, note=_exit(cold)))
    git(root, "clean", "-q", "-fdx")
    if drop_page_cache():
        disk = measure(cmd, root, work)
        results.rows.append(Row("incidents build (no build cache; page cache dropped)", n, n, disk, note=_exit(disk)))
    else:
        disk = None
        results.rows.append(Row("incidents build (page cache dropped)", n, n, None, note="not run: needs root"))
    again = measure(cmd, root, work)
    results.rows.append(Row("incidents build (nothing changed)", n, n, again, note=_exit(again)))
    rebuilds = []
    for round_ in range(repeat):  # each time ten other records
        changed = commit_changes(root, round_)
        before = rebuild_floor.written_by(root)
        rebuilds.append(measure(cmd, root, work))
    altered = rebuild_floor.rewritten(before, root)
    incremental = median(rebuilds)
    note = _exit(incremental) or incremental.spread
    results.rows.append(Row(f"incidents build ({len(changed)} records changed)", n, n, incremental, note=note))
    if has["changed_since"]:
        pr = measure([*cmd[:-1], "validate", "--changed-since", "HEAD~1"], root, work)
        results.rows.append(Row(f"incidents validate --changed-since ({len(changed)} records)", n, n, pr))
    else:
        results.rows.append(Row("incidents validate --changed-since", n, n, None, note="not available on this branch"))
    full = measure([*cmd[:-1], "validate"], root, work)
    results.rows.append(Row("incidents validate (all record files)", n, n, full, note=_exit(full)))
    floor, floor_note = measure_floor(root, work, altered, repeat)
    floor_name = f"rebuild floor: the {len(altered)} tables the rebuild wrote, encoded and written alone"
    results.rows.append(Row(floor_name, n, n, floor, note=floor_note))
    for text, run, limit in zip(build_targets(n, len(changed)), (cold, disk, incremental), (20, 20, 1), strict=True):
        met = run is not None and run.finished and run.code == 0 and run.seconds is not None and run.seconds <= limit
        detail = _seconds(run)
        if run is incremental:
            alone = f"{', '.join(altered)}: encoded and written alone, nothing checked"
            detail += f"; its floor {_seconds(floor)} ({alone})"
        results.targets.append(Target(text, met, detail))
    git(root, "reset", "-q", "--hard", "synthetic")
    git(root, "clean", "-q", "-fdx")


def measure_floor(root: Path, work: Path, names: list[str], repeat: int) -> tuple[Run, str]:
    """rebuild_floor.py on the tables the last rebuild wrote, `repeat` times (after the rebuilds and the
    validation, whose kept files it would otherwise replace); a note unless it wrote the build's own bytes."""
    staged = work / "rebuild-floor"
    rebuild_floor.stage(root, staged, names)
    built = rebuild_floor.digests(root, names)
    floor = [sys.executable, str(HERE / "rebuild_floor.py"), str(root), str(staged), *names]
    run = median([measure(floor, root, work) for _ in range(repeat)])
    same = rebuild_floor.digests(root, names) == built
    return run, _exit(run) or (run.spread if same else "not comparable: it wrote other bytes than the build")


# Targets and output -----------------------------------------------------------------------------------


VALIDATION_TARGETS = (
    "validate --tables <= 1.0x the DuckDB SQL floor on the same rules",
    "validate --tables under 2 GiB",
    ">= 30x faster than frictionless (at 1M, or at 100k and stated so)",
)


def validation_targets(results: Results, sizes: list[int]) -> None:
    """Issue 24's targets on validation, from the rows of this run: at 1M incidents when measured, else at the
    largest size run (and said so)."""

    def find(name: str, n: int) -> Run | None:
        row = next((r for r in results.rows if r.benchmark == name and r.incidents == n), None)
        return row.run if row and row.run and row.run.finished else None

    if not sizes:
        for text in VALIDATION_TARGETS:
            results.targets.append(Target(text, None, "not run (--sizes is empty)"))
        return
    largest = max(sizes)
    at = f"at {largest:,} incidents" + ("" if largest >= 1_000_000 else " (the target is for 1M: not measured there)")
    ours, floor_sql = find(OURS, largest), find(DUCKDB, largest)
    text = VALIDATION_TARGETS[0]
    if ours and floor_sql and ours.seconds and floor_sql.seconds:
        ratio = ours.seconds / floor_sql.seconds
        detail = f"{ratio:.2f}x ({ours.seconds:.2f} s against {floor_sql.seconds:.2f} s) {at}"
        results.targets.append(Target(text, ours.code == 0 and ratio <= 1.0, detail))
    else:
        results.targets.append(Target(text, None, "not available"))
    text = VALIDATION_TARGETS[1]
    if ours:
        detail = f"{(ours.peak or 0) / 2**20:,.0f} MiB {at}"
        results.targets.append(Target(text, ours.code == 0 and (ours.peak or 0) < 2 * GiB, detail))
    else:
        results.targets.append(Target(text, None, "not available"))
    text = VALIDATION_TARGETS[2]
    both = [n for n in sizes if find(OURS, n) and find(FRICTIONLESS_ROW, n)]
    if both:
        n = max(both)
        ours_n, theirs_n = find(OURS, n), find(FRICTIONLESS_ROW, n)
        assert ours_n and theirs_n and ours_n.seconds and theirs_n.seconds
        ratio = theirs_n.seconds / ours_n.seconds
        detail = f"{ratio:.0f}x at {n:,} incidents, the largest size frictionless finished"
        results.targets.append(Target(text, ratio >= 30 and n >= 100_000, detail))
    else:
        results.targets.append(Target(text, None, "no size where both finished"))


def bench_dask(results: Results, work: Path, n: int, copies: int, seed: int, args: argparse.Namespace) -> str:
    """Issue 24's point 4, by scale_dask.py's measures: `incidents partition` of a package of `n` incidents
    (made once under `work`), then the local engine and Dask at `--dask-workers`; its rows and targets go into
    `results`, and its own table (CPU seconds, problems, planted errors found) is returned."""
    root = scale_dask.package(work, n, seed, copies)
    scaled = scale_dask.engines(root, work, args.dask_workers, args.dask_target_mb, args.dask_timeout, copies)
    scale_dask.report(results, scaled)
    return scale_dask.table(scaled)


BLOCKS = {"output": "run.py output", "targets": "run.py targets", "dask": "run.py dask"}


def write_doc(path: Path, blocks: dict[str, str]) -> None:
    """Replace what lies between `<!-- run.py output -->` and `<!-- end of run.py output -->` (and the same
    for the targets and Dask's table) in `path` with this run's text; a block this run did not make (Dask's,
    with `--dask-size 0`) is left as it is, with the date and command of the run that made it."""
    text = path.read_text(encoding="utf-8")
    for key, marker in BLOCKS.items():
        if key not in blocks:
            continue
        begin, end = f"<!-- {marker} -->", f"<!-- end of {marker} -->"
        if begin not in text or end not in text:
            raise SystemExit(f"{path} has no {begin} ... {end} block to replace")
        before, rest = text.split(begin, 1)
        text = before + begin + "\n" + blocks[key] + "\n" + end + rest.split(end, 1)[1]
    path.write_text(text, encoding="utf-8")


def footprint(work: Path, sizes: list[int], seed: int) -> str:
    """What a package of each size holds: rows per table and bytes on disk (Parquet, CSV, archived texts)."""
    head = ["package (incidents)", *standard.TABLES, "Parquet MB", "CSV MB", "source texts", "texts MB"]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for n in sizes:
        root = work / f"tables-{n}-s{seed}"
        if not make_synthetic.made(root, n, seed, False):
            continue
        tables = root / "data/tables"
        counts = [f"{pq.read_metadata(tables / f'{name}.parquet').num_rows:,}" for name in standard.TABLES]
        parquet = sum(p.stat().st_size for p in tables.glob("*.parquet")) / 1e6
        csv = sum(p.stat().st_size for p in tables.glob("*.csv")) / 1e6
        texts = list((root / "data/sources").glob("*.txt"))
        text_mb = sum(p.stat().st_size for p in texts) / 1e6
        cells = [f"{n:,}", *counts, f"{parquet:,.0f}", f"{csv:,.0f}", f"{len(texts):,}", f"{text_mb:,.0f}"]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="incident counts of the built packages")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where the datasets are made and kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-size", default="100k", help="record files for the build benchmarks (0: skip)")
    parser.add_argument("--errors-size", default="10k", help="the package with planted errors (0: skip)")
    parser.add_argument(
        "--pr-size", default="0", help="record files for validate --changed-since alone, without a build (0: skip)"
    )
    parser.add_argument("--frictionless-timeout", type=float, default=600, help="seconds before giving up on it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the validations, floors and rebuild")
    parser.add_argument(
        "--frictionless-repeat", type=int, default=3, help="of those rounds, how many run frictionless too (slow)"
    )
    parser.add_argument(
        "--dask-size", default="0", help="incidents partitioned for the local engine against Dask (0: skip; 10M)"
    )
    parser.add_argument(
        "--dask-workers", type=scale_dask.worker_counts, default="1,2,4", help="Dask worker processes to measure"
    )
    parser.add_argument(
        "--dask-target-mb",
        type=float,
        default=scale_dask.TARGET_MB,
        help="incidents partition --target-mb (the target stays files of about 100 MB)",
    )
    parser.add_argument("--dask-timeout", type=float, default=3600, help="seconds for each of those commands")
    parser.add_argument(
        "--write-doc", type=Path, help="paste the tables into this page's run.py blocks (docs/scale.md)"
    )
    args = parser.parse_args(argv)
    args.skip_frictionless_over = None
    sizes = [make_synthetic.size(s) for s in args.sizes.split(",") if s]
    dask = make_synthetic.size(args.dask_size)
    try:
        copies = scale_dask.copies_for(dask) if dask else 1
    except ValueError as error:
        parser.error(str(error))
    args.work.mkdir(parents=True, exist_ok=True)
    has = available()
    started = dt.datetime.now(dt.UTC)
    dirty = " with uncommitted changes" if git(HERE.parent, "status", "--porcelain", "--untracked-files=no") else ""
    command = shlex.join([".venv/bin/python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    header = [
        f"- date: {started:%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- toolkit: commit {git(HERE.parent, 'rev-parse', '--short', 'HEAD').strip()}{dirty}",
        f"- command: `{command}`",
    ]
    compile_toolkit()
    results = Results()
    for n in sizes:
        print(f"{n:,} incidents: validation ...", file=sys.stderr, flush=True)
        bench_tables(results, args.work, n, args.seed, args, has)
    validation_targets(results, sizes)
    errors = make_synthetic.size(args.errors_size)
    if errors:
        print(f"{errors:,} incidents with planted errors ...", file=sys.stderr, flush=True)
        bench_errors(results, args.work, errors, args.seed, args, has)
    records = make_synthetic.size(args.build_size)
    if records:
        print(f"{records:,} record files: build ...", file=sys.stderr, flush=True)
        bench_build(results, args.work, records, args.seed, has, args.repeat)
    else:
        for text in build_targets(100_000, 10):
            results.targets.append(Target(text, None, "not run (--build-size 0)"))
    pull_request = make_synthetic.size(args.pr_size)
    if pull_request and has["changed_since"]:
        print(f"{pull_request:,} record files: validate --changed-since ...", file=sys.stderr, flush=True)
        bench_pull_request(results, args.work, pull_request, args.seed, args.repeat)
    table = ""
    if dask:
        print(f"{dask:,} incidents, partitioned: the local engine and Dask ...", file=sys.stderr, flush=True)
        table = bench_dask(results, args.work, dask, copies, args.seed, args)
    else:
        for text in (scale_dask.PARTITION_TARGET, scale_dask.ENGINES_TARGET):
            results.targets.append(Target(text, None, "not run (--dask-size 0)"))
    text = "docs/scale.md regenerated from the benchmark's own output"
    if args.write_doc:
        results.targets.append(Target(text, True, f"this run, written into {args.write_doc}"))
    else:
        results.targets.append(Target(text, None, "not written: run with --write-doc docs/scale.md"))
    blocks = {"output": "\n".join(header) + "\n\n" + render(results), "targets": render_targets(results)}
    if table:
        blocks["dask"] = "\n".join(header) + "\n\n" + table
    for block in blocks.values():
        print(block)
        print()
    print(footprint(args.work, sizes, args.seed))
    if args.write_doc:
        write_doc(args.write_doc, blocks)
        print(f"\nwrote the tables into {args.write_doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
