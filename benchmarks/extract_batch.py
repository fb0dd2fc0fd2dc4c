"""`incidents extract` over a batch of reports in one process, against a copy of the real dataset.

    .venv/bin/python benchmarks/extract_batch.py [--copies N]

The reports are the real seed report (../shared/seed/qamishli_report.txt, when present) and the golden
reports (tests/golden/: 15 invented, 38 real), each run N times over (default 2: 108 reports) as COPIES:
each copy gets a line of its own appended so its bytes, and so its archived source, differ (identical bytes
would be ingested once and their drafts skipped as repeats). The dataset (data/, 16.6k records) is copied to
a temporary folder first, so the batch reads it, and learns its towns' admin1, as a user's run would; the
copy is not timed. Issue 23's target: at least 5 reports/s on the 2-core machine."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from incidents import extract
from incidents.records import dataset

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "qamishli_report.txt"


def reports(copies: int) -> list[extract.Report]:
    """The real seed report and the golden reports, `copies` times over, each copy's bytes its own."""
    found: list[tuple[bytes, dt.date | None, str]] = []
    if SEED.exists():
        found.append((SEED.read_bytes(), dt.date(2024, 3, 8), "Kurdistan24"))
    golden = ROOT / "tests" / "golden"
    for path in sorted([*golden.glob("*.txt"), *golden.glob("real*/*.txt")]):
        meta = yaml.safe_load(path.with_suffix(".meta.yaml").read_text(encoding="utf-8"))
        published = dt.date.fromisoformat(str(meta["published"])) if meta.get("published") else None
        found.append((path.read_bytes(), published, "golden"))
    return [
        extract.Report(content + f"\n(benchmark copy {i})\n".encode(), published, None, publisher)
        for i in range(copies)
        for content, published, publisher in found
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="how many times each report is run (default 2)")
    args = parser.parse_args()
    batch = reports(args.copies)
    once: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("tables"))
        with timed(once, "dataset", dataset, "read"), timed(once, "admin1", extract, "known_admin1"):
            started = time.perf_counter()
            outcomes = extract.extract_reports(root, batch, by="benchmark", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            seconds = time.perf_counter() - started
    drafts = sum(len(o.extracted.records) for o in outcomes if o.extracted)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    each = seconds - once["dataset"] - once["admin1"]
    print(f"{len(batch)} reports ({len(batch) // args.copies} distinct, {args.copies} copies of each), {drafts} drafts")
    print(f"{'run':52} {'reports':>7} {'seconds':>8} {'reports/s':>9}")
    print(f"{'  read the dataset (once)':52} {'-':>7} {once['dataset']:>8.2f} {'-':>9}")
    print(f"{'  load the gazetteer, learn its towns admin1 (once)':52} {'-':>7} {once['admin1']:>8.2f} {'-':>9}")
    print(f"{'  ingest, draft and write each report':52} {len(batch):>7} {each:>8.2f} {len(batch) / each:>9.1f}")
    print(f"{'the whole batch, one process':52} {len(batch):>7} {seconds:>8.2f} {len(batch) / seconds:>9.1f}")
    print(f"peak memory {peak:.0f} MiB")


@contextlib.contextmanager
def timed(into: dict[str, float], name: str, module: Any, function: str) -> Iterator[None]:
    """Add the time spent in `module.function` to `into[name]` while the block runs."""
    real = getattr(module, function)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            into[name] = into.get(name, 0.0) + time.perf_counter() - started

    setattr(module, function, wrapper)
    try:
        yield
    finally:
        setattr(module, function, real)


if __name__ == "__main__":
    main()
