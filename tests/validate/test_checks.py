"""The column checks of checks.py that are easiest to get wrong on their own: offsets into many texts."""

from __future__ import annotations

import itertools
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents.validate import rules as checks
from incidents.validate.rules import evidence as evidence_rules
from incidents.validate.rules import keys


def test_quotes_in_many_texts_of_mixed_scripts_are_cut_in_characters_as_python_slices_them():
    texts = {"a": "Ça a éclaté — deux morts.", "b": "", "c": "plain ascii text", "d": "Ωμέγα 😀 ok", "e": "ü"}
    rows = [
        (source, start, end)
        for source, text in texts.items()
        for start, end in itertools.combinations(range(len(text) + 1), 2)
    ]
    quotes = [texts[s][a:b] if (a + b) % 3 else texts[s][a:b] + "!" for s, a, b in rows]  # every third differs
    evidence = pa.table(
        {
            "source_id": [s for s, _, _ in rows],
            "quote": quotes,
            "char_start": [a for _, a, _ in rows],
            "char_end": [b for _, _, b in rows],
        }
    )
    found = list(checks.check_evidence_text({"incident_sources": evidence}, texts))
    wrong = [i for i, (s, a, b) in enumerate(rows) if quotes[i] != texts[s][a:b]]
    assert len(wrong) > 100 and [f.row for f in found] == wrong
    assert {f.code for f in found} == {"evidence-quote"}
    first = rows[wrong[0]]
    assert found[0].message == f"the source reads {texts[first[0]][first[1] : first[2]]!r} at {first[1]}-{first[2]}"


def test_formulas_are_texts_a_spreadsheet_would_run():
    from incidents.validate.rules.formulas import _formulas

    texts = [" =1", "\t=1", "\n+a(", "\r@f(", "\f-x|", "=", "a=1", "", None, "é=", " \t=SUM(", "- two killed"]
    expected = [True, True, True, True, True, True, False, False, False, False, True, False]
    assert _formulas(pa.array(texts, pa.string())).to_pylist() == expected
    chunked = pa.chunked_array([pa.array(texts[:3], pa.string()), pa.array(texts[3:], pa.string())])
    assert _formulas(chunked).to_pylist() == expected


def _duplicated_rows(rows: list[tuple[object, ...]]) -> list[bool]:
    counts = Counter(rows)
    return [counts[row] > 1 for row in rows]


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "a\x1fb", None]), st.one_of(st.none(), st.integers(-2, 2))),
        max_size=30,
    ),
    st.booleans(),
)
def test_rows_sharing_a_composite_key_are_those_python_finds_nulls_equal_to_nulls(rows, coded):
    table = pa.table(
        {"id": pa.array([r[0] for r in rows], pa.string()), "n": pa.array([r[1] for r in rows], pa.int64())}
    )
    codes = {"id": pc.index_in(table.column("id"), value_set=pa.array(["a", "b"]))} if coded else {}
    found = keys._duplicated(table, ["id", "n"], codes)
    assert (found.to_pylist() if found is not None else [False] * len(rows)) == _duplicated_rows(rows)
    alone = keys._duplicated(table, ["id"], {})  # one column: by the lookup of each id's first row
    assert (alone.to_pylist() if alone is not None else [False] * len(rows)) == _duplicated_rows([r[:1] for r in rows])


def test_rows_whose_codes_mix_to_one_number_are_not_duplicates_unless_their_values_are():
    spread = -int(keys._MIX) % 2**64  # (0, 0) and (1, -_MIX) mix to the same number modulo 2**64
    second = spread - 2**64 if spread >= 2**63 else spread
    table = pa.table({"a": pa.array([0, 1, 1], pa.int64()), "b": pa.array([0, second, second], pa.int64())})
    mixed = keys._mix([table.column("a"), table.column("b")])
    assert mixed[0] == mixed[1]
    assert keys._duplicated(table, ["a", "b"], {}).to_pylist() == [False, True, True]


def _evidence(rows: list[tuple], quote) -> pa.Table:
    """An incident_sources table of (source, char_start, char_end, ...) rows, each quote made by `quote`."""
    return pa.table(
        {
            "source_id": pa.array([r[0] for r in rows], pa.string()),
            "quote": pa.array([quote(*r) for r in rows], pa.string()),
            "char_start": pa.array([r[1] for r in rows], pa.int64()),
            "char_end": pa.array([r[2] for r in rows], pa.int64()),
        }
    )


@given(
    st.dictionaries(st.sampled_from("abcd"), st.text(st.characters(exclude_categories=["Cs"]), max_size=12)),
    st.lists(
        st.tuples(
            st.sampled_from("abcde"),  # "e" and absent keys: no text (a dangling reference, reported elsewhere)
            st.one_of(st.none(), st.integers(-1, 14)),
            st.one_of(st.none(), st.integers(-1, 14)),
            st.booleans(),
        ),
        max_size=25,
    ),
)
def test_quotes_and_offsets_are_judged_as_python_slices_them(texts, rows):
    def quote(source: str, start: int | None, end: int | None, exact: bool) -> str:
        cut = texts.get(source, "")[start or 0 : end or 0]
        return cut if exact else cut + "é"

    evidence = _evidence(rows, quote)
    expected = []
    for row, (source, start, end, exact) in enumerate(rows):
        if source not in texts or start is None or end is None:
            continue
        if start < 0 or start >= end or end > len(texts[source]):
            expected.append((row, "evidence-offsets"))
        elif not exact:
            expected.append((row, "evidence-quote"))
    found = list(checks.check_evidence_text({"incident_sources": evidence}, texts))
    assert sorted((f.row, f.code) for f in found) == expected


@given(
    st.dictionaries(st.sampled_from("abcd"), st.text("xyé", max_size=12)),
    st.lists(
        st.tuples(
            st.sampled_from("abcde"),
            st.one_of(st.none(), st.integers(-1, 14)),
            st.one_of(st.none(), st.integers(-1, 14)),
            st.sampled_from(["exact", "one letter changed", "none"]),
        ),
        max_size=25,
    ),
    st.integers(1, 5),
)
def test_quotes_compared_as_bytes_are_judged_as_python_slices_them(texts, rows, chunk):
    """Quotes of ASCII texts are compared as bytes, in chunks of rows (evidence._unproven), the others row by
    row: a quote one letter off (the same length) is found either way, and texts given as UTF-8 bytes (as read
    from disk) are judged as the same texts given as str."""

    def quote(source: str, start: int | None, end: int | None, kind: str) -> str | None:
        cut = texts.get(source, "")[start or 0 : end or 0]
        if kind == "none":
            return None
        return cut if kind == "exact" or not cut else cut[:-1] + ("x" if cut[-1] != "x" else "y")

    evidence = _evidence(rows, quote)
    expected = []
    for row, (source, start, end, kind) in enumerate(rows):
        if source not in texts or start is None or end is None:
            continue
        if start < 0 or start >= end or end > len(texts[source]):
            expected.append((row, "evidence-offsets"))
        elif texts[source][start:end] != quote(source, start, end, kind):
            expected.append((row, "evidence-quote"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evidence_rules, "QUOTE_ROWS", chunk)
        found = list(checks.check_evidence_text({"incident_sources": evidence}, texts))
        as_bytes = {source: text.encode() for source, text in texts.items()}
        assert list(checks.check_evidence_text({"incident_sources": evidence}, as_bytes)) == found
    assert [(f.row, f.code) for f in found] == expected


NUMBERS = st.one_of(st.none(), st.integers(-1, 4))


@given(
    st.lists(st.tuples(st.sampled_from(["i1", "i2", "i3", None]), NUMBERS), max_size=8),
    st.lists(st.tuples(st.sampled_from(["i1", "i2", "i4", None]), NUMBERS), max_size=12),  # i4: no such incident
)
def test_revision_numbers_are_judged_per_incident_id_as_python_counts_them(incidents, revisions):
    def table(rows: list[tuple[str | None, int | None]]) -> pa.Table:
        ids, numbers = [r[0] for r in rows], [r[1] for r in rows]
        return pa.table({"incident_id": pa.array(ids, pa.string()), "revision": pa.array(numbers, pa.int64())})

    expected = set()
    for row, (incident_id, revision) in enumerate(incidents):
        held = [number for owner, number in revisions if owner == incident_id]
        numbered = [number for number in held if number is not None]
        if numbered and (max(numbered) != len(set(numbered)) or min(numbered) != 1):
            expected.add((row, "revisions", "revisions are not numbered 1, 2, 3, ..."))
        if not held:
            expected.add((row, "revisions", "the record has no revision"))
        if numbered and revision is not None and revision != max(numbered):
            expected.add((row, "revision", f"revision {revision}"))
    found = checks.check_history({"incidents": table(incidents), "revisions": table(revisions)})
    assert {(f.row, f.field, f.message) for f in found} == expected


def test_a_lookup_of_ids_is_made_once_per_pair_of_tables_and_freed_with_them():
    from incidents.validate.rules import findings

    incidents = pa.table({"incident_id": ["a", "b"]})
    quotes = pa.table({"incident_id": ["b", "c", "a"]})
    first = findings._row_in(quotes, "incident_id", incidents, "incident_id")
    assert first.to_pylist() == [1, None, 0]
    assert findings._row_in(quotes, "incident_id", incidents, "incident_id") is first
    key = (id(quotes), "incident_id", id(incidents), "incident_id")
    del quotes
    assert key not in findings._LOOKUPS
