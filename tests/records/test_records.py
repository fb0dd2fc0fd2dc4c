"""Loading contributed YAML safely: every bad file gives one clear problem, never an exception."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from incidents import records
from incidents.records import MAX_FILE_BYTES, dump, parse


def problem(text: bytes):
    loaded = parse(text, "data/records/x.yaml")
    assert loaded.data is None and len(loaded.problems) == 1
    return loaded.problems[0]


def test_values_keep_their_lines():
    loaded = parse(b"a: 1\nb:\n  - c: 2\n    d: 3\n", "f.yaml")
    assert loaded.problems == []
    assert loaded.line("a") == 1 and loaded.line("b", 0, "d") == 4 and loaded.line("b", 0, "nope") == 3


def test_dates_stay_as_written():
    loaded = parse(b"date_start: 2024-03-07\nchanged_at: 2024-03-07T10:00:00Z\n", "f.yaml")
    assert loaded.data == {"date_start": "2024-03-07", "changed_at": "2024-03-07T10:00:00Z"}


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (b"a: [1, 2\n", "yaml-syntax", 2),
        (b"a: 1\na: 2\n", "duplicate-key", 2),
        (b"a: &x 1\nb: *x\n", "yaml-alias", 2),
        (b"base: &b {x: 1}\nc:\n  <<: *b\n", "yaml-alias", 3),
        (b"\xef\xbb\xbfa: 1\n", "encoding", 1),
        (b"\xff\xfea\x00:\x00", "encoding", 1),
        (b"a: 1\nb: caf\xe9\n", "encoding", 2),
        (b"- 1\n- 2\n", "not-a-mapping", 1),
        (b"", "empty", 1),
        (b"a:\n\tb: 1\n", "yaml-syntax", 2),
        (b"!!python/object/apply:os.system ['echo pwned']\n", "yaml-syntax", 1),
        ("a: " + "[" * 20 + "]" * 20 + "\n", "too-deep", 1),
        (b"a: 1\nb: red \x1b[31m\n", "encoding", 2),
        (b"a: 1\nb:\n  c: " + b"9" * 5000 + b"\n", "number-range", 3),
        (b"a: 1\nb: [1, -9223372036854775809]\n", "number-range", 2),
        (b"a: 1\nb: {c: .inf}\n", "number-range", 2),
        (b"a: !!binary aGk=\nb: [1, 2]\nc: {d: [3, .nan]}\n", "number-range", 3),  # PyYAML builds it
        (b"a: 1\nb: [2, 1.0e+999]\nc: -1.0e+999\n", "number-range", 2),  # the first one
    ],
)
def test_bad_yaml_gives_one_clear_problem(text, code, line):
    found = problem(text if isinstance(text, bytes) else text.encode())
    assert (found.code, found.line, found.file) == (code, line, "data/records/x.yaml")
    assert found.expected


def test_a_number_no_table_can_hold_names_its_field():
    found = problem(b"a: 1\nevidence:\n- char_end: 99999999999999999999\n")
    assert (found.field, found.line, found.message) == ("evidence[0].char_end", 3, "found 99999999999999999999")


def test_the_largest_int64_is_a_number_like_any_other():
    assert parse(b"a: 9223372036854775807\nb: -9223372036854775807\n", "f.yaml").problems == []


def test_oversized_text_is_refused_before_parsing():
    assert problem(b"a: 1\n" * (MAX_FILE_BYTES // 4)).code == "too-large"


def test_dump_then_parse_round_trips():
    data = {"summary": "Two lines\nof text", "tags": ["a", "b"], "n": None, "quote": "=HYPERLINK(x)"}
    assert parse(dump(data).encode(), "f.yaml").data == data


ONE_PASS_CASES = [
    "a: 1\nb: -0x1F\nc: 0o17\nd: 1_000\ne: 1:30\n",
    "a: 1.5\nb: 1e3\nc: -.5\nd: 0.5e-2\ne: 6.8523015e+5\n",
    "a: .inf\n",
    "a: yes\nb: No\nc: on\nd: ~\ne: null\nf: ''\ng: 'true'\n",
    "a: !!str 123\nb: !!int '7'\nc: [1, [2, {d: 3}]]\n1: numeric key\n2.5: float key\n",
    "a: !!binary aGVsbG8=\nb: 1\n",
    "a: !!set {x, y}\n",
    "a: !!timestamp 2024-03-07\n",
    "a: " + "9" * 5000 + "\n",
]


@pytest.mark.parametrize("text", ONE_PASS_CASES)
def test_values_built_in_one_pass_equal_pyyamls(text):
    """records.parse builds plain values itself (records._plain); it must build what PyYAML's safe
    constructor builds (and leave anything else to it)."""
    loaded = records.parse(text.encode(), "x.yaml")
    try:
        expected = yaml.load(text, Loader=records._Loader)
    except ValueError:  # an integer of too many digits: parse reports it
        assert loaded.problems and loaded.problems[0].code == "number-range"
        return
    if loaded.problems:  # a value no table can hold, refused after building
        assert loaded.problems[0].code in ("number-range", "not-a-mapping")
        return
    assert loaded.data == expected
    assert loaded.lines[("a",)] == 1


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_KEY = st.from_regex(r"[a-z_]{1,20}", fullmatch=True)  # keys of the files dump writes are field names
_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEY, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEY, _VALUE, max_size=8))
@example({"_": "\n", "__": None})  # found by Hypothesis: libyaml ended it with an explicit `...`
def test_libyaml_dump_writes_the_plain_dumpers_text(data):
    """dump uses libyaml's emitter for speed; its text must be the plain PyYAML dumper's, byte for byte."""
    assert records._CDumper is not records._Dumper
    assert dump(data) == dump(data, records._Dumper)


def test_a_value_that_appears_twice_is_written_twice_never_as_an_alias():
    shared = ["date_start", "location"]
    data = {"evidence": [{"supports": shared}, {"supports": shared}]}
    for dumper in (records._CDumper, records._Dumper):
        text = dump(data, dumper)
        assert "&" not in text and "*" not in text and parse(text.encode(), "f.yaml").data == data


_SCALAR_TEXT = st.sampled_from(
    ["1", "-0x1F", "0o17", "1_000", "1:30", "1.5", "1e3", ".inf", "-.5", "yes", "No", "on", "~", "null", "''",
     "'true'", "2024-03-07", "2024-03-07T10:00:00Z", "!!str 123", "'quoted: text'", "plain text", "\"dq\\ttab\""]
)  # fmt: skip
_YAML_VALUE = st.recursive(
    _SCALAR_TEXT | st.builds(lambda v: repr(v), st.integers(-(2**70), 2**70)),
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
        | st.dictionaries(_KEY, inner, max_size=3).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEY, _YAML_VALUE, min_size=1, max_size=6))
def test_the_walk_builds_what_pyyaml_builds_from_any_document(fields):
    """The property behind the examples above: records.parse builds plain values in one walk of the nodes
    (faster than PyYAML's constructor); on any document it must give PyYAML's values, or refuse what no
    table holds."""
    text = "".join(f"{key}: {value}\n" for key, value in fields.items())
    loaded = records.parse(text.encode(), "x.yaml")
    try:
        expected = yaml.load(text, Loader=records._Loader)
    except (ValueError, yaml.YAMLError):  # an integer of too many digits, or a document PyYAML refuses
        assert loaded.problems
        return
    if loaded.problems:  # a value no table can hold (a number past int64, say), refused after building
        assert {p.code for p in loaded.problems} <= {"number-range", "not-a-mapping"}
        return
    assert loaded.data == expected
