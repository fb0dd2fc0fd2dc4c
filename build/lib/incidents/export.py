"""Records -> other datasets' layouts, so tools built for them read this dataset too.

`acled_rows` is pure (records, actors, sources in; rows of ACLED's 31 columns out); `export` reads the
dataset and returns the file's bytes. Values the standard does not hold (ACLED's region) are left empty;
values an import kept in notes ("ACLED source: ...") are written back to their columns.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

from . import dataset
from .importers import acled
from .importers.common import STANDARD, countries_by_numeric
from .layout import Layout
from .problems import Problem

_INTER = {code: number for number, code in acled.INTER_CODES.items()}
_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
_GEO_PRECISION = {"exact_place": 1, "near": 2, "admin2": 3, "admin1": 3, "country": 3}
_DISORDER = {
    "battles": "Political violence",
    "explosions_remote_violence": "Political violence",
    "violence_against_civilians": "Political violence",
    "protests": "Demonstrations",
    "riots": "Demonstrations",
    "strategic_developments": "Strategic developments",
}
# Sub-types whose disorder type differs from their event type's: mob violence is political violence in
# ACLED's exports; excessive force against protesters is both.
_DISORDER_OF_SUB_TYPE = {
    "mob_violence": "Political violence",
    "excessive_force_against_protesters": "Political violence; Demonstrations",
}
_SIDE_1 = ("side_a", "perpetrator", "associated")


def _labels(codelist: str) -> dict[str, str]:
    return {row["code"]: row["label"] for row in STANDARD.codelists[codelist].rows}


def _event_date(record: dict[str, Any]) -> dt.date | None:
    """The one day ACLED writes: the day itself, the middle of a week or month, or of a year."""
    if not record.get("date_start"):
        return None
    start = dt.date.fromisoformat(record["date_start"])
    precision = record.get("date_precision")
    if precision == "week":
        return start + dt.timedelta(days=3)
    if precision == "month":
        return start.replace(day=min(15, calendar.monthrange(start.year, start.month)[1]))
    if precision == "year":
        return start.replace(month=7, day=1)
    return start


def _noted(notes: str | None) -> dict[str, str]:
    """Lines 'ACLED <column>: <value>' that an import kept in notes."""
    return dict(re.findall(r"^ACLED (\w+): (.*)$", notes or "", flags=re.MULTILINE))


def _number(value: float | int | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else repr(float(value)))


def acled_rows(
    records: list[dict[str, Any]], actors: dict[str, dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> list[dict[str, str]]:
    """Active records in ACLED's column layout; an imported record gets its ACLED id back."""
    event_types, sub_event_types, countries = _labels("event_type"), _labels("sub_event_type"), _labels("country")
    numeric = {alpha3: number for number, alpha3 in countries_by_numeric().items()}
    rows = []
    for record in records:
        if record.get("status") != "active":
            continue
        ids = [i.split(":", 1)[1] for i in record.get("external_ids") or [] if i.startswith(f"{acled.DATASET}:")]
        noted = _noted(record.get("notes"))
        sides: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for link in record.get("actors") or []:
            sides[1 if link["role"] in _SIDE_1 else 2].append(actors.get(link["actor_id"], {}))
        inter = {
            side: _INTER.get(members[0].get("actor_type", ""), 0) if members else 0 for side, members in sides.items()
        }
        interaction = (
            ""
            if not sides[1]
            else str(inter[1] * 10 if not inter[2] else min(inter.values()) * 10 + max(inter.values()))
        )
        day = _event_date(record)
        cited = [sources.get(e["source_id"], {}) for e in record.get("evidence") or []]
        revisions = record.get("revisions") or []
        changed = max((r["changed_at"] for r in revisions), default=None)
        row = {
            "event_id_cnty": ids[0] if ids else record["incident_id"],
            "event_date": day.isoformat() if day else "",
            "year": str(day.year) if day else "",
            "time_precision": str(_TIME_PRECISION.get(record.get("date_precision", ""), "")),
            "disorder_type": _DISORDER_OF_SUB_TYPE.get(record.get("sub_event_type", ""))
            or _DISORDER.get(record.get("event_type", ""), ""),
            "event_type": event_types.get(record.get("event_type", ""), ""),
            "sub_event_type": sub_event_types.get(record.get("sub_event_type", ""), ""),
            "actor1": sides[1][0].get("name", "") if sides[1] else "",
            "assoc_actor_1": "; ".join(a.get("name", "") for a in sides[1][1:]),
            "inter1": str(inter[1]) if sides[1] else "",
            "actor2": sides[2][0].get("name", "") if sides[2] else "",
            "assoc_actor_2": "; ".join(a.get("name", "") for a in sides[2][1:]),
            "inter2": str(inter[2]),
            "interaction": interaction,
            "civilian_targeting": noted.get("civilian_targeting", ""),
            "iso": str(numeric.get(record.get("country", ""), "")),
            "region": "",
            "country": countries.get(record.get("country", ""), ""),
            "admin1": record.get("admin1") or "",
            "admin2": record.get("admin2") or "",
            "admin3": noted.get("admin3", ""),
            "location": record.get("location") or "",
            "latitude": _number(record.get("latitude")),
            "longitude": _number(record.get("longitude")),
            "geo_precision": str(_GEO_PRECISION.get(record.get("geo_precision", ""), "")),
            "source": noted.get("source") or "; ".join(dict.fromkeys(s["publisher"] for s in cited if s)),
            "source_scale": noted.get("source_scale")
            or "-".join(dict.fromkeys(s["source_scale"].capitalize() for s in cited if s.get("source_scale"))),
            "notes": record.get("summary") or "",
            "fatalities": _number(record.get("fatalities_best")),
            "tags": "; ".join(record.get("tags") or []),
            "timestamp": str(int(dt.datetime.fromisoformat(changed.replace("Z", "+00:00")).timestamp()))
            if changed
            else "",
        }
        rows.append(row)
    return rows


def to_csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


FORMATS: dict[str, tuple[Callable[..., list[dict[str, str]]], tuple[str, ...]]] = {
    "acled": (acled_rows, acled.COLUMNS),
}


def export(layout: Layout, output_format: str) -> tuple[bytes, list[Problem]]:
    """The dataset's records in another layout; nothing is returned if a file cannot be read."""
    ds = dataset.read(layout)
    found = [p for loaded in ds.files() for p in loaded.problems]
    if found:
        return b"", found
    rows_of, columns = FORMATS[output_format]
    records = sorted((loaded.data for loaded in ds.records), key=lambda r: r["incident_id"])
    actors = {a.data["actor_id"]: a.data for a in ds.actors}
    sources = {s.data["source_id"]: s.data for s in ds.sources}
    return to_csv(rows_of(records, actors, sources), columns), []
