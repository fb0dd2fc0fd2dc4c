"""records.parse reads most files without checking each node (the layout the tools write, through
records.canonical; a text with no '&', which has no anchor, hence no alias) and finds their lines only when
asked. It must give exactly what the node-by-node check gives: the
same data, the same problems, the same lines, on any text."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incidents import records
from incidents.records import Loaded, canonical, parse

REPO = Path(__file__).resolve().parents[2]


def checked(text: bytes) -> Loaded:
    """parse as if the text could hold an anchor: every node checked (_walk) before anything is built."""
    with mock.patch.object(records, "_no_anchor", return_value=False), mock.patch.object(canonical, "read") as read:
        read.return_value = None
        return parse(text, "x.yaml")


def assert_same(text: bytes) -> Loaded:
    fast, slow = parse(text, "x.yaml"), checked(text)
    assert fast.problems == slow.problems
    assert fast.data == slow.data
    assert fast.lines == slow.lines
    return fast


def test_a_file_without_anchors_finds_its_lines_only_when_asked():
    loaded = parse(b"a: 1\nb:\n  - c: 2\n    d: 3\n", "f.yaml")
    assert loaded._lines == {} and loaded._text is not None
    assert loaded.line("b", 0, "d") == 4 and loaded._text is None
    assert loaded.lines == {(): 1, ("a",): 1, ("b",): 2, ("b", 0): 3, ("b", 0, "c"): 3, ("b", 0, "d"): 4}


def test_a_file_with_an_ampersand_is_checked_node_by_node_first():
    loaded = parse(b'name: "AT&T"\nn: 1\n', "f.yaml")  # double quotes: not the layout records.canonical reads
    assert loaded._text is None and loaded._lines[("n",)] == 2
    assert loaded.data == {"name": "AT&T", "n": 1}


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a duplicate key, found by the check the fast path hands over to
        "a: 1\n'a': 2\n",  # the same key, quoted once
        "1: x\n'1': y\n",  # the same key text, one of them an integer
        "1: x\n0x1: y\n",  # two keys PyYAML builds as the same integer
        "a: {<<: {b: 1}}\n",  # a merge key, without an alias
        "? [a]\n: 1\n",  # a key that is a list
        "a: " + "[" * 12 + "]" * 12 + "\n",  # the deepest nesting allowed
        "a: " + "[" * 13 + "]" * 13 + "\n",  # one level too deep
        "a: " + "[" * 12 + "1" + "]" * 12 + "\n",  # a value one level too deep
        "a: !!str 12\nb: !!int '7'\nc: !!binary aGk=\nd: !!set {x}\ne: !!timestamp 2024-03-07\n",
        "a: !custom x\n",
        "a: [1, .nan]\n",
        "a:\n  b: 9223372036854775808\n",
        "a: 9223372036854775807\n",
        "a: " + "9" * 5000 + "\n",
        "- 1\n- 2\n",
        "just text\n",
        "a: yes\nb: ~\nc: 1_000\nd: 1:30\ne: 0o17\nf: -.inf\n",
        "a: 'x'\nb: \"y\\tz\"\nc: |-\n  two\n  lines\nd: >\n  folded\n  text\n",
    ],
)
def test_both_ways_give_the_same_result(text):
    assert_same(text.encode())


_KEY = st.from_regex(r"[a-z_]{1,12}", fullmatch=True) | st.sampled_from(["1", "yes", "null", "<<", "a b"])
_NUMBER = st.integers(-(2**70), 2**70) | st.floats()
_VALUE = st.recursive(
    st.none() | st.booleans() | _NUMBER | st.text(max_size=40) | st.sampled_from(["yes", "0x1F", "1:30", "~", "&"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEY, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(_KEY, _VALUE, max_size=8),
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.booleans(),
)
def test_any_document_pyyaml_writes_reads_the_same_both_ways(data, style, flow):
    """Documents of every scalar style and both collection styles, as PyYAML writes them; where neither
    way finds a problem, the values are PyYAML's."""
    text = yaml.safe_dump(data, default_style=style, default_flow_style=flow, allow_unicode=True, width=60)
    loaded = assert_same(text.encode())
    if not loaded.problems:
        assert loaded.data == yaml.load(text, Loader=records._Loader)


_RECORD = records.dump(
    {
        "incident_id": "inc_01KAXQ8N5D4C3R6E0J2VWZ7T1P",
        "latitude": 37.05215,
        "fatalities_best": 3,
        "summary": "Shelling hit the market; two shops burned.\nA second line.",
        "notes": "It's said: 'x'",
        "tags": ["shelling"],
        "evidence": [{"source_id": "0a0f", "char_start": 369, "supports": ["date_precision", "location"]}],
    }
)
_EDIT = st.tuples(st.integers(0, len(_RECORD)), st.integers(0, 3), st.text(" :-[]{}#&*!|>'\"\n\t%@`,?<1x.", max_size=3))


@settings(max_examples=400, deadline=None)
@given(st.lists(_EDIT, min_size=1, max_size=4))
@example([(0, 0, "&")])
@example([(len(_RECORD), 0, "notes: again\n")])
def test_a_record_file_edited_at_random_reads_the_same_both_ways(edits):
    """Broken files too: a record with characters inserted or removed at random gives the same problems (or
    the same data) both ways."""
    text = _RECORD
    for at, removed, inserted in edits:
        text = text[:at] + inserted + text[at + removed :]
    assert_same(text.encode())


@pytest.mark.skipif(not (REPO / "data/records").is_dir(), reason="the repository's records are not here")
def test_real_record_files_read_the_same_both_ways():
    """Every eighth file of data/records (2,100 of the real files; all of them take 12 s, too long for the
    suite): the values and lines of the fast way are those of the node-by-node check."""
    folder = REPO / "data/records"
    names = sorted(name for name in os.listdir(folder) if name.endswith(".yaml"))
    assert len(names) > 1000
    for name in names[::8]:
        loaded = assert_same((folder / name).read_bytes())
        assert loaded.problems == [] and isinstance(loaded.data, dict), name
