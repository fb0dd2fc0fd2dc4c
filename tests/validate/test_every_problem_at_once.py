"""`incidents validate` reports every problem in one run: a value that fails its JSON Schema is left out of
its record's rows (validate.left_out), so the rules still check everything else, and nothing that follows
only from the value left out is reported."""

from __future__ import annotations

import pytest

from factories import ACTOR_A, INCIDENT, SOURCE, TODAY, git, make_dataset, record, source_meta, write_record, write_yaml
from incidents.validate import validate


def found(root):
    return [(p.code, p.field) for p in validate(root, today=TODAY)]


def five_mistakes():
    """The case of issue 20: a bad role and four other mistakes, of four other layers."""
    data = record(date_end="2024-03-06", fatalities_low=3)
    data["actors"][0]["role"] = "attacker"  # not a role of schemas/codelists/role.csv
    data["evidence"][1]["quote"] = "Police shot back and killed three fighters."  # not what the source says
    data["evidence"] = data["evidence"][:2]  # injured: 1 is left without a quote
    return data


FIVE = [
    ("date-order", "date_end"),
    ("evidence-quote", "evidence[1].quote"),
    ("fatality-range", "fatalities_low"),
    ("schema-enum", "actors[0].role"),
    ("unsupported-value", "injured"),
]


def test_a_schema_error_does_not_hide_the_rule_errors_of_its_record(tmp_path):
    assert sorted(found(make_dataset(tmp_path, five_mistakes()).root)) == FIVE


def test_a_changed_record_is_checked_the_same_way(tmp_path):
    layout = make_dataset(tmp_path)
    git(layout.root, "init", "-q", "-b", "main")
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "valid")
    write_record(layout.root, five_mistakes())
    problems = validate(layout.root, today=TODAY, changed_since="HEAD")
    assert sorted((p.code, p.field) for p in problems) == sorted([*FIVE, ("history-unrevised", "revisions")])


def _actor_id(data):
    data["actors"][1]["actor_id"] = "police"


def _supports(data):
    data["evidence"][1]["supports"] = ["fatalities", "actors"]


def _revision(data):
    data["revisions"][0]["revision"] = "one"


def _actor_item(data):
    data["actors"][1] = "Police"


def _summary(data):
    del data["summary"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"latitude": "north"}, ("schema-type", "latitude")),  # not also: longitude without latitude
        ({"date_end": "7 March"}, ("schema-pattern", "date_end")),  # not also: day precision without date_end
        ({"location": 5}, ("schema-type", "location")),  # not also: a quote supporting an empty location
        ({"actors": "Militia and police"}, ("schema-type", "actors")),  # not also: a quote supporting no actors
        ({"event_type": "skirmish"}, ("schema-enum", "event_type")),  # not also: sub_event_type of another type
        ({"fatalities_best": "two"}, ("schema-type", "fatalities_best")),
        ({"status": "closed"}, ("schema-enum", "status")),
        (_actor_id, ("schema-pattern", "actors[1].actor_id")),  # not also: required, or dangling
        (_actor_item, ("schema-type", "actors[1]")),
        (_supports, ("schema-enum", "evidence[1].supports[0]")),  # not also: fatalities_best unsupported
        (_revision, ("schema-type", "revisions[0].revision")),  # not also: revisions misnumbered
        (_summary, ("schema-required", "summary")),  # not also: an empty summary
    ],
)
def test_a_value_left_out_brings_no_follow_on_problem(tmp_path, change, expected):
    data = record()
    if callable(change):
        change(data)
    else:
        data.update(change)
    assert found(make_dataset(tmp_path, data).root) == [expected]


def test_a_schema_error_in_an_actor_file_brings_no_dangling_reference_in_the_records_citing_it(tmp_path):
    layout = make_dataset(tmp_path)
    write_yaml(layout.actors / f"{ACTOR_A}.yaml", {"actor_id": ACTOR_A, "name": "Militia", "actor_type": "gang"})
    problems = validate(layout.root, today=TODAY)
    assert [(p.file, p.code, p.field) for p in problems] == [
        (f"data/actors/{ACTOR_A}.yaml", "schema-enum", "actor_type")
    ]


def test_the_rules_across_files_check_a_record_that_fails_its_schema(tmp_path):
    data = record(tags="patrol")  # a list expected
    data["actors"][1]["actor_id"] = "act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ"  # no such actor
    problems = validate(make_dataset(tmp_path, data).root, today=TODAY)
    assert [(p.record, p.code, p.field) for p in problems] == [
        (INCIDENT, "schema-type", "tags"),
        (INCIDENT, "dangling-reference", "actors[1].actor_id"),
    ]


def test_a_quote_left_out_is_not_checked_against_its_source(tmp_path):
    data = record()
    data["evidence"][0]["char_start"] = -1
    assert found(make_dataset(tmp_path, data).root) == [("schema-minimum", "evidence[0].char_start")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"archive_path": 5}, ("schema-type", "archive_path")),  # not also: the text it names cannot be read
        ({"source_id": None}, ("required", "source_id")),  # the file's name stands for its id: no dangling quote
    ],
)
def test_a_source_with_a_value_left_out_still_backs_the_quotes_citing_it(tmp_path, change, expected):
    layout = make_dataset(tmp_path)
    write_yaml(layout.source_meta(SOURCE), {**source_meta(), **change})
    assert [(p.file, p.code, p.field) for p in validate(layout.root, today=TODAY)] == [
        (f"data/sources/{SOURCE}.yaml", *expected)
    ]


def test_every_bad_item_of_a_list_is_left_out_though_one_is_reported(tmp_path):
    problems = validate(make_dataset(tmp_path, record(tags=["patrol", None, 3], injured=-1)).root, today=TODAY)
    assert [(p.code, p.field) for p in problems] == [("schema-minimum", "injured"), ("required", "tags[1]")]
