"""Evidence given as a quote alone: validate says how to fill its offsets, `incidents quotes fill` counts them."""

from __future__ import annotations

import difflib

import pytest
from click.testing import CliRunner

from factories import INCIDENT, TEXT, make_dataset, record
from incidents import records
from incidents.cli import cli
from incidents.records.quotes import QuoteNotFound, locate


def run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_locate_counts_code_points_and_needs_a_hint_for_a_repeated_quote():
    text = "Ağrı: shelling. Later, shelling."
    assert locate("shelling.", text, near=30) == (23, 32) and locate("Ağrı", text) == (0, 4)
    with pytest.raises(QuoteNotFound, match=r"found 2 times .*\(at 6, 23\)"):
        locate("shelling.", text)
    with pytest.raises(QuoteNotFound, match="not in the source"):
        locate("shelled", text)


def quote_only(sentence, supports, **offsets):
    item = record()["evidence"][0] | {"quote": sentence, "supports": supports}
    del item["char_start"], item["char_end"]
    return item | offsets


def dataset(tmp_path, *evidence):
    data = record()
    data["evidence"] = [*data["evidence"][:2], *evidence]
    return make_dataset(tmp_path, data)


def test_validate_says_how_to_fill_a_quotes_missing_offsets_not_a_bare_schema_error(tmp_path):
    root = dataset(tmp_path, quote_only("One officer was injured.", ["injured"])).root
    result = run(root, "validate")
    assert result.exit_code == 1
    found = [line for line in result.output.splitlines() if line.startswith("data/")]
    at = TEXT.index("One officer")
    assert found == [
        f"data/records/{INCIDENT}.yaml:49: {INCIDENT}: evidence[2].char_start: the quote has no char_start and "
        f"char_end (expected its offsets in the source, {at}-{at + 24}: run `incidents quotes fill {INCIDENT}` "
        "to write them) [evidence-offsets-missing]"
    ]


def test_quotes_fill_writes_the_offsets_and_changes_no_other_line(tmp_path):
    layout = dataset(tmp_path, quote_only("One officer was injured.", ["injured"]))
    path = layout.records / f"{INCIDENT}.yaml"
    before = path.read_text(encoding="utf-8")
    result = run(layout.root, "quotes", "fill", INCIDENT)
    assert result.exit_code == 0, result.output
    assert f"data/records/{INCIDENT}.yaml" in result.output
    after = path.read_text(encoding="utf-8")
    at = TEXT.index("One officer")
    assert records.parse(after.encode(), "x").data["evidence"][2] == quote_only(
        "One officer was injured.", ["injured"], char_start=at, char_end=at + 24
    )
    added = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    assert added == [f"+   char_start: {at}", f"+   char_end: {at + 24}"]
    assert run(layout.root, "validate").output.strip() == "valid"
    assert run(layout.root, "quotes", "fill").exit_code == 0 and path.read_text(encoding="utf-8") == after


def test_quotes_fill_refuses_a_quote_not_in_the_source_and_a_repeated_one_without_a_hint(tmp_path):
    repeated = "Qamishli"  # in the title and in the first sentence
    layout = dataset(
        tmp_path, quote_only("Two officers were injured.", ["injured"]), quote_only(repeated, ["location"])
    )
    path = layout.records / f"{INCIDENT}.yaml"
    before = path.read_text(encoding="utf-8")
    result = run(layout.root, "quotes", "fill", INCIDENT)
    assert result.exit_code == 1 and path.read_text(encoding="utf-8") == before
    lines = result.output.splitlines()
    at = records.parse(before.encode(), "x").line("evidence", 2, "quote")
    assert any(
        line.startswith(f"data/records/{INCIDENT}.yaml:{at}: ")
        and f"{INCIDENT}: evidence[2].quote: the quote 'Two officers were injured.' is not in the source" in line
        and "[quote-not-found]" in line
        for line in lines
    ), result.output
    assert any(
        "evidence[3].quote: the quote 'Qamishli' is found 2 times" in line and "char_start" in line for line in lines
    ), result.output
    second = TEXT.index(repeated, 20)
    data = records.parse(before.encode(), "x").data
    data["evidence"][2] = record()["evidence"][2]
    data["evidence"][3]["char_start"] = second - 3  # the hint: near the one meant
    path.write_text(records.dump(data), encoding="utf-8")
    assert run(layout.root, "quotes", "fill", INCIDENT).exit_code == 0
    filled = records.read(path, "x").data["evidence"][3]
    assert (filled["char_start"], filled["char_end"]) == (second, second + len(repeated))
