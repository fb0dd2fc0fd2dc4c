"""What an import of a real export costs: UCDP GED Syria (16,566 events) into an empty dataset, again
unchanged, one row into the full dataset, and the cold build of what was imported.

    .venv/bin/python benchmarks/imports.py [--export ../shared/data/ucdp_ged_syria.csv] [--work benchmarks/.work]

One command, one printed table (rows, seconds, rows/s, peak memory, ratio) and issue 17's targets, each met
or missed. Each figure is the CLI as a user runs it, in a fresh process timed by run.py's wrapper; the
reference on the same input in the same run is pandas reading the export (`read_csv`, every column as text):
the floor of any tool that reads the file, so the ratio says how many reads of the file an import costs.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import run

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_EXPORT = REPO.parent / "shared" / "data" / "ucdp_ged_syria.csv"
READ_CSV = "import sys, pandas as pd\npd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)"
TARGETS = {  # issue 17: (text, seconds allowed, or rows/s required)
    "import": "import >= 1,000 rows/s",
    "unchanged": "unchanged re-import <= 10 s",
    "one row": "one-row import <= 3 s",
    "build": "cold build of the whole dataset <= 60 s",
}


def empty_dataset(root: Path) -> Path:
    """A dataset with the standard and package metadata and no records, in a git repository of its own."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "data").mkdir()
    shutil.copy(REPO / "data" / "package.yaml", root / "data" / "package.yaml")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def first_row(export: Path, out: Path) -> Path:
    """The export's header and first row, as a one-row file."""
    with export.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header, row = next(reader), next(reader)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, row])
    out.write_text(text.getvalue(), encoding="utf-8")
    return out


def repeated(export: Path, copies: int, out: Path) -> Path:
    """The export's real rows `copies` times, each copy with new event ids (an invented file, for size: no
    export this large can be redistributed here); the memory of an import should not grow with it."""
    with export.open(encoding="utf-8", newline="") as handle, out.open("w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(handle), csv.writer(target, lineterminator="\n")
        header = next(reader)
        rows = list(reader)
        writer.writerow(header)
        at = header.index("id")
        for copy in range(copies):
            for row in rows:
                writer.writerow([*row[:at], str(int(row[at]) + copy * 10_000_000), *row[at + 1 :]])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", type=Path, default=DEFAULT_EXPORT, help="a UCDP GED export (CSV)")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where the dataset is made")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each import and of the floor")
    parser.add_argument(
        "--copies", type=int, default=0, help="also import the export's rows this many times over (0: skip)"
    )
    args = parser.parse_args(argv)
    run.compile_toolkit()
    scratch = args.work / "imports"
    scratch.mkdir(parents=True, exist_ok=True)
    for old in scratch.glob("dataset*"):  # the last run's, deleted before anything is timed
        shutil.rmtree(old)
    subprocess.run(["sync"], check=True)
    root = scratch
    rows = sum(1 for _ in csv.reader(args.export.open(encoding="utf-8", newline=""))) - 1
    export = str(args.export.resolve())
    by = ["--by", "benchmark"]
    results = run.Results()

    read = [sys.executable, "-c", READ_CSV, export]
    floor = run.median([run.measure(read, root, scratch) for _ in range(args.repeat)])
    results.rows.append(run.Row("pandas read_csv of the export (floor)", rows, rows, floor, note=floor.spread))

    def ratio(measured: run.Run) -> str:
        return f"{measured.seconds / floor.seconds:.1f}x the floor" if measured.seconds and floor.seconds else ""

    def incidents(*words: str) -> list[str]:
        return [run.INCIDENTS, "--root", str(root), *words]

    firsts = []
    # Each into a new empty dataset, in a folder of its own: deleting the last run's 16,566 files just before
    # made the next import 40-80% slower (the file system still freeing them), which no user's import meets.
    # The last one's dataset is kept for what follows.
    for number in range(args.repeat):
        root = empty_dataset(scratch / f"dataset-{number}")
        firsts.append(run.measure(incidents("import", "ucdp-ged", export, *by), root, scratch))
    first = run.median(firsts)
    results.rows.append(
        run.Row("incidents import ucdp-ged (empty dataset)", rows, rows, first, ratio(first), first.spread)
    )
    again = run.median(
        [run.measure(incidents("import", "ucdp-ged", export, *by), root, scratch) for _ in range(args.repeat)]
    )
    results.rows.append(run.Row("incidents import ucdp-ged (unchanged)", rows, rows, again, ratio(again), again.spread))
    one = first_row(args.export, scratch / "one-row.csv")
    single = run.median(
        [run.measure(incidents("import", "ucdp-ged", str(one), *by), root, scratch) for _ in range(args.repeat)]
    )
    results.rows.append(run.Row("incidents import ucdp-ged (one row)", rows, 1, single, "", single.spread))
    shutil.rmtree(root / ".incidents-cache", ignore_errors=True)
    build = run.measure(incidents("build"), root, scratch)
    records = len(list((root / "data" / "records").glob("*.yaml")))
    results.rows.append(run.Row("incidents build (cold)", records, records, build, ratio(build)))

    def target(key: str, met: bool | None, detail: str) -> None:
        results.targets.append(run.Target(TARGETS[key], met, detail))

    rate = rows / first.seconds if first.finished and first.seconds else None
    target("import", rate >= 1000 if rate else None, f"{rate:,.0f} rows/s" if rate else run._exit(first))
    if args.copies:
        big = repeated(args.export, args.copies, scratch / f"export-x{args.copies}.csv")
        size = f"{big.stat().st_size / 2**20:,.0f} MiB"
        bigger = empty_dataset(scratch / "bigger")
        measured = run.measure(
            [run.INCIDENTS, "--root", str(bigger), "import", "ucdp-ged", str(big), *by], bigger, scratch
        )
        note = f"{size}: the real rows {args.copies} times with new ids (invented)"
        results.rows.append(
            run.Row(
                "incidents import ucdp-ged (larger file)",
                rows * args.copies,
                rows * args.copies,
                measured,
                "",
                note,
            )
        )
        shutil.rmtree(bigger)
    for key, measured, limit in (("unchanged", again, 10), ("one row", single, 3), ("build", build, 60)):
        ok = measured.finished and measured.code == 0
        target(key, (measured.seconds or 0) <= limit if ok else None, run._seconds(measured))
    print(run.machine())
    print(run.render(results))


if __name__ == "__main__":
    main()
