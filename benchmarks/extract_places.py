"""Place resolution of the extractor on real report headlines: UCDP GED Syria's `source_headline`.

    .venv/bin/python benchmarks/extract_places.py [--export ../shared/data/ucdp_ged_syria.csv] [--rows 500]

Samples `--rows` events (fixed seed) with a headline from the UCDP GED export, resolves each headline's place
as the extractor does, and compares it with UCDP's coding of the event:

- country: the place is in Syria (UCDP's `country`);
- admin1 recall: the first-level division is UCDP's `adm_1` (both read as the same GeoNames division);
- place recall, on the events UCDP places at a town or village (`where_prec` 1-3): the town is within 25 km
  of UCDP's latitude and longitude, or has the name of UCDP's `where_coordinates`.

Two resolutions are measured: the first draft `incidents extract` makes of the headline (the headline as a
whole report, with UCDP's `date_start` as its publication day; a headline without an event cue gives no
draft), and `pipeline.place` (the place the headline names, drafted or not), when the toolkit has it.
A headline often names several places, or a place near the event: the figures are a floor, not an
accuracy. The export is not in a user's clone, so this is a benchmark, never a test."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from incidents.extract import pipeline, places

EXPORT = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucdp_ged_syria.csv"
_KIND = re.compile(r"\s+(?:town|village|city|camp|district|neighbou?rhood|area|governorate|province)$", re.I)
Resolved = tuple[str | None, str | None, Any]  # country, admin1, town


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def drafted(row: dict[str, str]) -> Resolved:
    found = pipeline.extract(row["source_headline"], dt.date.fromisoformat(row["date_start"][:10]), [], {})
    if not found:
        return None, None, None
    return found[0].country, found[0].admin1, found[0].town


def named(row: dict[str, str]) -> Resolved:
    found = pipeline.place(row["source_headline"])  # type: ignore[attr-defined]
    return found.country, found.admin1, found.town


def same_region(ours: str | None, theirs: str) -> bool:
    if not ours or not theirs:
        return False
    a, b = places.region_named(ours, "SYR"), places.region_named(theirs, "SYR")
    return a == b if a and b else places.fold(_KIND.sub("", ours)) == places.fold(_KIND.sub("", theirs))


def score(rows: list[dict[str, str]], resolve: Callable[[dict[str, str]], Resolved]) -> dict[str, Any]:
    country = admin1 = admin1_gold = town = town_gold = 0
    started = time.perf_counter()
    for row in rows:
        ours_country, ours_admin1, ours_town = resolve(row)
        country += ours_country == "SYR"
        if row["adm_1"]:
            admin1_gold += 1
            admin1 += same_region(ours_admin1, row["adm_1"])
        if row["where_prec"] in ("1", "2", "3"):
            town_gold += 1
            if ours_town is not None:
                near = km(ours_town.latitude, ours_town.longitude, float(row["latitude"]), float(row["longitude"]))
                same = places.fold(_KIND.sub("", row["where_coordinates"])) in {
                    places.fold(ours_town.name),
                    places.fold(ours_town.gazetteer_name),
                }
                town += near <= 25 or same
    return {
        "country": country / len(rows),
        "admin1": admin1 / admin1_gold,
        "place": town / town_gold,
        "seconds": time.perf_counter() - started,
        "gold": (len(rows), admin1_gold, town_gold),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=Path, default=EXPORT, help="UCDP GED export (CSV)")
    parser.add_argument("--rows", type=int, default=500, help="events sampled (default 500)")
    parser.add_argument("--seed", type=int, default=23, help="the sample's seed (default 23)")
    args = parser.parse_args()
    with args.export.open(encoding="utf-8", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if r["source_headline"].strip()]
    sample = random.Random(args.seed).sample(rows, args.rows)
    places.towns("warm-up", ["SYR"])  # the gazetteer loads once, outside the timings
    runs = [("first draft of `incidents extract`", drafted)]
    if hasattr(pipeline, "place"):
        runs.append(("pipeline.place (drafted or not)", named))
    n, admin1_gold, town_gold = len(sample), sum(1 for r in sample if r["adm_1"]), None
    print(f"{n} UCDP GED Syria headlines (seed {args.seed}), {admin1_gold} with adm_1")
    print(f"{'resolution':36} {'country':>8} {'admin1':>7} {'place':>7} {'headlines/s':>11}")
    for name, resolve in runs:
        result = score(sample, resolve)
        town_gold = result["gold"][2]
        print(
            f"{name:36} {result['country']:>8.2f} {result['admin1']:>7.2f} {result['place']:>7.2f} "
            f"{n / result['seconds']:>11.0f}"
        )
    print(f"place recall over the {town_gold} events UCDP places at a town or village (within 25 km, or same name)")


if __name__ == "__main__":
    main()
