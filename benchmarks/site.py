"""What building the documentation site costs: the real dataset (16.6k incidents) and synthetic ones.

    .venv/bin/python benchmarks/site.py [--sizes real,100k] [--work benchmarks/.work] [--repeat 1]

One command, one printed table (incidents, seconds, incidents/s, peak memory, the site's files and size) and
issue 21's targets, each met or missed: `incidents docs` at most 3 minutes at 16.6k incidents and 10 minutes at
100k, on the 2-core machine of docs/scale.md. `real` is this repository's built tables; a size (`100k`) is
a synthetic built package (`make_synthetic.py`, made once under `--work` and reused) with the repository's
docs/, mkdocs.yml and schemas/ beside it. Each build is `incidents docs` as a user runs it, in run.py's
wrapper (a fresh process: wall seconds, and the peak memory of its process tree).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import make_synthetic
import pyarrow.parquet as pq
import run

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SITE_FILES = ("mkdocs.yml", "docs", "schemas", "tools/incidents/cli/mkdocs_hook.py")
SEED_REPORT = "docs/contribute/seed-report.md"
TARGETS = {"real": ("the site from the real data (16.6k incidents) <= 3 minutes", 180.0)}
LARGE = ("the site from 100k synthetic incidents <= 10 minutes", 600.0)


def with_site_files(root: Path) -> Path:
    """The repository's site configuration and hand-written pages beside a synthetic dataset, fresh for each
    run. The page on the seed report links to the seed's incidents, which a synthetic dataset lacks (a broken
    link fails the strict build): it is replaced by its title."""
    for name in SITE_FILES:
        target = root / name
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (REPO / name).is_dir() else shutil.copyfile)(REPO / name, target)
    (root / SEED_REPORT).write_text("# The rules on the seed report\n\nNot in a synthetic dataset.\n", encoding="utf-8")
    return root


def site_size(site: Path) -> str:
    files = [p for p in site.rglob("*") if p.is_file()]
    return f"{len(files):,} files, {sum(p.stat().st_size for p in files) / 2**20:,.0f} MiB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,100k", help="`real` and/or synthetic incident counts")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where the datasets are made and kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="builds of each site (the median is shown)")
    args = parser.parse_args(argv)
    run.compile_toolkit()
    scratch = args.work / "site"
    scratch.mkdir(parents=True, exist_ok=True)
    results = run.Results()
    for size in args.sizes.split(","):
        root = REPO if size == "real" else with_site_files(run.dataset(args.work, make_synthetic.size(size), args.seed))
        incidents = pq.read_metadata(root / "data/tables/incidents.parquet").num_rows
        out = scratch / f"site-{size}"
        command = [run.INCIDENTS, "--root", str(root), "docs", "--site-dir", str(out)]
        built = run.median([run.measure(command, root, scratch) for _ in range(args.repeat)])
        note = "; ".join(x for x in (site_size(out) if out.is_dir() else "", built.spread) if x)
        results.rows.append(run.Row(f"incidents docs ({size})", incidents, incidents, built, note=note))
        text, limit = TARGETS.get(size, LARGE)
        met = built.seconds <= limit if built.finished and built.seconds is not None else None
        detail = f"{built.seconds:.0f} s" if built.finished and built.seconds is not None else run._exit(built)
        results.targets.append(run.Target(text, met, detail))
    print(run.machine())
    print(run.render(results))
    sys.exit(0 if all(t.met for t in results.targets) else 1)


if __name__ == "__main__":
    main()
