"""Rules of the standard, checked column by column on Arrow tables (pyarrow compute, no row loops).

Each check takes the tables and returns findings: the table, the row, the field, what was found and what
was expected. The same checks run on tables flattened from record files and on built Parquet tables, so
validation scales with the size of the columns, not with Python's speed on rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from .standard import EVIDENCED_FIELDS, Standard

Tables = dict[str, pa.Table]


@dataclass(frozen=True)
class Finding:
    table: str
    row: int
    field: str | None
    message: str
    expected: str | None
    code: str


def _rows(mask: pa.Array | pa.ChunkedArray) -> list[int]:
    """Indices where `mask` is true (nulls count as false)."""
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()


def _value(table: pa.Table, column: str, row: int) -> object:
    value = table.column(column)[row].as_py()
    return value.isoformat() if isinstance(value, dt.date) else value


def _show(table: pa.Table, *names: str, lead: str = "", tail: str = "") -> Callable[[int], str]:
    """A message naming the offending values of a row, e.g. "fatalities_low=3, fatalities_best=2"."""
    return lambda row: lead + ", ".join(f"{n}={_value(table, n, row)!r}" for n in names) + tail


def _const(message: str) -> Callable[[int], str]:
    return lambda row: message


def _findings(
    table_name: str,
    table: pa.Table,
    mask: pa.Array | pa.ChunkedArray,
    field: str | None,
    message: Callable[[int], str],
    expected: str | None,
    code: str,
) -> Iterator[Finding]:
    for row in _rows(mask):
        yield Finding(table_name, row, field, message(row), expected, code)


def check_fields(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """Per-field constraints of the Table Schemas: required, codelists, patterns, bounds."""
    for name, table in tables.items():
        for spec in standard.fields(name):
            column_name = spec["name"]
            if column_name not in table.column_names:
                yield Finding(
                    name, 0, column_name, "the column is missing", "the columns of the standard", "missing-column"
                )
                continue
            column = table.column(column_name)
            cons = spec.get("constraints", {})

            found = _show(table, column_name, lead="found ")
            if cons.get("required"):
                yield from _findings(
                    name, table, pc.is_null(column), column_name, lambda r: "the value is empty", "a value", "required"
                )
            if "codelist" in spec:
                codes = standard.codelists[spec["codelist"]].codes
                mask = pc.and_kleene(
                    pc.is_valid(column), pc.invert(pc.is_in(column, value_set=pa.array(codes, column.type)))
                )
                yield from _findings(
                    name,
                    table,
                    mask,
                    column_name,
                    found,
                    f"a code from schemas/codelists/{spec['codelist']}.csv",
                    "unknown-code",
                )
            if "pattern" in cons:
                mask = pc.invert(pc.match_substring_regex(column, cons["pattern"]))
                yield from _findings(
                    name, table, mask, column_name, found, f"a value matching {cons['pattern']}", "pattern"
                )
            if "minimum" in cons:
                mask = pc.less(column, cons["minimum"])
                yield from _findings(name, table, mask, column_name, found, f"at least {cons['minimum']}", "minimum")
            if "maximum" in cons:
                mask = pc.greater(column, cons["maximum"])
                yield from _findings(name, table, mask, column_name, found, f"at most {cons['maximum']}", "maximum")


def _key(table: pa.Table, columns: list[str]) -> pa.ChunkedArray | pa.Array:
    if len(columns) == 1:
        return table.column(columns[0])
    parts = [pc.cast(table.column(c), pa.string()) for c in columns]
    return pc.binary_join_element_wise(*parts, "\x1f")


def _repeated(key: pa.ChunkedArray | pa.Array) -> pa.Array:
    counts = pc.value_counts(key)
    return counts.field("values").filter(pc.greater(counts.field("counts"), 1))


def check_keys(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """Primary keys are unique; foreign keys point at rows that exist. Two files with one id are reported
    once, on the id: rows of child tables that repeat only because their parent's id does are left out."""
    colliding = {  # id column -> ids held by more than one row of the table they identify
        spec["primaryKey"][0]: _repeated(tables[name].column(spec["primaryKey"][0]))
        for name, spec in ((name, standard.tables[name]) for name in tables)
        if len(spec["primaryKey"]) == 1
    }
    for name, table in tables.items():
        spec = standard.tables[name]
        key_columns = spec["primaryKey"]
        key = _key(table, key_columns)
        repeated = _repeated(key)
        if len(repeated):
            mask = pc.is_in(key, value_set=repeated)
            for column in key_columns if len(key_columns) > 1 else []:
                if column in colliding:
                    mask = pc.and_kleene(mask, pc.invert(pc.is_in(table.column(column), value_set=colliding[column])))
            label = ", ".join(key_columns)
            yield from _findings(
                name,
                table,
                mask,
                key_columns[-1] if name != "incidents" else "incident_id",
                _show(table, *key_columns, lead="duplicate "),
                f"{label} unique across the dataset",
                "duplicate-id",
            )
        for fk in spec.get("foreignKeys", []):
            (column_name,) = fk["fields"]
            target = tables[fk["reference"]["resource"]].column(fk["reference"]["fields"][0])
            column = table.column(column_name)
            mask = pc.and_kleene(pc.is_valid(column), pc.invert(pc.is_in(column, value_set=target)))
            yield from _findings(
                name,
                table,
                mask,
                column_name,
                _show(table, column_name, tail=" does not exist"),
                f"an id present in {fk['reference']['resource']}",
                "dangling-reference",
            )


def check_incidents(standard: Standard, tables: Tables, today: dt.date) -> Iterator[Finding]:
    """Cross-field rules of an incident: dates, ranges, places, taxonomy, status."""
    t = tables["incidents"]
    col = t.column
    start, end, precision = col("date_start"), col("date_end"), col("date_precision")

    def show(*names: str) -> Callable[[int], str]:
        return _show(t, *names)

    yield from _findings(
        "incidents",
        t,
        pc.greater(start, end),
        "date_end",
        show("date_start", "date_end"),
        "date_start <= date_end",
        "date-order",
    )
    today_scalar = pa.scalar(today, pa.date32())
    for name in ("date_start", "date_end"):
        yield from _findings(
            "incidents",
            t,
            pc.greater(col(name), today_scalar),
            name,
            show(name),
            f"a date not after today ({today.isoformat()})",
            "future-date",
        )
    unknown = pc.equal(precision, "unknown")
    has_dates = pc.and_kleene(pc.is_valid(start), pc.is_valid(end))
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(unknown, pc.or_kleene(pc.is_valid(start), pc.is_valid(end))),
        "date_start",
        show("date_start", "date_precision"),
        "empty dates when date_precision is unknown",
        "date-precision",
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(pc.invert(unknown), pc.invert(has_dates)),
        "date_start",
        show("date_start", "date_end", "date_precision"),
        "both date_start and date_end unless date_precision is unknown",
        "date-precision",
    )
    span = pc.days_between(start, end)
    limits = {"day": (0, 0), "week": (1, 6), "month": (27, 30), "year": (364, 365)}
    for code, (low, high) in limits.items():
        wrong = pc.and_kleene(pc.equal(precision, code), pc.or_kleene(pc.less(span, low), pc.greater(span, high)))
        wrong = pc.and_kleene(wrong, pc.greater_equal(span, 0))  # a reversed span is reported as date-order
        yield from _findings(
            "incidents",
            t,
            wrong,
            "date_end",
            show("date_start", "date_end"),
            f"a span of {low}-{high} days after date_start for {code} precision",
            "date-precision",
        )

    best, low_, high_ = col("fatalities_best"), col("fatalities_low"), col("fatalities_high")
    yield from _findings(
        "incidents",
        t,
        pc.greater(low_, best),
        "fatalities_low",
        show("fatalities_low", "fatalities_best"),
        "fatalities_low <= fatalities_best <= fatalities_high",
        "fatality-range",
    )
    yield from _findings(
        "incidents",
        t,
        pc.greater(best, high_),
        "fatalities_high",
        show("fatalities_best", "fatalities_high"),
        "fatalities_low <= fatalities_best <= fatalities_high",
        "fatality-range",
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(pc.is_null(best), pc.greater(low_, high_)),
        "fatalities_high",
        show("fatalities_low", "fatalities_high"),
        "fatalities_low <= fatalities_high",
        "fatality-range",
    )

    lat, lon = col("latitude"), col("longitude")
    yield from _findings(
        "incidents",
        t,
        pc.not_equal(pc.is_valid(lat), pc.is_valid(lon)),
        "longitude",
        show("latitude", "longitude"),
        "both latitude and longitude, or neither",
        "coordinates",
    )
    yield from _check_bbox(standard, t)

    sub = standard.codelists["sub_event_type"]
    parent_of = pa.array([row["event_type"] for row in sub.rows])
    index = pc.index_in(col("sub_event_type"), value_set=pa.array(sub.codes))
    expected_type = pc.take(parent_of, index)
    mismatch = pc.and_kleene(pc.is_valid(expected_type), pc.not_equal(expected_type, col("event_type")))
    yield from _findings(
        "incidents",
        t,
        mismatch,
        "sub_event_type",
        lambda r: (
            f"{_value(t, 'sub_event_type', r)!r} is a sub-type of {expected_type[r].as_py()!r}, "
            f"not of {_value(t, 'event_type', r)!r}"
        ),
        "a sub_event_type of the record's event_type",
        "sub-event-type",
    )

    status, merged_into, reason = col("status"), col("merged_into"), col("status_reason")
    tombstone = pc.is_in(status, value_set=pa.array(["withdrawn", "merged"]))
    no_reason = pc.or_kleene(pc.is_null(reason), pc.equal(pc.utf8_trim_whitespace(reason), ""))
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(tombstone, no_reason),
        "status_reason",
        show("status"),
        "a status_reason for a withdrawn or merged record",
        "tombstone",
    )
    is_merged = pc.equal(status, "merged")
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(is_merged, pc.is_null(merged_into)),
        "merged_into",
        show("status"),
        "merged_into naming the surviving incident",
        "tombstone",
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(pc.invert(is_merged), pc.is_valid(merged_into)),
        "merged_into",
        show("status", "merged_into"),
        "merged_into only on merged records",
        "tombstone",
    )
    yield from _findings(
        "incidents",
        t,
        pc.equal(merged_into, col("incident_id")),
        "merged_into",
        show("merged_into"),
        "another incident's id",
        "tombstone",
    )
    surviving = pc.filter(col("incident_id"), pc.equal(status, "active"))
    into_tombstone = pc.and_kleene(
        pc.and_kleene(is_merged, pc.is_valid(merged_into)), pc.invert(pc.is_in(merged_into, value_set=surviving))
    )
    yield from _findings(
        "incidents",
        t,
        pc.and_kleene(into_tombstone, pc.is_in(merged_into, value_set=col("incident_id"))),
        "merged_into",
        show("merged_into"),
        "the id of an active incident",
        "tombstone",
    )


def _check_bbox(standard: Standard, t: pa.Table) -> Iterator[Finding]:
    countries = standard.codelists["country"]
    margin = 0.5  # degrees: boxes come from generalised shapes, and coordinates from town centres.
    index = pc.index_in(t.column("country"), value_set=pa.array(countries.codes))
    bounds = {
        k: pc.take(pa.array([float(row[k]) for row in countries.rows]), index)
        for k in ("min_lat", "max_lat", "min_lon", "max_lon")
    }
    lat, lon = t.column("latitude"), t.column("longitude")
    outside = pc.or_kleene(
        pc.or_kleene(
            pc.less(lat, pc.subtract(bounds["min_lat"], margin)), pc.greater(lat, pc.add(bounds["max_lat"], margin))
        ),
        pc.or_kleene(
            pc.less(lon, pc.subtract(bounds["min_lon"], margin)), pc.greater(lon, pc.add(bounds["max_lon"], margin))
        ),
    )
    yield from _findings(
        "incidents",
        t,
        outside,
        "latitude",
        lambda r: f"({_value(t, 'latitude', r)}, {_value(t, 'longitude', r)}) lies outside {_value(t, 'country', r)}",
        "coordinates inside the country's bounding box (schemas/codelists/country.csv)",
        "outside-country",
    )


def check_history(tables: Tables) -> Iterator[Finding]:
    """Revisions are numbered 1..n without gaps; the incident's revision is the latest one."""
    revisions, incidents = tables["revisions"], tables["incidents"]
    grouped = revisions.group_by("incident_id").aggregate(
        [("revision", "max"), ("revision", "count_distinct"), ("revision", "min")]
    )
    gaps = grouped.filter(
        pc.or_kleene(
            pc.not_equal(grouped["revision_max"], grouped["revision_count_distinct"]),
            pc.not_equal(grouped["revision_min"], 1),
        )
    )
    mask = pc.is_in(incidents.column("incident_id"), value_set=gaps.column("incident_id"))
    yield from _findings(
        "incidents",
        incidents,
        mask,
        "revisions",
        lambda r: "revisions are not numbered 1, 2, 3, ...",
        "revisions numbered from 1 without gaps",
        "revision-sequence",
    )
    missing = pc.invert(pc.is_in(incidents.column("incident_id"), value_set=grouped.column("incident_id")))
    yield from _findings(
        "incidents",
        incidents,
        missing,
        "revisions",
        lambda r: "the record has no revision",
        "at least one revision",
        "revision-sequence",
    )
    joined = incidents.select(["incident_id", "revision"]).join(grouped, "incident_id", join_type="left outer")
    latest = dict(zip(joined.column("incident_id").to_pylist(), joined.column("revision_max").to_pylist(), strict=True))
    wrong = pc.not_equal(
        incidents.column("revision"),
        pa.array([latest.get(i) for i in incidents.column("incident_id").to_pylist()], pa.int64()),
    )
    yield from _findings(
        "incidents",
        incidents,
        wrong,
        "revision",
        lambda r: f"revision {_value(incidents, 'revision', r)}",
        "the number of the latest revision",
        "revision-sequence",
    )


def check_support(tables: Tables) -> Iterator[Finding]:
    """Every non-empty factual value of an active incident is supported by at least one evidence quote."""
    evidence, incidents = tables["incident_sources"], tables["incidents"]
    supports = evidence.column("supports").combine_chunks()
    supporting = pc.take(evidence.column("incident_id"), pc.list_parent_indices(supports))  # one per item
    items = pc.list_flatten(supports)
    active = pc.equal(incidents.column("status"), "active")
    has_actors = pc.is_in(incidents.column("incident_id"), value_set=tables["incident_actors"].column("incident_id"))
    needed = {name: pc.is_valid(incidents.column(name)) for name in EVIDENCED_FIELDS}
    needed["actors"] = has_actors
    for name, present in needed.items():
        supported = pc.filter(supporting, pc.equal(items, name))  # ids of incidents with a quote for `name`
        unsupported = pc.and_kleene(
            pc.and_kleene(active, present), pc.invert(pc.is_in(incidents.column("incident_id"), value_set=supported))
        )
        yield from _findings(
            "incidents",
            incidents,
            unsupported,
            name,
            _const(f"no evidence quote supports {name}"),
            f"an evidence item whose supports lists '{name}'",
            "unsupported-value",
        )


def check_evidence_text(tables: Tables, texts: dict[str, str]) -> Iterator[Finding]:
    """Each quote equals the archived source text between its offsets. Texts are loaded once per source."""
    evidence = tables["incident_sources"]
    sources, starts, ends, quotes = (
        evidence.column(c).to_pylist() for c in ("source_id", "char_start", "char_end", "quote")
    )
    for row, (source, start, end, quote) in enumerate(zip(sources, starts, ends, quotes, strict=True)):
        text = texts.get(source)
        if text is None or start is None or end is None:
            continue  # a missing source is reported as a dangling reference
        if end > len(text) or start >= end:
            yield Finding(
                "incident_sources",
                row,
                "char_end",
                f"offsets {start}-{end} in a text of {len(text)} characters",
                "0 <= char_start < char_end <= the length of the source text",
                "evidence-offsets",
            )
        elif text[start:end] != quote:
            yield Finding(
                "incident_sources",
                row,
                "quote",
                f"the source reads {text[start:end]!r} at {start}-{end}",
                f"the quote {quote!r} exactly as archived" + _hint(text, quote),
                "evidence-quote",
            )


def _hint(text: str, quote: str) -> str:
    at = text.find(quote) if quote else -1
    return f"; it is found at {at}-{at + len(quote)}" if at >= 0 else "; it is not found in the source"


# Text a spreadsheet would run: '=' anything, or '+', '-', '@' before a function call or a DDE pipe
# ('@SUM(', '+cmd|'). Prose such as "- two killed" or "@user said" stays allowed; the CSV export escapes
# every such cell anyway (build.csv_bytes). Evidence quotes are exempt: they must match the source verbatim.
FORMULA = r"^\s*(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(|])"
FORMULA_EXEMPT = {"quote"}


def check_formulas(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """No text field (or list item) of a record, actor or source looks like a spreadsheet formula."""
    for name, table in tables.items():
        for spec in standard.fields(name):
            if spec["type"] not in ("string", "list") or spec["name"] in FORMULA_EXEMPT or "codelist" in spec:
                continue
            column = table.column(spec["name"])
            if spec["type"] == "list":
                items = column.combine_chunks()
                hits = pc.match_substring_regex(pc.list_flatten(items), FORMULA)
                rows = pc.unique(pc.filter(pc.list_parent_indices(items), hits)).to_pylist()
            else:
                rows = _rows(pc.match_substring_regex(column, FORMULA))
            for row in rows:
                value = column[row].as_py()
                shown = next((v for v in value if _looks_like_formula(v)), "") if isinstance(value, list) else value
                yield Finding(
                    name,
                    row,
                    spec["name"],
                    f"{str(shown)[:60]!r} looks like a spreadsheet formula",
                    "plain text: spreadsheets would run a value starting with '=' (or '+', '-', '@' before a "
                    "function call)",
                    "formula",
                )


def _looks_like_formula(text: str) -> bool:
    return re.match(FORMULA, text) is not None


def check_all(standard: Standard, tables: Tables, texts: dict[str, str], today: dt.date) -> list[Finding]:
    return [
        *check_fields(standard, tables),
        *check_keys(standard, tables),
        *check_incidents(standard, tables, today),
        *check_history(tables),
        *check_support(tables),
        *check_evidence_text(tables, texts),
        *check_formulas(standard, tables),
    ]
