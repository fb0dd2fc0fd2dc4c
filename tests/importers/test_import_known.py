"""The index of record files an import reads instead of parsing them: the same ids, status and evidence
spans as the parsed record, or no answer (and the file is parsed)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from factories import record
from incidents import records
from incidents.importers.known import index, spans

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
_ID = st.from_regex(r"(acled|ucdp-ged):[A-Za-z0-9_.-]{1,12}", fullmatch=True) | _TEXT


@st.composite
def records_as_dumped(draw: st.DrawFn) -> dict:
    data = record()
    data["status"] = draw(st.sampled_from(["active", "withdrawn", "merged"]))
    data["external_ids"] = draw(st.none() | st.lists(_ID, max_size=3, unique=True))
    data["notes"] = draw(st.none() | _TEXT)
    data["summary"] = draw(_TEXT.filter(str.strip))
    for item in data["evidence"]:
        item["quote"] = draw(_TEXT.filter(str.strip))
        item["char_start"] = draw(st.integers(0, 10**6))
        item["char_end"] = item["char_start"] + draw(st.integers(1, 1000))
    return data


@settings(max_examples=150, deadline=None)
@given(records_as_dumped())
def test_the_index_of_a_dumped_record_is_its_parsed_values_or_nothing(data):
    text = records.dump(data).encode("utf-8")
    parsed = records.parse(text, "r.yaml").data
    indexed = index(text)
    canonical = all(re.fullmatch(r"[a-z][a-z0-9-]*:[A-Za-z0-9_.-]+", i) for i in data["external_ids"] or [])
    if indexed is None:
        assert not canonical  # the index only declines ids it cannot read with certainty
        return
    assert indexed.incident_id == parsed["incident_id"] and indexed.status == parsed["status"]
    assert list(indexed.external_ids) == (parsed["external_ids"] or [])
    assert spans(text) in (None, {(e["source_id"], e["char_start"], e["char_end"]) for e in parsed["evidence"]})


def test_a_hand_made_layout_is_parsed_not_indexed():
    text = records.dump(record(external_ids=["acled:ARG1"])).encode("utf-8")
    assert index(text) is not None and spans(text) is not None
    assert index(text.replace(b"- acled:ARG1\n", b"- 'acled:ARG1'\n")) is None  # quoted
    assert index(text.replace(b"external_ids:\n- acled:ARG1\n", b"external_ids: [acled:ARG1]\n")) is None
    assert index(text.replace(b"\nstatus: active\n", b"\nstatus:   active\n")) is None
