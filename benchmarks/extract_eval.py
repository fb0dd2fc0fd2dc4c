"""Field-level precision and recall of `incidents extract` over the golden corpus, and reports per second.

    .venv/bin/python benchmarks/extract_eval.py [GOLDEN_DIR]

Each report is drafted with its gold metadata's publication date against an empty dataset (no actors
or records to learn from), so the figures measure the rules alone."""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from pathlib import Path

import yaml

from incidents.extract import draft_records, evaluate, places

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"


def run_report(path: Path) -> tuple[evaluate.Result, float]:
    meta = yaml.safe_load(path.with_suffix(".meta.yaml").read_text(encoding="utf-8"))
    gold = yaml.safe_load(path.with_name(path.stem + ".gold.yaml").read_text(encoding="utf-8"))["incidents"]
    published = dt.date.fromisoformat(meta["published"]) if meta.get("published") else None
    text = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    result = draft_records(text, "0" * 64, published, [], {}, by="eval", now="2026-01-01T00:00:00Z")
    elapsed = time.perf_counter() - started
    names = {a["actor_id"]: a["name"] for a in result.new_actors}
    return evaluate.score([evaluate.flatten(r, names) for r in result.records], gold), elapsed


def main(folder: Path) -> None:
    reports = sorted(folder.glob("*.txt"))
    if not reports:
        sys.exit(f"no reports in {folder}")
    started = time.perf_counter()
    places.towns("warm-up", ["SYR"])  # load the gazetteer and the regions once
    places.region_named("warm-up", "SYR")
    load = time.perf_counter() - started
    total, first, matched = evaluate.Result(), 0.0, 0
    print(f"{'report':32} {'gold':>4} {'drafts':>6} {'paired':>6}")
    for path in reports:
        result, elapsed = run_report(path)
        total.add(result)
        first += elapsed
        matched += result.count_match
        inc = result.scores["incident"]
        print(f"{path.stem:32} {inc.gold:>4} {inc.predicted:>6} {inc.correct:>6}")
    again = sum(run_report(path)[1] for path in reports)  # every country's town index is built by now
    print(f"\nreports with the gold incident count: {matched}/{len(reports)}\n")
    print(f"{'field':18} {'precision':>9} {'recall':>7} {'correct':>7} {'drafted':>7} {'gold':>5}")
    for name, s in total.scores.items():
        p = f"{s.precision:.2f}" if s.precision is not None else "-"
        r = f"{s.recall:.2f}" if s.recall is not None else "-"
        print(f"{name:18} {p:>9} {r:>7} {s.correct:>7} {s.predicted:>7} {s.gold:>5}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{'pass':44} {'reports':>7} {'seconds':>8} {'reports/s':>9}")
    print(f"{'gazetteer and regions load (once a process)':44} {'-':>7} {load:>8.3f} {'-':>9}")
    print(f"{'first pass (builds each country index)':44} {len(reports):>7} {first:>8.3f} {len(reports) / first:>9.1f}")
    print(f"{'second pass (indexes built)':44} {len(reports):>7} {again:>8.3f} {len(reports) / again:>9.1f}")
    print(f"peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN)
