"""After a clean check, only the rows a change touches are checked again (touched.scope), and the problems
are exactly those of a check of everything."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factories import (
    ACTOR_A,
    ACTOR_B,
    SOURCE,
    TODAY,
    make_dataset,
    quote,
    record,
    source_meta,
    write_record,
    write_yaml,
)
from incidents import records, standard, validate
from incidents.core.layout import Layout
from incidents.incremental import build_cache as cache
from incidents.incremental import touched_rows as touched

IDS = [f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}" for n in range(6)]
OTHER_TEXT = "Later report\n\nTwo fighters were buried in Qamishli on Saturday. Police arrested four men.\n"
OTHER = hashlib.sha256(OTHER_TEXT.encode()).hexdigest()
MISSING_ACTOR = "act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ"


def citing_other(incident_id: str) -> dict:
    data = record(incident_id, detained=4)
    data["evidence"].append(quote("Police arrested four men.", ["detained"], OTHER_TEXT, OTHER))
    return data


def dataset(root: Path) -> Layout:
    layout = make_dataset(root, *(record(i) for i in IDS[:4]), *(citing_other(i) for i in IDS[4:]))
    layout.source_text(OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    write_yaml(layout.source_meta(OTHER), source_meta(OTHER_TEXT))
    return layout


def edit_record(layout: Layout, k: int, **changes: object) -> None:
    path = layout.records / f"{IDS[k]}.yaml"
    if not path.exists():  # deleted by an earlier edit
        return
    data = records.read(path, "x").data
    data.update(changes)
    write_record(layout.root, data)


def edit_yaml(path: Path, **changes: object) -> None:
    if not path.exists():
        return
    data = records.read(path, "x").data
    data.update(changes)
    write_yaml(path, data)


def bad_quote(layout: Layout, k: int) -> None:
    path = layout.records / f"{IDS[k]}.yaml"
    if not path.exists():
        return
    data = records.read(path, "x").data
    data["evidence"][-1]["quote"] = "Two officers were injured."
    write_record(layout.root, data)


EDITS = {
    "fatality range": lambda layout, k: edit_record(layout, k, fatalities_low=5),
    "date order": lambda layout, k: edit_record(layout, k, date_end="2024-03-01"),
    "quote": bad_quote,
    "summary (valid)": lambda layout, k: edit_record(layout, k, summary=f"Rewritten summary {k}."),
    "merged into another": lambda layout, k: edit_record(
        layout, k, status="merged", status_reason="Same clash.", merged_into=IDS[(k + 1) % 6]
    ),
    "withdrawn": lambda layout, k: edit_record(layout, k, status="withdrawn", status_reason="Not an incident."),
    "record deleted": lambda layout, k: (layout.records / f"{IDS[k]}.yaml").unlink(missing_ok=True),
    "record added": lambda layout, k: write_record(layout.root, record(f"inc_01KAXQ8N5D4C3R6E0J2VWZ9{k:03d}")),
    "record pointing at no actor": lambda layout, k: write_record(
        layout.root,
        record(f"inc_01KAXQ8N5D4C3R6E0J2VWZ8{k:03d}", actors=[{"actor_id": MISSING_ACTOR, "role": "side_a"}]),
    ),
    "duplicate id": lambda layout, k: (
        shutil.copy(layout.records / f"{IDS[k]}.yaml", layout.records / "inc_01KAXQ8N5D4C3R6E0J2VWZ7777.yaml")
        if (layout.records / f"{IDS[k]}.yaml").exists()
        else None
    ),
    "actor deleted": lambda layout, k: (layout.actors / f"{ACTOR_B}.yaml").unlink(missing_ok=True),
    "actor parent missing": lambda layout, k: edit_yaml(
        layout.actors / f"{ACTOR_A}.yaml", parent_actor_id=MISSING_ACTOR
    ),
    "actor renamed (valid)": lambda layout, k: edit_yaml(layout.actors / f"{ACTOR_A}.yaml", name=f"Militia {k}"),
    "actor made a child (valid)": lambda layout, k: edit_yaml(
        layout.actors / f"{ACTOR_A}.yaml", parent_actor_id=ACTOR_B
    ),
    "text tampered": lambda layout, k: layout.source_text(OTHER).write_text(OTHER_TEXT.replace("four", "five")),
    "text deleted": lambda layout, k: layout.source_text(SOURCE).unlink(missing_ok=True),
    "source edited": lambda layout, k: edit_yaml(layout.source_meta(OTHER), publisher=f"Other News {k}"),
}


def scoped(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Record the changes each check scoped its rows to (none: it checked everything)."""
    seen: list[set[str]] = []
    original = touched.scope

    def spy(std, tables, changed):
        seen.append(set(changed))
        return original(std, tables, changed)

    monkeypatch.setattr(touched, "scope", spy)
    return seen


def test_a_clean_check_vouches_for_what_it_saw_and_a_check_with_problems_does_not(tmp_path, monkeypatch):
    layout = dataset(tmp_path)
    std = standard.load()
    seen = scoped(monkeypatch)
    assert validate.check_dataset(layout, TODAY).problems == [] and seen == []  # no cache yet: everything
    assert cache.load(layout, std, False).verified
    assert validate.check_dataset(layout, TODAY).problems == [] and seen == [set()]  # nothing changed
    edit_record(layout, 1, fatalities_low=5)
    assert [p.code for p in validate.check_dataset(layout, TODAY).problems] == ["fatality-range"]
    assert seen[-1] == {f"data/records/{IDS[1]}.yaml"}
    assert not cache.load(layout, std, False).verified
    validate.check_dataset(layout, TODAY)
    assert seen[-1] == {f"data/records/{IDS[1]}.yaml"}  # not vouched for: checked whole again
    assert len(seen) == 2


def test_the_rows_touched_are_those_of_the_changed_files_and_those_pointing_at_them(tmp_path):
    layout = dataset(tmp_path)
    checked = validate.check_dataset(layout, TODAY)
    std = standard.load()

    def incidents(changed: set[str]) -> list[str]:
        mask = touched.scope(std, checked.tables, changed)
        return sorted(checked.tables["incidents"].filter(mask["incidents"]).column("incident_id").to_pylist())

    assert incidents({f"data/records/{IDS[2]}.yaml"}) == [IDS[2]]
    assert incidents({f"data/sources/{OTHER}.txt"}) == IDS[4:]  # they cite it
    assert incidents({f"data/actors/{ACTOR_B}.yaml"}) == IDS  # every record names both actors
    assert incidents({f"data/actors/{MISSING_ACTOR}.yaml", "data/records/nothing.yaml"}) == []
    scope = touched.scope(std, checked.tables, {f"data/records/{IDS[4]}.yaml"})
    assert checked.tables["incident_sources"].filter(scope["incident_sources"]).num_rows == 4  # the whole incident
    assert not any(scope["sources"].to_pylist())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 5)), min_size=1, max_size=3),
    first=st.sampled_from(
        [
            "summary (valid)",
            "actor renamed (valid)",
            "source edited",
            "actor made a child (valid)",
            "merged into another",
        ]
    ),
)
# An unchanged row whose reference breaks because what it points at changed: the key rules must see it.
@example(edits=[("actor deleted", 0)], first="actor made a child (valid)")
@example(edits=[("withdrawn", 1)], first="merged into another")
@example(edits=[("record deleted", 1)], first="merged into another")
def test_after_a_clean_check_a_check_of_what_changed_finds_what_a_check_of_everything_finds(
    tmp_path_factory, monkeypatch, edits, first
):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written just before are trusted by their stat
    layout = dataset(tmp_path_factory.mktemp("touched"))
    assert validate.check_dataset(layout, TODAY).problems == []
    EDITS[first](layout, 0)  # a valid change: the check of what changed vouches for the dataset again
    seen = scoped(monkeypatch)
    assert validate.check_dataset(layout, TODAY).problems == []
    for name, k in edits:
        EDITS[name](layout, k)
    incremental = validate.check_dataset(layout, TODAY).problems
    assert len(seen) == 2  # both checks were of what changed
    assert incremental == validate.check_dataset(layout, TODAY, use_cache=False).problems
