"""Cross-field rules of an incident: dates, fatality range, places, taxonomy, status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.standard import Standard
from incidents.validate.rules.findings import Finding, Tables, _any_item, _findings, _show, _value

FATALITY_RANGE = "fatalities_low <= fatalities_best <= fatalities_high"


class RangeBreak(NamedTuple):
    field: str  # the field a problem is reported on
    shown: tuple[str, str]  # the fields whose values the message shows
    rule: str  # the part of the range that is broken
    where: Any  # true where it is broken (null or false where it holds, or a value is empty)


def fatality_range_breaks(low: Any, best: Any, high: Any) -> list[RangeBreak]:
    """The fatality-range rule, fatalities_low <= fatalities_best <= fatalities_high, stated once: low above
    best, best above high, and with no best, low above high. An empty value bounds nothing. The values are
    Arrow columns or scalars (Python ints or None too), and so is each `where`."""
    low_high = "fatalities_low <= fatalities_high"
    return [
        RangeBreak("fatalities_low", ("fatalities_low", "fatalities_best"), FATALITY_RANGE, pc.greater(low, best)),
        RangeBreak("fatalities_high", ("fatalities_best", "fatalities_high"), FATALITY_RANGE, pc.greater(best, high)),
        RangeBreak(
            "fatalities_high",
            ("fatalities_low", "fatalities_high"),
            low_high,
            pc.and_kleene(pc.is_null(best), pc.greater(low, high)),
        ),
    ]


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
    # A precision says how wide the span is, not which calendar unit it is: its limits are in the codelist.
    limits = standard.span_limits()
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

    for broken in fatality_range_breaks(col("fatalities_low"), col("fatalities_best"), col("fatalities_high")):
        yield from _findings(
            "incidents", t, broken.where, broken.field, show(*broken.shown), broken.rule, "fatality-range"
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


BBOX_EXEMPT = ("at_sea", "outside_country")  # codes of schemas/codelists/flag.csv


def _check_bbox(standard: Standard, t: pa.Table) -> Iterator[Finding]:
    countries = standard.codelists["country"]
    margin = 0.5  # degrees: boxes come from generalised shapes, and coordinates from town centres.
    index = pc.index_in(t.column("country"), value_set=pa.array(countries.codes))
    bounds = {
        k: pc.take(pa.array([float(row[k]) for row in countries.rows]), index)
        for k in ("min_lat", "max_lat", "min_lon", "max_lon")
    }
    lat, lon = t.column("latitude"), t.column("longitude")
    # A record flagged at sea, or placed outside the country by its source, says so itself.
    exempt = (
        _any_item(t.column("flags"), lambda items: pc.is_in(items, value_set=pa.array(BBOX_EXEMPT)))
        if "flags" in t.column_names  # tables built before flags existed (an older release's)
        else pa.array(np.zeros(len(t), dtype=bool))
    )
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
        pc.and_kleene(outside, pc.invert(exempt)),
        "latitude",
        lambda r: f"({_value(t, 'latitude', r)}, {_value(t, 'longitude', r)}) lies outside {_value(t, 'country', r)}",
        "coordinates inside the country's bounding box (schemas/codelists/country.csv)",
        "outside-country",
    )
