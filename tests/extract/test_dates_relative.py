"""Relative dates of real reports resolve against the publication day to the span they stand for, with the
precision the standard gives that span's length (schemas/codelists/date_precision.csv)."""

from __future__ import annotations

import datetime as dt

import pytest

from incidents import standard
from incidents.extract import dates

SATURDAY = dt.date(2009, 7, 18)


@pytest.mark.parametrize(
    ("said", "published", "start", "end", "precision"),
    [
        ("earlier this week", SATURDAY, "2009-07-13", "2009-07-17", "week"),
        ("earlier this week", dt.date(2009, 7, 14), "2009-07-13", "2009-07-13", "day"),  # a Tuesday: Monday
        ("earlier this month", SATURDAY, "2009-07-01", "2009-07-17", "month"),
        ("earlier this month", dt.date(2009, 7, 3), "2009-07-01", "2009-07-02", "week"),  # two days are no month
        ("a week ago", SATURDAY, "2009-07-06", "2009-07-12", "week"),
        ("two days ago", SATURDAY, "2009-07-16", "2009-07-16", "day"),
        ("two days earlier", SATURDAY, "2009-07-16", "2009-07-16", "day"),
        ("in the past 24 hours", SATURDAY, "2009-07-17", "2009-07-18", "week"),
    ],
)
def test_relative_spans(said, published, start, end, precision):
    (mention,) = dates.mentions(f"Gunmen struck {said}.")
    value = dates.resolve(mention, published)
    assert (value.start.isoformat(), value.end.isoformat(), value.precision) == (start, end, precision)
    assert standard.load().date_precision_of(value.start, value.end) == value.precision


def test_without_a_publication_day_nothing_relative_resolves():
    (mention,) = dates.mentions("Gunmen struck earlier this week.")
    assert dates.resolve(mention, None).precision == "unknown"


def test_a_date_that_only_tells_when_it_was_said_is_a_telling():
    text = "Ukrainian officials said Wednesday at least four people were killed."
    assert dates.mentions(text) == []
    assert [m.text for m in dates.tellings(text)] == ["Wednesday"]


@pytest.mark.parametrize(
    ("published", "start", "end"),
    [
        (dt.date(2002, 4, 23), "2002-04-20", "2002-04-21"),  # a Tuesday: the Saturday and Sunday before
        (dt.date(2002, 4, 21), "2002-04-20", "2002-04-21"),  # a Sunday: this weekend
        (dt.date(2002, 4, 20), "2002-04-20", "2002-04-20"),  # a Saturday: only that day has happened
    ],
)
def test_the_weekend(published, start, end):
    (mention,) = dates.mentions("Two men arrested for the weekend bombings were charged.")
    value = dates.resolve(mention, published)
    assert (value.start.isoformat(), value.end.isoformat()) == (start, end)
    assert standard.load().date_precision_of(value.start, value.end) == value.precision
