"""records.canonical reads the layout records.dump writes without PyYAML: it must return exactly what
records.parse's PyYAML path returns, or None (and then PyYAML judges the file)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from incidents import records
from incidents.records import canonical

ROOT = Path(__file__).resolve().parents[2]


def fast(text: str):
    return canonical.read(text, records._scalar)


def pyyaml(text: str) -> records.Loaded:
    """What records.parse makes of the text with the canonical reader out of the way."""
    with mock.patch.object(canonical, "read", return_value=None):
        return records.parse(text.encode(), "x.yaml")


def same_as_pyyaml(text: str) -> bool:
    """The property: the fast reader declines, or gives PyYAML's data (types and key order included)."""
    data = fast(text)
    if data is None:
        return True
    slow = pyyaml(text)
    assert not slow.problems, (text, slow.problems)
    assert repr(data) == repr(slow.data), text
    return True


@pytest.mark.parametrize(
    "text",
    [
        "a: x\n  'y' z\n",  # a plain scalar goes on over a line that starts with a quote
        "ids:\n- ucdp-ged:214797\n- a: b\n",  # a colon inside a plain item; a mapping item
        "notes: |-\n  one: two\n\n  three\nb: 1\n",  # a literal block, blank line kept, final break stripped
        "notes: |\n  kept\n\n\nb: 1\n",  # clipped to one final break
        "q: 'it''s\n  folded'\n",
        "n: 0x1F\nm: 1_000\nt: 1:30\nf: -.5\nb: on\nz: ~\nd: 2024-03-07\n",
        "e: []\nf: {}\ng:\nh: -5\n",
        "a:\n  b:\n  - c\n  - d:\n      e: 1\n",
        "a:\n    - x\n    -   y\n",
    ],
)
def test_the_layouts_values_are_pyyamls(text):
    assert fast(text) is not None
    assert same_as_pyyaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        'a: "double"\n',
        "a: [1, 2]\n",
        "a: 1 # comment\n",
        "a: !!str 1\n",
        "a: 1\n\nb: 2\n",
        "a:\tb\n",
        "a: 1  \n",
        "a: 1",
        "yes: 1\n",
        "a: " + "9" * 5000 + "\n",
        "a: 9223372036854775808\n",
        "a: .nan\n",
        "a: >\n  folded\n",
        "- a\n",
        "a: b\n c: d\n",
        "a: x\u2028y\n",
        "a: x\n  #c\n",
    ],
)
def test_anything_else_goes_to_pyyaml(text):
    assert fast(text) is None


_TRICKY = "ab :#-'\"|>[]{}&*!%@`,?\\~\n\t\u0085\u2028é’ "
_TEXT = st.text(st.sampled_from(_TRICKY) | st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)
_KEY = st.from_regex(r"[a-z_]{1,12}", fullmatch=True) | st.sampled_from(["null", "yes", "on", "y", "No", "_"])
_SCALAR = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | _TEXT | st.sampled_from(["1_0", "0o7"])
)
_VALUE = st.recursive(
    _SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEY, inner, max_size=4), max_leaves=25
)
_RECORD = st.dictionaries(_KEY, _VALUE, min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(_RECORD, st.integers(8, 120), st.integers(2, 4))
def test_any_dumped_record_reads_as_pyyaml_reads_it(data, width, indent):
    """Records as the tools write them (records.dump) and as other writers fold and indent them."""
    assert same_as_pyyaml(records.dump(data))
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=width, indent=indent)
    assert same_as_pyyaml(text)


_SNIPPETS = ["\n", " ", "  ", "- ", ": ", ":", "#", " #", "'", "''", '"', "&a ", "*a", "|", "|-\n", "\n\n", "\t", "x"]
_SNIPPETS += [f"\n{' ' * n}{s}" for n in (1, 2, 3, 4) for s in ("", "#", "- ", "a: ", "'", "|")]


@settings(max_examples=300, deadline=None)
@given(_RECORD, st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(_SNIPPETS), st.booleans()), max_size=4))
@example({"a": "x y", "b": [1, 2]}, [(4, "\n", True)])
def test_an_edited_record_reads_as_pyyaml_reads_it_or_goes_to_pyyaml(data, edits):
    """Hand edits: characters inserted or deleted anywhere. Whatever the fast reader accepts, PyYAML reads
    without a problem and to the same values."""
    text = records.dump(data)
    for position, snippet, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + snippet + text[at:] if insert else text[:at] + text[at + len(snippet) :]
    assert same_as_pyyaml(text)


_PLAIN_TEXT = st.from_regex(r"[A-Za-z][A-Za-z0-9,.()' -]{0,150}[A-Za-z0-9.)]", fullmatch=True)
_PLAIN_RECORD = st.dictionaries(
    st.from_regex(r"[a-z]{2,10}_[a-z]{2,10}", fullmatch=True),
    _PLAIN_TEXT
    | st.integers(-(2**63) + 1, 2**63 - 1)
    | st.lists(_PLAIN_TEXT, max_size=3)
    | st.lists(st.dictionaries(st.sampled_from(["role", "quote", "supports"]), _PLAIN_TEXT, max_size=3), max_size=3),
    min_size=1,
)


@settings(max_examples=50, deadline=None)
@given(_PLAIN_RECORD)
def test_records_of_plain_text_are_read_without_pyyaml(data):
    """The reader is no use if it declines the files the tools write: these it must take."""
    text = records.dump(data)
    assert fast(text) is not None, text
    assert same_as_pyyaml(text)


def test_the_datasets_own_files_are_read_without_pyyaml_and_as_pyyaml_reads_them():
    """Every 10th file of data/ (records, actors, sources): the reader takes nearly all of them (those it
    declines hold a double-quoted value), and reads each as PyYAML does."""
    files = sorted(p for folder in ("records", "actors", "sources") for p in (ROOT / "data" / folder).glob("*.yaml"))
    sample = files[::10]
    assert len(sample) > 1000
    taken = 0
    for path in sample:
        text = path.read_text(encoding="utf-8")
        taken += fast(text) is not None
        assert same_as_pyyaml(text)
    assert taken >= 0.99 * len(sample)
