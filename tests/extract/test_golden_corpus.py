"""The golden corpus is well formed: what tests/golden/README.md promises of every report, invented or real.

Each gold value must be one a coder could defend from the text: evidence copied verbatim, codes from the
codelists, ranges in order, no date after publication, a province GeoNames knows. Real reports also carry
their licence, so that the texts may be redistributed with the repository."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from incidents import standard
from incidents.extract.places import region_named

GOLDEN = Path(__file__).parents[1] / "golden"
REAL_FOLDERS = ("real", "real_holdout")
REPORTS = sorted([*GOLDEN.glob("*.txt"), *(p for f in REAL_FOLDERS for p in (GOLDEN / f).glob("*.txt"))])
KEYS = [
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "location",
    "street",
    "actors",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "injured",
    "detained",
    "released",
    "event_type",
    "sub_event_type",
    "evidence",
]
REAL_LICENCES = {"CC-BY-2.5", "CC-BY-4.0", "public-domain"}

pytestmark = pytest.mark.skipif(not REPORTS, reason="tests/golden/ holds no reports")


def _load(path: Path) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    meta = yaml.safe_load(path.with_suffix(".meta.yaml").read_text(encoding="utf-8"))
    gold = yaml.safe_load(path.with_name(path.stem + ".gold.yaml").read_text(encoding="utf-8"))["incidents"]
    return path.read_text(encoding="utf-8"), meta, gold


def _codes(name: str) -> set[str]:
    return set(standard.load().codelists[name].codes)


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_meta_says_where_the_text_comes_from(path):
    _, meta, _ = _load(path)
    assert {"published", "url", "publisher", "language"} <= set(meta)
    real = path.parent.name in REAL_FOLDERS
    assert bool(meta.get("real")) is real, "reports under real*/ are marked real: true, and only they"
    if real:
        assert meta["licence"] in REAL_LICENCES, meta.get("licence")
        assert meta["url"].startswith("https://") and "example.org" not in meta["url"]
        assert meta["attribution"]


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_incidents_are_codes_the_text_supports(path):
    text, meta, gold = _load(path)
    published = dt.date.fromisoformat(meta["published"]) if meta.get("published") else None
    sub_types = {row["code"]: row["event_type"] for row in standard.load().codelists["sub_event_type"].rows}
    assert gold, "a report in the corpus describes at least one incident"
    for number, incident in enumerate(gold, 1):
        where = f"{path.name} incident {number}"
        assert list(incident) == KEYS, where
        for sentence in incident["evidence"]:
            assert sentence in text, f"{where}: evidence not verbatim: {sentence!r}"
        assert incident["country"] in _codes("country"), where
        assert incident["date_precision"] in _codes("date_precision"), where
        assert incident["event_type"] in _codes("event_type"), where
        assert sub_types[incident["sub_event_type"]] == incident["event_type"], where
        assert {a["role"] for a in incident["actors"]} <= _codes("role"), where
        if incident["admin1"] is not None:
            assert region_named(incident["admin1"], incident["country"]), f"{where}: admin1 {incident['admin1']!r}"
        low, best, high = (incident[k] for k in ("fatalities_low", "fatalities_best", "fatalities_high"))
        if best is not None:
            assert (low if low is not None else best) <= best <= (high if high is not None else best), where
        if incident["date_start"] is None:
            assert incident["date_end"] is None and incident["date_precision"] == "unknown", where
            continue
        start, end = dt.date.fromisoformat(incident["date_start"]), dt.date.fromisoformat(incident["date_end"])
        assert start <= end, where
        assert published is None or end <= published, f"{where}: a date after publication"
        assert standard.load().date_precision_of(start, end) == incident["date_precision"], where
