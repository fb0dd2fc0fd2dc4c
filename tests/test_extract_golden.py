"""Each golden report's drafts meet a stated floor (benchmarks/extract_eval.py prints the full figures).

Floors are set from what the rules measured when they were written, a little below it, so that a
change that makes extraction worse fails here: see the lead's report for the measured figures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
REPORTS = sorted(GOLDEN.glob("*.txt")) if GOLDEN.is_dir() else []
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

pytestmark = pytest.mark.skipif(not REPORTS, reason="tests/golden/ holds no reports")


@pytest.fixture(scope="module")
def results():
    from extract_eval import run_report

    return {path.stem: run_report(path)[0] for path in REPORTS}


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_each_report_finds_all_but_at_most_one_gold_incident(results, path):
    incident = results[path.stem].scores["incident"]
    assert incident.correct >= incident.gold - 1
    assert abs(incident.predicted - incident.gold) <= 1


# field -> (precision floor, recall floor) over the whole corpus
FLOORS = {
    "date": (0.85, 0.85),
    "country": (0.9, 0.9),
    "location": (0.7, 0.7),
    "street": (0.6, 0.6),
    "actors": (0.5, 0.45),
    "fatalities_best": (0.85, 0.75),
    "injured": (0.85, 0.75),
    "detained": (0.85, 0.85),
    "event_type": (0.8, 0.8),
    "sub_event_type": (0.8, 0.8),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_precision_and_recall_floors(results, name):
    from incidents.extract.evaluate import Score

    total = Score()
    for result in results.values():
        total.add(result.scores[name])
    precision, recall = FLOORS[name]
    assert (total.precision or 0) >= precision and (total.recall or 0) >= recall, (name, total)
