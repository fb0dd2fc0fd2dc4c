"""No text hides what it says (rules.characters): overrides and invisible characters are refused, with the
marks and the joiners that Arabic-script names need allowed."""

from __future__ import annotations

import pyarrow as pa
import pytest

from incidents import standard
from incidents.validate.rules.characters import check_characters, hidden

STANDARD = standard.load()


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("Militia \u202eaitilim", 8),  # right-to-left override
        ("\u2067Militia\u2069", 0),  # right-to-left isolate
        ("Mili\u200btia", 4),  # zero-width space
        ("Mili\u200dtia", 4),  # zero-width joiner
        ("Mili\u2060tia", 4),  # word joiner
        ("Militia\ufeff", 7),  # byte-order mark inside a text
        ("Mili\u00adtia", 4),  # soft hyphen: another format character
        ("Mili\u200ctia", 4),  # zero-width non-joiner between Latin letters
        ("\u200cمی", 0),  # ... or at the start of an Arabic word
    ],
)
def test_overrides_and_invisible_characters_are_found_where_they_are(text, at):
    assert hidden(text) == at


@pytest.mark.parametrize(
    "text",
    [
        "می\u200cخواهم",  # Persian: the non-joiner between two Arabic-script letters
        "نمی\u200cشود",
        "الثورة\u200e Al Thani",  # a left-to-right mark after an Arabic word
        "Asayish \u200fالأسايش",  # a right-to-left mark
        "Militia",
    ],
)
def test_the_marks_and_the_joiner_arabic_script_names_need_are_allowed(text):
    assert hidden(text) is None


def test_each_text_and_list_item_is_checked_but_evidence_quotes_are_exempt():
    actors = pa.table(
        {
            "actor_id": ["act_1", "act_2", "act_3"],
            "name": ["Militia", "Police\u202e", "می\u200cخواهم"],
            "aliases": [["ok"], ["fine", "hid\u200bden"], []],
            "actor_type": ["state_forces"] * 3,
            "country": ["SYR"] * 3,
            "parent_actor_id": [None, None, None],
            "description": [None, None, None],
        }
    )
    found = [(f.row, f.field, f.code, f.message) for f in check_characters(STANDARD, {"actors": actors})]
    assert found == [
        (1, "name", "bidi-control", "U+202E RIGHT-TO-LEFT OVERRIDE at character 7 of 'Police\\u202e'"),
        (1, "aliases", "invisible-character", "U+200B ZERO WIDTH SPACE at character 4 of 'hid\\u200bden'"),
    ]
    quotes = pa.table({"quote": ["Militia \u202eaitilim"]})
    assert list(check_characters(STANDARD, {"incident_sources": quotes})) == []


def test_a_citation_title_keeps_the_sources_invisible_characters_but_never_a_bidi_control():
    titles = pa.table({"title": ["\ufeffClashes in \u200b\u200bDeir ez-Zor", "Clashes \u202eroZ-ze rieD"]})
    found = [(f.row, f.code) for f in check_characters(STANDARD, {"incident_citations": titles})]
    assert found == [(1, "bidi-control")]
    assert hidden("\ufeffClashes \u200b", verbatim=True) is None and hidden("a\u2066b", verbatim=True) == 1
