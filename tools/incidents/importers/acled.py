"""ACLED export rows (the 31-column layout of ACLED's API and downloads, and the older layouts without its
2022-2023 columns) -> record values.

`map_row` is pure: one row in, the values it sets (or the problems that keep it out) back. The mapping is
documented field by field in docs/importers.md; the tables here are its single statement in code.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from incidents.core.problems import Problem
from incidents.importers.rows import (
    STANDARD,
    ActorRef,
    Cells,
    Export,
    Mapped,
    Row,
    actor_country,
    codelist_labels,
    countries_by_numeric,
)

COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
# Columns a file may lack: those ACLED added in 2022-2023 (older exports have no disorder_type,
# civilian_targeting or tags, which is what an empty cell says) and those the importer does not keep or only
# checks. A file without any other column is refused: an empty fatalities or admin1 cell would claim that
# ACLED reported none, when the file merely left the column out.
OPTIONAL = ("year", "disorder_type", "interaction", "civilian_targeting", "region", "tags", "timestamp")
REQUIRED = tuple(column for column in COLUMNS if column not in OPTIONAL)

DATASET = "acled"
EVENT_TYPES = codelist_labels("event_type")
# ACLED spells one sub-type 'protestors'; our label says 'protesters'. Both are read.
SUB_EVENT_TYPES = codelist_labels(
    "sub_event_type", {"Excessive force against protestors": "excessive_force_against_protesters"}
)
DISORDER_TYPES = {
    name: name
    for name in ("Political violence", "Demonstrations", "Strategic developments", "Political violence; Demonstrations")
}
# Our actor_type codelist states each type's ACLED inter code in its description: read it from there.
INTER_CODES = {
    int(m.group(1)): row["code"]
    for row in STANDARD.codelists["actor_type"].rows
    if (m := re.search(r"ACLED inter code (\d)", row["description"]))
}
TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
GEO_PRECISION = {1: "exact_place", 2: "near", 3: "admin1"}
ONE_SIDED = {"violence_against_civilians", "explosions_remote_violence"}
# ACLED columns with no field of their own in the standard, kept as lines "ACLED <column>: <value>" in notes.
NOTED = ("source", "source_scale", "admin3", "civilian_targeting")
# ACLED's country names that differ from GeoNames' (our codelist's labels), as ACLED's exports spell them.
COUNTRY_NAMES = {
    "Bailiwick of Guernsey": "GGY",
    "Bailiwick of Jersey": "JEY",
    "Cape Verde": "CPV",
    "Caribbean Netherlands": "BES",
    "Czech Republic": "CZE",
    "Democratic Republic of Congo": "COD",
    "East Timor": "TLS",
    "eSwatini": "SWZ",
    "Netherlands": "NLD",
    "Palestine": "PSE",
    "Republic of Congo": "COG",
    "Saint-Barthelemy": "BLM",
    "Saint-Martin": "MAF",
    "Vatican City": "VAT",
    "Virgin Islands, U.S.": "VIR",
}
# Kosovo has no ISO 3166-1 numeric code: ACLED writes 0.
ISO_NUMERIC = {**countries_by_numeric(), 0: "XKX"}
_COUNTRY_NAMES = codelist_labels("country", COUNTRY_NAMES)


def dates(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """ACLED codes a week to its middle day and a month to its middle; we store the span it stands for."""
    if precision == "week":
        return day - dt.timedelta(days=3), day + dt.timedelta(days=3)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    return day, day


def roles(event_type: str | None) -> tuple[str, str]:
    """ACLED's actor1/actor2 imply no direction; for one-sided event types actor1 is the one acting."""
    return ("perpetrator", "target") if event_type in ONE_SIDED else ("side_a", "side_b")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _country(c: Cells) -> str | None:
    iso = c.integer("iso", 0, 999)
    by_name = _COUNTRY_NAMES.get(c.text("country") or "")
    by_iso = ISO_NUMERIC.get(iso) if iso is not None else None
    if by_iso and by_name and by_iso != by_name:
        c.bad("country", f"the country of iso {iso} ({by_iso})")
        return None
    if not (by_iso or by_name):
        c.bad("iso", "an ISO 3166-1 numeric code or a country name of schemas/codelists/country.csv", "import-code")
    return by_iso or by_name


def _actors(c: Cells, event_type: str | None) -> list[ActorRef]:
    refs: list[ActorRef] = []
    for side, role in zip(("1", "2"), roles(event_type), strict=True):
        actor_column, inter_column = f"actor{side}", f"inter{side}"
        main = c.text(actor_column)
        inter = c.integer(inter_column, 0, 8)
        if main is None:
            if side == "1":
                c.bad(actor_column, "the name of the actor", "import-required")
            elif inter:
                c.bad(inter_column, "0 or empty when actor2 is empty")
            continue
        actor_type = INTER_CODES.get(inter or 0)
        if actor_type is None:
            c.bad(inter_column, f"an ACLED inter code 1-8 for {main!r}")
            continue
        refs.append(ActorRef(main, actor_type, role, actor_country(main)))
        for name in _split(c.text(f"assoc_actor_{side}")):
            refs.append(ActorRef(name, _assoc_type(name, actor_type), role, actor_country(name), primary=False))
    return refs


# ACLED names its generic actors by type, e.g. 'Civilians (Argentina)', 'Police Forces of Argentina (2019-)'.
_NAMED_TYPES = {
    "civilians": "civilians",
    "protesters": "protesters",
    "rioters": "rioters",
    "police forces of": "state_forces",
    "military forces of": "state_forces",
    "government of": "state_forces",
}


def _assoc_type(name: str, main_type: str) -> str:
    """ACLED gives associated actors no inter code: read it from a generic name, else take the main actor's."""
    folded = name.casefold()
    return next((kind for prefix, kind in _NAMED_TYPES.items() if folded.startswith(prefix)), main_type)


def map_row(row: Row, file: str) -> tuple[Mapped | None, list[Problem], list[Problem]]:
    """One ACLED row -> the record values it sets, or the problems (column, value, expected) that keep it out."""
    raw_id = row.cells.get("event_id_cnty", "").strip()
    c = Cells(row, file, f"{DATASET}:{raw_id}" if raw_id else None)
    event_id = c.required("event_id_cnty", "ACLED's event id, e.g. ETH9766")
    day = c.date("event_date")
    if day is None and c.text("event_date") is None:
        c.bad("event_date", "the event's date", "import-required")
    year = c.integer("year", 1, 9999)
    if day and year is not None and year != day.year:
        c.bad("year", f"the year of event_date ({day.year})")
    time_precision = c.integer("time_precision", 1, 3)
    if time_precision is None and c.text("time_precision") is None:
        c.bad("time_precision", "1, 2 or 3", "import-required")
    if c.text("disorder_type"):
        c.label("disorder_type", DISORDER_TYPES, f"one of {', '.join(DISORDER_TYPES)}")
    event_type = c.label("event_type", EVENT_TYPES, "one of ACLED's six event types (schemas/codelists/event_type.csv)")
    sub_event_type = c.label("sub_event_type", SUB_EVENT_TYPES, "one of ACLED's 25 sub-event types")
    country = _country(c)
    latitude, longitude = c.number("latitude", -90, 90), c.number("longitude", -180, 180)
    geo = c.integer("geo_precision", 1, 3)
    if geo is None and c.text("geo_precision") is None:
        c.bad("geo_precision", "1, 2 or 3", "import-required")
    fatalities = c.integer("fatalities")
    location = c.required("location", "the place's name")
    summary = c.required("notes", "ACLED's description of the event")
    actors = _actors(c, event_type)
    if c.problems or event_id is None or day is None or time_precision is None or geo is None:
        return None, c.problems, c.notices
    precision = TIME_PRECISION[time_precision]
    start, end = dates(day, precision)
    noted = [f"ACLED {name}: {c.text(name)}" for name in NOTED if c.text(name)]
    fields: dict[str, Any] = {
        "status": "active",
        "date_start": start.isoformat(),
        "date_end": end.isoformat(),
        "date_precision": precision,
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "country": country,
        "admin1": c.text("admin1"),
        "admin2": c.text("admin2"),
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": GEO_PRECISION[geo],
        "fatalities_best": fatalities,
        "summary": summary,
        "notes": "\n".join(noted) or None,
        "tags": list(dict.fromkeys(tag.lower() for tag in _split(c.text("tags")))),
        "external_ids": [f"{DATASET}:{event_id}"],
    }
    return Mapped(fields["external_ids"][0], fields, actors, row), [], c.notices


EXPORT = Export(DATASET, "ACLED export", "ACLED", REQUIRED, map_row)
