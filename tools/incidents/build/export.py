"""Records -> other datasets' layouts, so tools built for them read this dataset too.

`acled_rows` is pure (records, actors, sources, and the archived export rows that imported records quote, in;
rows of ACLED's 31 columns out); `export` reads the dataset and those rows and returns the file's bytes. A
record imported from ACLED gets each cell of its row back verbatim while the record still holds the values
that cell maps to; other cells are written from the record's values: ACLED's region is then left empty, and
values an import kept in notes ("ACLED source: ...") are written back to their columns.

`hxl_rows` is pure too: the active records in the standard's own columns, codes and units, under a second
header row of HXL hashtags as HDX publishes conflict events (UCDP GED's and ACLED's resources, HDX HAPI's
conflict events), so that HXL tools (libhxl, HXL Proxy, HDX Quick Charts) find dates, places and counts.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from incidents import standard
from incidents.build.encode import escape_cell
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.importers import acled
from incidents.importers.rows import STANDARD, Mapped, Row, read_rows
from incidents.records import dataset

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
_ACTOR_CELLS = ("actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction")
# The record values each ACLED cell maps to ("notes:<column>" is an 'ACLED <column>: ...' line of notes). A
# cell of the archived row is written back verbatim while the record holds what the row maps to; once a person
# changes one of those values, the cell is written from the record. timestamp is always the record's own.
_CELL_VALUES: dict[str, tuple[str, ...]] = {
    "event_id_cnty": (),  # the archived row was found by it
    "event_date": ("date_start", "date_end", "date_precision"),
    "year": ("date_start", "date_end", "date_precision"),
    "time_precision": ("date_precision",),
    "disorder_type": ("event_type", "sub_event_type"),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    **{column: ("actors",) for column in _ACTOR_CELLS},
    **{column: (f"notes:{column}",) for column in acled.NOTED},
    "iso": ("country",),
    "region": ("country",),
    "country": ("country",),
    **{column: (column,) for column in ("admin1", "admin2", "location", "latitude", "longitude", "geo_precision")},
    "notes": ("summary",),
    "fatalities": ("fatalities_best",),
    "tags": ("tags",),
}
_ACLED_COUNTRY_NAMES = {code: name for name, code in acled.COUNTRY_NAMES.items()}
_ISO_NUMERIC = {alpha3: number for number, alpha3 in acled.ISO_NUMERIC.items()}


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


def _actor_index(actors: Mapping[str, dict[str, Any]]) -> dict[str, str]:
    """Casefolded name or alias -> actor id, as an import matches names (the first actor file wins)."""
    index: dict[str, str] = {}
    for actor_id in sorted(actors):
        for name in [actors[actor_id].get("name"), *(actors[actor_id].get("aliases") or [])]:
            if isinstance(name, str):
                index.setdefault(name.casefold(), actor_id)
    return index


def _links(mapped: Mapped, index: Mapping[str, str]) -> list[dict[str, str]] | None:
    """The actor links an import makes of the row's actors; None if an actor is no longer found by name."""
    links: list[dict[str, str]] = []
    for ref in mapped.actors:
        if ref.name.casefold() not in index:
            return None
        link = {"actor_id": index[ref.name.casefold()], "role": ref.role}
        if link not in links:
            links.append(link)
    return links


def _held(name: str, fields: Mapping[str, Any], links: list[dict[str, str]] | None) -> Any:
    if name == "actors":
        return links
    if name.startswith("notes:"):
        return _noted(fields.get("notes")).get(name.removeprefix("notes:"))
    return fields.get(name)


def _verbatim(record: dict[str, Any], row: Row, index: Mapping[str, str]) -> dict[str, str]:
    """The cells of the record's archived row whose values the record still holds, as the row wrote them."""
    mapped = acled.map_row(row, "")[0]
    if mapped is None or mapped.external_id not in (record.get("external_ids") or []):
        return {}
    links = _links(mapped, index)
    return {
        column: row.cells[column]
        for column, names in _CELL_VALUES.items()
        if column in row.cells
        and all(_held(n, record, record.get("actors")) == _held(n, mapped.fields, links) for n in names)
    }


def acled_rows(
    records: list[dict[str, Any]],
    actors: dict[str, dict[str, Any]],
    sources: dict[str, dict[str, Any]],
    archived: Mapping[str, Row] | None = None,
) -> list[dict[str, str]]:
    """Active records in ACLED's column layout; an imported record gets its ACLED id back. `archived` holds,
    by incident id, the export row an import quoted as evidence: its cells come back as written (inter codes
    of that event, ACLED's country name, the date and coordinates as spelt) where the record is unchanged."""
    event_types, sub_event_types, countries = _labels("event_type"), _labels("sub_event_type"), _labels("country")
    index = _actor_index(actors)
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
        country = record.get("country") or ""
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
            "iso": str(_ISO_NUMERIC.get(country, "")),
            "region": "",
            "country": _ACLED_COUNTRY_NAMES.get(country) or countries.get(country, ""),
            "admin1": record.get("admin1") or "",
            "admin2": record.get("admin2") or "",
            "admin3": noted.get("admin3", ""),
            "location": record.get("location") or "",
            "latitude": _number(record.get("latitude")),
            "longitude": _number(record.get("longitude")),
            "geo_precision": str(_GEO_PRECISION.get(record.get("geo_precision", ""), "")),
            # ACLED's source names the reports an event was coded from: a record's citations when it has them
            # (a UCDP GED event's), else the publishers of its archived sources.
            "source": noted.get("source")
            or "; ".join(dict.fromkeys(c["publisher"] for c in record.get("citations") or []))
            or "; ".join(dict.fromkeys(s["publisher"] for s in cited if s)),
            "source_scale": noted.get("source_scale")
            or "-".join(dict.fromkeys(s["source_scale"].capitalize() for s in cited if s.get("source_scale"))),
            "notes": record.get("summary") or "",
            "fatalities": _number(record.get("fatalities_best")),
            "tags": "; ".join(record.get("tags") or []),
            "timestamp": str(int(dt.datetime.fromisoformat(changed.replace("Z", "+00:00")).timestamp()))
            if changed
            else "",
        }
        archived_row = (archived or {}).get(record["incident_id"])
        if archived_row is not None:
            row.update(_verbatim(record, archived_row, index))
        rows.append(row)
    return rows


def _header(path: Path) -> str | None:
    """The first line of an archived export, with its line ending; None if it cannot be read."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            line = file.readline()
    except (OSError, UnicodeDecodeError):
        return None
    return line if line.endswith("\n") else line + "\n"


def archived_acled_rows(
    layout: Layout, records: list[dict[str, Any]], sources: Mapping[str, dict[str, Any]]
) -> dict[str, Row]:
    """By incident id, the ACLED export row that an import quoted as the record's evidence, read again with
    the header of the archived export (only the header is read from disk: the quote is the row)."""
    headers: dict[str, str | None] = {}
    found: dict[str, Row] = {}
    for record in records:
        ids = {i for i in record.get("external_ids") or [] if i.startswith(f"{acled.DATASET}:")}
        if record.get("status") != "active" or not ids:
            continue
        for item in record.get("evidence") or []:
            source_id, quote = item.get("source_id"), item.get("quote")
            if not (isinstance(source_id, str) and re.fullmatch(r"[0-9a-f]{64}", source_id) and isinstance(quote, str)):
                continue  # an archived file is named by its sha256: nothing else is read from disk
            if sources.get(source_id, {}).get("media_type") != "text/csv":
                continue
            if source_id not in headers:
                headers[source_id] = _header(layout.source_text(source_id))
            header = headers[source_id]
            rows = read_rows(header + quote, "", acled.REQUIRED)[0] if header else []
            if len(rows) == 1 and f"{acled.DATASET}:{rows[0].cells['event_id_cnty'].strip()}" in ids:
                found[record["incident_id"]] = rows[0]
                break
    return found


_ROLES = STANDARD.codelists["role"].codes
_ROLE_ATTRIBUTES = {"side_a": "first", "side_b": "second", "associated": "assoc"}  # as HDX tags ACLED's actors
# The HXL export's columns: the standard's column (or, for actors, sources and the latest revision, what the
# record holds for it) and its hashtag. Tags follow HDX's conflict-event resources: #date+start/#date+end,
# #adm1+name, #loc+name, #geo+lat/#geo+lon and #affected+killed (UCDP GED on HDX, HDX HAPI), #event+code,
# #event+type and #group+name+first/+second (ACLED on HDX); the rest are HXL core hashtags with attributes.
HXL_TAGS: dict[str, str] = {
    "incident_id": "#event+code",
    "date_start": "#date+start",
    "date_end": "#date+end",
    "date_precision": "#meta+precision+date",
    "event_type": "#event+type",
    "sub_event_type": "#event+type+sub",
    "country": "#country+code",
    "admin1": "#adm1+name",
    "admin2": "#adm2+name",
    "location": "#loc+name",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "geo_precision": "#meta+precision+geo",
    "fatalities_best": "#affected+killed",
    "fatalities_low": "#affected+killed+min",
    "fatalities_high": "#affected+killed+max",
    "injured": "#affected+injured",
    "detained": "#affected+detained",
    "released": "#affected+released",
    **{f"actors_{role}": f"#group+name+{_ROLE_ATTRIBUTES.get(role, role)}" for role in _ROLES},
    "summary": "#description",
    "notes": "#description+notes",
    "tags": "#meta+tags",
    "flags": "#meta+flags",
    "external_ids": "#meta+id+external",
    "source": "#meta+source",
    "source_url": "#meta+url",
    "revision": "#meta+revision",
    "updated_at": "#date+updated",
}


def _cell(value: Any, delimiter: str = standard.LIST_DELIMITER) -> str:
    """A value as its HXL cell: numbers as written in the tables' CSV, lists joined, text that a spreadsheet
    would run as a formula escaped as in the tables' CSV."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):
        return escape_cell(delimiter.join(str(v) for v in value))
    return escape_cell(str(value))


def hxl_rows(
    records: list[dict[str, Any]],
    actors: dict[str, dict[str, Any]],
    sources: dict[str, dict[str, Any]],
    archived: Mapping[str, Row] | None = None,
) -> list[dict[str, str]]:
    """Active records, one row each, with the standard's codes and values; actors by role, and the reports
    an incident was coded from (the publishers and URLs of its archived sources, or a UCDP GED event's
    citations), joined with "; "."""
    rows = []
    for record in records:
        if record.get("status") != "active":
            continue
        values = {column: record.get(column) for column in HXL_TAGS}
        for role in _ROLES:
            names = [
                actors.get(link["actor_id"], {}).get("name")
                for link in record.get("actors") or []
                if link.get("role") == role
            ]
            values[f"actors_{role}"] = "; ".join(n for n in names if n)
        cited = [sources.get(e["source_id"], {}) for e in record.get("evidence") or []]
        publishers = [c.get("publisher") for c in record.get("citations") or []] or [s.get("publisher") for s in cited]
        values["source"] = "; ".join(dict.fromkeys(p for p in publishers if p))
        values["source_url"] = "; ".join(dict.fromkeys(s["url"] for s in cited if s.get("url")))
        numbered = [r for r in record.get("revisions") or [] if isinstance(r.get("revision"), int)]
        latest: dict[str, Any] = max(numbered, key=lambda r: r["revision"], default={})
        values["revision"], values["updated_at"] = latest.get("revision"), latest.get("changed_at")
        rows.append({column: _cell(value) for column, value in values.items()})
    return rows


def to_csv(rows: list[dict[str, str]], columns: tuple[str, ...], hashtags: dict[str, str] | None = None) -> bytes:
    """CSV of `rows`; with `hashtags`, the HXL hashtag row follows the header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    if hashtags:
        writer.writerow(hashtags)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# Each layout: its rows, its columns and, for HXL, its hashtags.
FORMATS: dict[str, tuple[Callable[..., list[dict[str, str]]], tuple[str, ...], dict[str, str] | None]] = {
    "acled": (acled_rows, acled.COLUMNS, None),
    "hxl": (hxl_rows, tuple(HXL_TAGS), HXL_TAGS),
}


def export(layout: Layout, output_format: str) -> tuple[bytes, list[Problem]]:
    """The dataset's records in another layout; nothing is returned if a file cannot be read."""
    ds = dataset.read(layout)
    found = [p for loaded in ds.files() for p in loaded.problems]
    if found:
        return b"", found
    rows_of, columns, hashtags = FORMATS[output_format]
    records = sorted((loaded.data for loaded in ds.records), key=lambda r: r["incident_id"])
    actors = {a.data["actor_id"]: a.data for a in ds.actors}
    sources = {s.data["source_id"]: s.data for s in ds.sources}
    archived = archived_acled_rows(layout, records, sources) if output_format == "acled" else {}
    return to_csv(rows_of(records, actors, sources, archived), columns, hashtags), []
