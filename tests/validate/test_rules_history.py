"""A quote supports only fields its record fills (rules.history.check_support_filled)."""

from __future__ import annotations

from factories import TODAY, make_dataset, quote, record
from incidents import validate


def support_empty(tmp_path, **changes):
    layout = make_dataset(tmp_path, record(**changes))
    return [(p.field, p.message) for p in validate.validate(layout.root, today=TODAY) if p.code == "support-empty"]


def test_a_quote_supporting_an_empty_count_is_reported_on_its_supports(tmp_path):
    assert support_empty(tmp_path, injured=None) == [
        ("evidence[2].supports", "supports 'injured' but the record gives no injured")
    ]


def test_a_quote_supporting_actors_of_a_record_with_none_or_an_empty_list_is_reported(tmp_path):
    first = "On Thursday, militia fighters attacked a police patrol in Khaleej Street in Qamishli."
    evidence = [
        quote(first, ["date_start", "location", "event_type"]),
        quote("Police shot back and killed two fighters.", ["fatalities_best", "actors", "tags"]),
        quote("One officer was injured.", ["injured"]),
    ]
    assert support_empty(tmp_path, actors=[], tags=[], evidence=evidence) == [
        ("evidence[1].supports", "supports 'actors' but the record gives no actors"),
        ("evidence[1].supports", "supports 'tags' but the record gives no tags"),
    ]


def test_quotes_supporting_filled_fields_are_valid(tmp_path):
    assert support_empty(tmp_path) == []
