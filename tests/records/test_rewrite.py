"""A record written back changes only the lines that changed: the contributor's own layout stays."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import INCIDENT, make_dataset, record
from incidents import records
from incidents.cli import cli
from incidents.records.rewrite import rewrite

KEYS = ["incident_id", "date_start", "summary", "tags", "counts", "actors", "revisions", "notes"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(-1e9, 1e9, width=32),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=120),
    st.dates().map(str),
)
items = st.dictionaries(st.sampled_from(["revision", "reason", "quote", "role"]), scalars, min_size=1, max_size=3)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.lists(items, max_size=3))
record_data = st.dictionaries(st.sampled_from(KEYS), values, min_size=1)


def hand_written(key, value, style):
    """A field as a contributor might write it: a date unquoted, a list indented, a comment after it."""
    text = records.dump({key: value})
    if isinstance(value, str) and style == 1 and records.parse(f"{key}: {value}\n".encode(), "x").data == {key: value}:
        text = f"{key}: {value}\n"
    if style == 2 and isinstance(value, list) and value:
        text = text.split("\n", 1)[0] + "\n" + "".join("  " + line for line in text.split("\n", 1)[1].splitlines(True))
    return text + ("# checked by hand\n" if style == 3 else "")


@settings(max_examples=300, deadline=None)
@given(record_data, st.data())
def test_a_rewrite_holds_the_new_values_and_keeps_unchanged_fields_byte_identical(old, data):
    styles = {key: data.draw(st.integers(0, 3)) for key in old}
    parts = {key: hand_written(key, value, styles[key]) for key, value in old.items()}
    original = "".join(parts.values())
    assert records.parse(original.encode(), "x").data == old
    new = dict(old)
    for key in data.draw(st.lists(st.sampled_from(KEYS), max_size=3)):
        change = data.draw(st.sampled_from(["set", "drop", "append"]))
        if change == "drop":
            new.pop(key, None)
        elif change == "append" and isinstance(new.get(key), list):
            new[key] = [*new[key], data.draw(items)]
        else:
            new[key] = data.draw(values)
    text = rewrite(original, new)
    parsed = records.parse(text.encode(), "x")
    assert not parsed.problems and parsed.data == new
    assert [type(v) for v in parsed.data.values()] == [type(new[k]) for k in parsed.data]
    for key, part in parts.items():
        if key in new and records.dump({key: new[key]}) == records.dump({key: old[key]}):
            assert part.rstrip("\n").removesuffix("# checked by hand") in text, key


def test_appending_to_a_list_keeps_its_items_lines_and_appends_the_new_one():
    original = "tags:\n  - a   # first\n  - b\nrevisions:\n- revision: 1\n  reason: First   coding.\n"
    new = {"tags": ["a", "b"], "revisions": [{"revision": 1, "reason": "First   coding."}, {"revision": 2}]}
    assert rewrite(original, new) == original + "- revision: 2\n"


def test_a_file_that_cannot_be_mapped_is_written_in_its_canonical_form():
    new = {"tags": ["a"], "notes": "x"}
    assert rewrite("{tags: [b], notes: x}\n", new) == records.dump(new)


def git(root, *args):
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    return subprocess.run([*command, *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_correcting_one_tag_rewrites_only_the_tags_lines_and_appends_the_revision(tmp_path):
    """The issue's case: a hand-edited file (unquoted dates, its own wrapping, a comment) keeps all of it."""
    layout = make_dataset(tmp_path, record(tags=["patrol", "market"]))
    path = layout.records / f"{INCIDENT}.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("date_start: '2024-03-07'", "date_start: 2024-03-07  # per the report's 'Thursday'")
    text = text.replace("date_end: '2024-03-07'", "date_end: 2024-03-07")
    text = text.replace(
        "summary: Militia fighters attacked a police patrol;", "summary: Militia fighters attacked\n  a police patrol;"
    )
    path.write_text(text, encoding="utf-8")
    (tmp_path / ".gitignore").write_text("data/.build.lock\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "first coding")
    edited = text.replace("- market\n", "- shelling\n")
    path.write_text(edited, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--root", str(tmp_path), "correct", INCIDENT, "--reason", "A shelling, not a market.", "--by", "T"]
    )
    assert result.exit_code == 0, result.output
    diff = git(tmp_path, "diff", "-U0", "--", f"data/records/{INCIDENT}.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed[:2] == ["-- market", "+- shelling"]
    assert changed[2] == "+- revision: 2" and all(line.startswith("+") for line in changed[2:])
    after = path.read_text(encoding="utf-8")
    assert after.startswith(edited) and after.removeprefix(edited).startswith("- revision: 2\n")
    assert records.parse(after.encode(), "x").data["revisions"][1]["fields_changed"] == ["tags"]
