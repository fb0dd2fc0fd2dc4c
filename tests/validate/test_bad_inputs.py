"""The bad-input corpus: each case in tests/bad_inputs/ is put into a valid dataset, and `incidents validate`
must report exactly the problems listed for it in cases.yaml (file, line, field, code), exit 1, and never
crash or hang. Large and binary inputs are generated here rather than committed."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from factories import ACTOR_A, ACTOR_B, INCIDENT, SOURCE, git, make_dataset, write_record
from incidents.cli import cli
from incidents.core.layout import Layout
from limits import time_limit

HERE = Path(__file__).parents[1] / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
SECONDS_PER_CASE = 20
# Files added beside the good ones, for cases whose id collides with the good file's.
SECOND_INCIDENT = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
SECOND_ACTOR = "act_01KAXQ8N5D4C3R6E0J2VWZ7TCC"
# The sha256 of the orphan-blob transform's 30 MB of random bytes, which name them (with no metadata).
ORPHAN_TEXT = "37cc255905fb131706401c74f99393b6810c5c3a1f9ad4749d129aece3c80125"


def content(case: dict[str, Any]) -> bytes:
    """The bytes of the bad file: the committed text, re-encoded or grown as the case says."""
    text = (HERE / f"{case['name']}.yaml").read_text(encoding="utf-8")
    transform = case.get("transform")
    if transform == "latin-1":
        return text.encode("latin-1")
    if transform == "utf-16":
        return text.encode("utf-16")
    if transform == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if transform == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if transform == "huge":  # valid YAML, just too big: 1.1 MB of comments
        return text.encode("utf-8") + (b"#" + b"x" * 99 + b"\n") * 11_000
    if transform == "binary":
        return text.encode("utf-8")[:200] + bytes(range(256)) * 4
    if transform == "control-character":  # an ANSI colour code pasted from a terminal
        return text.replace(" CONTROL", "\x1b[31m").encode("utf-8")
    if transform == "orphan-blob":  # a 30 MB binary named like an archived text: seeded, so its name is known
        return random.Random(19).randbytes(30_000_000)
    if transform == "too-long":
        return text.replace("summary: Militia", "summary: " + "Militia " * 2_600, 1).encode("utf-8")
    return text.encode("utf-8")


def commit_all(layout: Layout, message: str = "the valid dataset") -> None:
    """Commit the dataset as it stands (a git repository is made on the first call)."""
    if not (layout.root / ".git").exists():
        git(layout.root, "init", "-q", "-b", "main")
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", message)


def place(case: dict[str, Any], layout: Layout) -> None:
    """Put the case's file where it belongs in the valid dataset, replacing the good one (or beside it).

    A case with `committed: true` has the valid dataset committed first, so that the case is a change on top
    of a history (the history checks compare with it)."""
    if case.get("committed"):
        commit_all(layout)
    target = {
        "record": layout.records / f"{INCIDENT}.yaml",
        "actor": layout.actors / f"{ACTOR_A}.yaml",
        "source": layout.source_meta(SOURCE),
        "second record": layout.records / f"{SECOND_INCIDENT}.yaml",
        "second actor": layout.actors / f"{SECOND_ACTOR}.yaml",
        "hidden record": layout.records / f".{INCIDENT}.yaml",
        "orphan text": layout.source_text(ORPHAN_TEXT),
    }[case.get("target", "record")]
    data = content(case)
    transform = case.get("transform")
    if transform == "fifo":  # a named pipe: opening it waits for a writer
        os.mkfifo(target)
        return
    if transform == "socket":  # bound from its folder: a socket's path is limited to about 100 bytes
        with contextlib.chdir(target.parent), socket.socket(socket.AF_UNIX) as bound:
            bound.bind(target.name)
        return
    if transform == "stray-temp-file":  # half a table an interrupted write left among the outputs
        layout.tables.mkdir(parents=True)
        (layout.tables / "incidents.csv.tmp").write_bytes(data)
        return
    if transform == "committed-staging":  # a commit holding the build's staging folder, journal and all
        staged = layout.data / ".build-staging"
        (staged / "data/tables").mkdir(parents=True)
        (staged / "data/tables/incidents.csv").write_bytes(data)
        (staged / "journal.json").write_text('["data/tables/incidents.csv"]', encoding="utf-8")
        commit_all(layout, "a contribution with a staging folder")
        return
    if transform == "symlink":  # the record file is a link to a file elsewhere
        outside = layout.root / "elsewhere.yaml"
        outside.write_bytes(data)
        target.unlink()
        target.symlink_to(outside)
        return
    target.write_bytes(data)
    if transform in ("deleted", "deleted-then-re-added", "made-active"):
        rewrite_history(transform, layout, target)
        return
    text = layout.source_text(SOURCE)
    if transform == "source-text-symlink":  # the archived text links out of the repository
        outside = layout.root.parent / f"{layout.root.name}-outside.txt"
        outside.write_bytes(text.read_bytes())
        text.unlink()
        text.symlink_to(outside)
    elif transform == "source-text-edited":
        text.write_bytes(text.read_bytes().replace(b"Police", b"Officers"))
    elif transform == "actor-cycle":  # the case makes A's parent B; B's parent is made A, closing the cycle
        other = layout.actors / f"{ACTOR_B}.yaml"
        other.write_bytes(other.read_bytes().replace(b"parent_actor_id: null", f"parent_actor_id: {ACTOR_A}".encode()))


def rewrite_history(transform: str, layout: Layout, target: Path) -> None:
    """The case's file committed, then deleted (and put back in a later commit), or made active by hand."""
    commit_all(layout, "the case's file")
    if transform == "made-active":  # the tombstone set active again, with a well-formed revision saying so
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        again = {**data["revisions"][-1], "revision": 3, "changed_at": "2024-05-01T10:00:00Z", "reason": "Back."}
        data.update(status="active", status_reason=None, revisions=[*data["revisions"], again])
        write_record(layout.root, data)
        return
    text = target.read_bytes()
    target.unlink()
    if transform == "deleted-then-re-added":  # the id used again, for another incident
        commit_all(layout, "deleted")
        target.write_bytes(text.replace(b"Militia fighters attacked", b"Gunmen attacked"))


def test_the_corpus_has_at_least_forty_cases_each_with_its_file():
    names = [case["name"] for case in CASES]
    assert len(names) >= 40 and len(set(names)) == len(names)
    assert {p.stem for p in HERE.glob("*.yaml")} - {"cases"} == set(names)


# Each kind of bad input the contribution rules promise a clean error for (issue 4), and its cases here.
KINDS = {
    "broken YAML": ["yaml_bad_indentation", "yaml_unclosed_list", "yaml_unclosed_quote"],
    "latin-1": ["latin1"],
    "UTF-16": ["utf16"],
    "a byte-order mark": ["bom"],
    "CRLF line endings": ["crlf"],
    "tabs": ["tab_indentation"],
    "duplicated keys": ["duplicate_key"],
    "a YAML alias bomb": ["alias_bomb", "merge_key"],
    "a huge file": ["huge_file", "text_too_long"],
    "a deeply nested value": ["deeply_nested"],
    "unknown fields": ["unknown_field", "unknown_field_in_evidence"],
    "ids that collide": ["colliding_incident_ids", "colliding_actor_ids"],
    "a quote not in its source": ["quote_not_in_source", "quote_at_wrong_offsets"],
    "offsets past the end": ["offsets_past_the_end"],
    "31 February": ["february_31"],
    "a future date": ["future_date"],
    "coordinates in the sea": ["coordinates_in_the_sea"],
    "coordinates in another country": ["coordinates_in_another_country"],
    "negative counts": ["negative_fatalities", "negative_injured"],
    "low > high": ["fatalities_low_above_high"],
    "a spreadsheet formula cell": ["formula_in_summary", "formula_in_tag", "formula_in_actor_name"],
    "a path traversal in a source reference": ["archive_path_traversal", "evidence_source_path_traversal"],
    "a symlink": ["source_text_symlink", "record_symlink"],
    "a hidden file": ["hidden_record_file"],
    "a FIFO, socket or device": ["fifo_record_file", "socket_record_file"],
    "a file in data/sources/ no metadata names": ["orphan_blob"],
}


def test_the_corpus_covers_every_kind_of_bad_input_the_rules_promise():
    names = {case["name"] for case in CASES}
    assert {kind: [n for n in cases if n not in names] for kind, cases in KINDS.items()} == {k: [] for k in KINDS}


def test_every_case_is_reported_on_a_line_unless_the_file_is_refused_unread():
    # the file is never opened, so no line of it can be named
    unread = {
        "too-large",
        "symlink",
        "hidden-file",
        "special-file",
        "orphan-file",
        "deleted-record",
        "stray-temp-file",
        "committed-staging",
    }
    for case in CASES:
        for problem in case["problems"]:
            assert problem["line"] is not None or problem["code"] in unread, case["name"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input_gives_exactly_its_error(tmp_path, case):
    layout = make_dataset(tmp_path / "repo")
    place(case, layout)
    with time_limit(SECONDS_PER_CASE):
        result = CliRunner().invoke(cli, ["--root", str(layout.root), "validate", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)["problems"]
    got = [{k: p[k] for k in ("file", "line", "field", "code")} for p in found]
    want = [{"file": "data/records/" + f"{INCIDENT}.yaml", **p} for p in case["problems"]]
    for problem in want:
        problem["file"] = problem["file"].replace("<actor>", ACTOR_A).replace("<source>", SOURCE)
    messages = [problem.pop("message", None) for problem in want]  # exact, where the case gives it
    assert got == want, json.dumps(found, indent=1)
    assert [m if m is None else p["message"] for m, p in zip(messages, found, strict=True)] == messages
    assert all(p["message"] and p["expected"] for p in found)
