"""Field-level precision and recall of `incidents extract` over the golden corpus, and reports per second.

    .venv/bin/python benchmarks/extract_eval.py [GOLDEN_DIR ...]

By default it scores three sets apart: the invented reports (tests/golden/), the real development reports
(tests/golden/real/, the ones rules may be written against) and the real held-out reports
(tests/golden/real_holdout/, never read while writing rules). The real figures are the ones to quote.

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


SETS = (
    ("invented", GOLDEN),
    ("real (development)", GOLDEN / "real"),
    ("real (held out)", GOLDEN / "real_holdout"),
)


def main(folders: list[tuple[str, Path]]) -> None:
    started = time.perf_counter()
    places.towns("warm-up", ["SYR"])  # load the gazetteer and the regions once
    places.region_named("warm-up", "SYR")
    load = time.perf_counter() - started
    timings: list[tuple[str, int, float, float]] = []
    totals: dict[str, evaluate.Result] = {}
    for label, folder in folders:
        reports = sorted(folder.glob("*.txt"))
        if not reports:
            print(f"{label}: no reports in {folder}\n")
            continue
        total, first, matched = evaluate.Result(), 0.0, 0
        print(f"## {label}: {folder}\n")
        print(f"{'report':34} {'gold':>4} {'drafts':>6} {'paired':>6} {'right':>6}")
        for path in reports:
            result, elapsed = run_report(path)
            total.add(result)
            first += elapsed
            matched += result.count_match
            inc = result.scores["incident"]
            print(f"{path.stem:34} {inc.gold:>4} {inc.predicted:>6} {inc.correct:>6} {_pct(result.share_right()):>6}")
        again = sum(run_report(path)[1] for path in reports)  # every country's town index is built by now
        totals[label] = total
        timings.append((label, len(reports), first, again))
        print(f"\nreports with the gold incident count: {matched}/{len(reports)}\n")
        print(f"{'field':18} {'precision':>9} {'recall':>7} {'correct':>7} {'drafted':>7} {'gold':>5}")
        for name, s in total.scores.items():
            p = f"{s.precision:.2f}" if s.precision is not None else "-"
            r = f"{s.recall:.2f}" if s.recall is not None else "-"
            print(f"{name:18} {p:>9} {r:>7} {s.correct:>7} {s.predicted:>7} {s.gold:>5}")
        print()
    print("## fields right: of every gold incident's fields (and every spurious draft's), the share drafted exactly\n")
    print(f"{'field':18} " + " ".join(f"{label:>20}" for label in totals))
    for name in evaluate.RIGHT_FIELDS:
        print(f"{name:18} " + " ".join(f"{_pct(t.share_right([name])):>20}" for t in totals.values()))
    print(f"{'all fields':18} " + " ".join(f"{_pct(t.share_right()):>20}" for t in totals.values()))
    print(f"{'(of gold only)':18} " + " ".join(f"{_pct(t.share_of_gold()):>20}" for t in totals.values()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{'pass':52} {'reports':>7} {'seconds':>8} {'reports/s':>9}")
    print(f"{'gazetteer and regions load (once a process)':52} {'-':>7} {load:>8.3f} {'-':>9}")
    for label, count, first, again in timings:
        print(f"{label + ', first pass (builds country indexes)':52} {count:>7} {first:>8.3f} {count / first:>9.1f}")
        print(f"{label + ', second pass':52} {count:>7} {again:>8.3f} {count / again:>9.1f}")
    print(f"peak memory {peak:.0f} MiB")


def _pct(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "-"


if __name__ == "__main__":
    main([(Path(a).name, Path(a)) for a in sys.argv[1:]] if len(sys.argv) > 1 else list(SETS))
