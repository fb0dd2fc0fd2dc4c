"""UCDP Georeferenced Event Dataset (GED) CSV rows -> record values.

UCDP codes each event by type of violence (1 state-based, 2 non-state, 3 one-sided), with a dyad of
side_a and side_b, date and place precision codes, and deaths as best / low / high. The mapping is
documented field by field in docs/importers.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from incidents.core.problems import Problem
from incidents.importers.rows import STANDARD, ActorRef, Cells, Export, Mapped, Row, codelist_labels
from incidents.validate.rules.incidents import fatality_range_breaks

# The columns the importer reads; GED files hold more (ids of conflicts and dyads, deaths by side, ...).
COLUMNS = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "date_prec",
    "date_start",
    "date_end",
    "source_article",
    "best",
    "high",
    "low",
)
DATASET = "ucdp-ged"
VIOLENCE = {
    1: ("battles", "armed_clash", "state-based armed conflict"),
    2: ("battles", "armed_clash", "non-state conflict"),
    3: ("violence_against_civilians", "attack", "one-sided violence"),
}
DATE_PRECISION = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
# where_prec 7 (international waters or airspace) keeps the coded point as near it, with the at_sea flag.
WHERE_PRECISION = {1: "exact_place", 2: "near", 3: "admin2", 4: "admin1", 5: "country", 6: "country", 7: "near"}
# Columns with no field of their own, kept as lines "UCDP <column>: <value>" in notes when present.
# (source_article becomes the record's citations; a citation not in UCDP's form is noted instead.)
NOTED = ("conflict_name", "dyad_name", "where_description")
# UCDP's country names that differ from GeoNames' once former names in brackets are dropped.
COUNTRY_ALIASES = {
    "DR Congo": "COD",
    "Congo": "COG",
    "Bosnia-Herzegovina": "BIH",
    "Ivory Coast": "CIV",
    "Kingdom of eSwatini": "SWZ",
    "United States of America": "USA",
    "Macedonia, FYR": "MKD",
    "Timor-Leste": "TLS",
    "Gambia": "GMB",
}
_COUNTRIES = codelist_labels("country", COUNTRY_ALIASES)


def actor_type(name: str) -> str:
    """UCDP names governments 'Government of X' and one-sided violence's targets 'Civilians'."""
    if name.startswith("Government of"):
        return "state_forces"
    return "civilians" if name.casefold() == "civilians" else "rebel_group"


def _country(c: Cells) -> str | None:
    value = c.text("country")
    if value is None:
        c.bad("country", "the country's name", "import-required")
        return None
    name = re.sub(r"\s*\(.*?\)\s*", " ", value).strip()  # 'DR Congo (Zaire)' -> 'DR Congo'
    code = _COUNTRIES.get(name)
    if code is None:
        c.bad("country", "a country name of schemas/codelists/country.csv", "import-code")
    return code


_CITATION = re.compile(r"(?P<publisher>[^,]*[^,\s][^,]*),(?P<date>\d{4}-\d{2}-\d{2}),(?P<title>.*\S.*)", re.DOTALL)


def citations(cell: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """GED's source_article, '"publisher,date,headline";"publisher,date,headline"', as the record's citations
    (each once, in UCDP's order), and notes on what could not be read as one or was cited twice."""
    found: list[dict[str, Any]] = []
    notes: list[str] = []
    for part in re.split(r'"\s*;\s*"', (cell or "").strip()) if cell and cell.strip() else []:
        text = part.strip().removeprefix('"').removesuffix('"').strip()
        match = _CITATION.fullmatch(text)
        try:
            published = dt.date.fromisoformat(match["date"]).isoformat() if match else None
        except ValueError:
            published = None
        if not match or published is None:
            notes.append(f"UCDP source_article (not read as publisher,date,headline): {text}")
            continue
        citation = {"publisher": match["publisher"].strip(), "published_at": published, "title": match["title"].strip()}
        if citation in found:
            notes.append(f"UCDP source_article cites '{text}' more than once; it is cited once here.")
            continue
        found.append(citation)
    return found, notes


def fatality_range(
    low: int | None, best: int | None, high: int | None
) -> tuple[int | None, int | None, int | None, str | None]:
    """UCDP's low / best / high made a well-formed range, and the note saying how, when UCDP's own coding has
    low above best or best above high: best stays as coded, low and high become the least and the most of
    the three. The coded values stay verbatim in the evidence (the row) and in the note."""
    broken = [bool(b.where.as_py()) for b in fatality_range_breaks(low, best, high) if b.where.is_valid]
    if low is None or best is None or high is None or not any(broken):
        return low, best, high, None
    note = (
        f"UCDP coded deaths low {low}, best {best}, high {high}, which is not a range (the source is inconsistent); "
        f"fatalities_low and fatalities_high here are the least and the most of the three."
    )
    return min(low, best, high), best, max(low, best, high), note


def map_row(row: Row, file: str) -> tuple[Mapped | None, list[Problem], list[Problem]]:
    """One GED row -> the record values it sets, or the problems (column, value, expected) that keep it out."""
    c = Cells(row, file, f"{DATASET}:{row.cells.get('id', '').strip()}")
    event_id = c.integer("id", 0)
    if event_id is None and c.text("id") is None:
        c.bad("id", "UCDP's event id", "import-required")
    violence = c.integer("type_of_violence", 1, 3)
    date_prec, where_prec = c.integer("date_prec", 1, 5), c.integer("where_prec", 1, 7)
    start, end = c.date("date_start"), c.date("date_end")
    best, low, high = c.integer("best"), c.integer("low"), c.integer("high")
    country = _country(c)
    location = c.required("where_coordinates", "the place's name")
    side_a = c.required("side_a", "the name of side A")
    side_b = c.required("side_b", "the name of side B")
    for column, value in (("type_of_violence", violence), ("date_prec", date_prec), ("where_prec", where_prec)):
        if value is None and c.text(column) is None:
            c.bad(column, "UCDP's code", "import-required")
    for column, date in (("date_start", start), ("date_end", end)):
        if date is None and c.text(column) is None:
            c.bad(column, "the event's date", "import-required")
    if c.problems or None in (event_id, violence, date_prec, where_prec, start, end, side_a, side_b):
        return None, c.problems, c.notices
    assert violence is not None and date_prec is not None and where_prec is not None  # for mypy: checked above
    assert start is not None and end is not None and side_a is not None and side_b is not None
    event_type, sub_event_type, kind = VIOLENCE[violence]
    role_a, role_b = ("perpetrator", "target") if violence == 3 else ("side_a", "side_b")
    noted = [f"UCDP {name}: {c.text(name)}" for name in NOTED if c.text(name)]
    cited, citation_notes = citations(c.text("source_article"))
    noted.extend(citation_notes)
    flags = ["at_sea"] if where_prec == 7 else []
    # The span decides the precision (UCDP's codes 2-5 are lengths of spans, not calendar units).
    precision = STANDARD.date_precision_of(start, end) or DATE_PRECISION[date_prec]
    if precision != DATE_PRECISION[date_prec]:
        noted.append(f"UCDP date_prec {date_prec} is read as {precision}, the precision of the span it codes.")
    low, best, high, derived = fatality_range(low, best, high)
    if derived is not None:
        flags.append("source_inconsistent")
        noted.append(derived)
    fields: dict[str, Any] = {
        "status": "active",
        "date_start": start.isoformat(),
        "date_end": end.isoformat(),
        "date_precision": precision,
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "country": country,
        "admin1": c.text("adm_1"),
        "admin2": c.text("adm_2"),
        "location": location,
        "latitude": c.number("latitude", -90, 90),
        "longitude": c.number("longitude", -180, 180),
        "geo_precision": WHERE_PRECISION[where_prec],
        "fatalities_best": best,
        "fatalities_low": low,
        "fatalities_high": high,
        "summary": f"{kind.capitalize()} between {side_a} and {side_b} at {location}, coded by UCDP GED.",
        "notes": "\n".join(noted) or None,
        "tags": [],
        "flags": flags,
        "external_ids": [f"{DATASET}:{event_id}"],
    }
    if c.problems:
        return None, c.problems, c.notices
    actors = [
        ActorRef(side_a, actor_type(side_a), role_a, None),
        ActorRef(side_b, actor_type(side_b), role_b, None),
    ]
    return Mapped(fields["external_ids"][0], fields, actors, row, cited), [], c.notices


EXPORT = Export(DATASET, "UCDP GED export", "Uppsala Conflict Data Program (UCDP)", COLUMNS, map_row)
