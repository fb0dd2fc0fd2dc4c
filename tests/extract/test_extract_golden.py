"""Each golden report's drafts meet a stated floor; `benchmarks/extract_eval.py` prints the full figures.

The floors below were set from what `.venv/bin/python benchmarks/extract_eval.py` measured on this corpus
(the measured figure is in each row's comment), 0.03 below it rounded down to the hundredth: about one
value of slack per report, so a change that makes extraction worse on any report, or on any field over
the corpus, fails here. When the rules improve, raise the floors to the new measurements (never lower
them to make a change pass without saying why in the commit).

Per report: (gold incidents a draft is paired with, precision, recall), precision and recall taken over
every value of the report's drafts (dates, place, actors and roles, counts, event type) as scored by
`incidents.extract.evaluate`. Over the corpus: (precision, recall) of each field."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from incidents.extract.evaluate import FIELDS, Result, Score

GOLDEN = Path(__file__).parents[1] / "golden"
REPORTS = sorted(GOLDEN.glob("*.txt")) if GOLDEN.is_dir() else []
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

pytestmark = pytest.mark.skipif(not REPORTS, reason="tests/golden/ holds no reports")

# report -> (paired incidents, precision, recall): floors, with what was measured
REPORT_FLOORS = {
    "afghanistan_kandahar": (3, 0.91, 0.71),  # measured 3/4, 0.946, 0.745
    "colombia_cauca_valle": (3, 0.97, 0.97),  # measured 3/3, 1.000, 1.000
    "drc_goma_sake": (4, 0.81, 0.67),  # measured 4/5, 0.846, 0.710
    "iraq_kirkuk_hawija": (4, 0.80, 0.83),  # measured 4/4, 0.833, 0.870
    "iraq_sinjar": (3, 0.82, 0.82),  # measured 3/3, 0.853, 0.853
    "mali_gao_menaka": (3, 0.89, 0.89),  # measured 3/3, 0.921, 0.921
    "mexico_culiacan": (3, 0.71, 0.75),  # measured 3/3, 0.744, 0.784
    "myanmar_hsipaw_lashio": (3, 0.72, 0.91),  # measured 3/3, 0.750, 0.943
    "nigeria_borno_konduga": (4, 0.81, 0.84),  # measured 4/4, 0.840, 0.875
    "pakistan_peshawar": (3, 0.75, 0.73),  # measured 3/3, 0.789, 0.769
    "somalia_mogadishu": (3, 0.84, 0.77),  # measured 3/3, 0.878, 0.800
    "sudan_el_fasher": (3, 0.88, 0.88),  # measured 3/3, 0.919, 0.919
    "syria_qamishli_deir_ezzor": (3, 0.82, 0.78),  # measured 3/3, 0.857, 0.811
    "ukraine_kharkiv": (4, 0.97, 0.86),  # measured 4/4, 1.000, 0.896
    "yemen_taiz": (4, 0.88, 0.80),  # measured 4/4, 0.918, 0.833
}

# field -> (precision, recall) over the whole corpus: floors, with what was measured
FIELD_FLOORS = {
    "incident": (0.95, 0.93),  # measured 0.980, 0.962
    "date": (0.95, 0.93),  # measured 0.980, 0.962
    "country": (0.95, 0.93),  # measured 0.980, 0.962
    "admin1": (0.93, 0.91),  # measured 0.961, 0.942
    "location": (0.85, 0.83),  # measured 0.882, 0.865
    "street": (0.83, 0.83),  # measured 0.864, 0.864
    "actors": (0.70, 0.66),  # measured 0.734, 0.690
    "roles": (0.57, 0.54),  # measured 0.606, 0.570
    "fatalities_best": (0.97, 0.93),  # measured 1.000, 0.964
    "fatalities_low": (0.97, 0.93),  # measured 1.000, 0.964
    "fatalities_high": (0.97, 0.93),  # measured 1.000, 0.964
    "injured": (0.97, 0.90),  # measured 1.000, 0.938
    "detained": (0.97, 0.97),  # measured 1.000, 1.000
    "released": (0.72, 0.72),  # measured 0.750, 0.750
    "event_type": (0.93, 0.91),  # measured 0.961, 0.942
    "sub_event_type": (0.93, 0.91),  # measured 0.961, 0.942
}


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    from extract_eval import run_report

    return {path.stem: run_report(path)[0] for path in REPORTS}


def test_every_report_and_field_has_a_floor():
    assert set(REPORT_FLOORS) == {p.stem for p in REPORTS}
    assert set(FIELD_FLOORS) == set(FIELDS)


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_each_report_meets_its_floor(results, path):
    result = results[path.stem]
    paired, precision, recall = REPORT_FLOORS[path.stem]
    incident = result.scores["incident"]
    values = Score()
    for name, score in result.scores.items():
        if name != "incident":
            values.add(score)
    assert abs(incident.predicted - incident.gold) <= 1, incident
    assert incident.correct >= paired, incident
    assert (values.precision or 0) >= precision and (values.recall or 0) >= recall, values


@pytest.mark.parametrize("name", FIELDS)
def test_each_field_meets_its_corpus_floor(results, name):
    total = Score()
    for result in results.values():
        total.add(result.scores[name])
    precision, recall = FIELD_FLOORS[name]
    assert (total.precision or 0) >= precision and (total.recall or 0) >= recall, (name, total)


# The real development reports (tests/golden/real/): "fields right" (evaluate.Result.share_right) over the
# set and per field, floors 0.03 below what benchmarks/extract_eval.py measured (in the comments). The held-out
# set has no floor: it is scored by the benchmark only, so that no rule is written to pass it.
REAL = sorted((GOLDEN / "real").glob("*.txt")) if (GOLDEN / "real").is_dir() else []
REAL_FLOORS = {
    "all": 0.53,  # measured 0.560
    "date": 0.53,  # measured 0.568
    "event_type": 0.61,  # measured 0.649
    "country": 0.60,  # measured 0.635
    "admin1": 0.47,  # measured 0.500
    "location": 0.36,  # measured 0.392
    "first_side": 0.32,  # measured 0.351
    "fatalities_best": 0.44,  # measured 0.473
}


@pytest.mark.skipif(not REAL, reason="tests/golden/real/ holds no reports")
def test_real_development_reports_meet_their_floors():
    from extract_eval import run_report

    total = Result()
    for path in REAL:
        total.add(run_report(path)[0])
    measured = {name: total.share_right([name]) for name in REAL_FLOORS if name != "all"}
    measured["all"] = total.share_right()
    assert all(measured[name] >= floor for name, floor in REAL_FLOORS.items()), measured
